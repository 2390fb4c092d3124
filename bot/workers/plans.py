"""/plan: a worker reads a young person's safety plan, or asks them to update it."""

from __future__ import annotations

from typing import ClassVar

from bot.care import wellbeing
from bot.db.models import Person, SafetyPlanRecord
from bot.features.registry import worker_feature
from bot.workers.case import label
from bot.workers.desk import Desk
from bot.workers.wellbeing_case import WellbeingCase
from flows.base import Button, Reply, keyboard
from flows.safety_plan import plan_text

PREFIX = "wplan"


class PlansFeature(WellbeingCase):
    name: ClassVar[str] = "plans"
    commands: ClassVar[tuple[str, ...]] = ("plan",)
    prefix: ClassVar[str] = PREFIX
    question: ClassVar[str] = "staff.plans.question"
    actions: ClassVar[dict[str, tuple[int, ...]]] = {"see": (0,), "ask": (0,)}

    async def act(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        if action == "ask":
            return [await self.ask(desk, person)]
        return [await self.show(desk, person)]  # the pick, or "see"

    async def show(self, desk: Desk, person) -> Reply:
        """The plan as the young person wrote it; every read is audited."""
        await desk.audit("plan.read", person)
        record = await desk.session.get(SafetyPlanRecord, person.id)  # one read: plan and date
        plan = dict(record.sections or {}) if record else {}
        body = plan_text(desk.content, plan, for_young_person=False)
        shown = (desk.say("staff.plans.shown_changed", label=label(person), body=body,
                          date=wellbeing.short_date(record.updated_at)) if record
                 else desk.say("staff.plans.shown", label=label(person), body=body))
        return Reply(shown, keyboard(
            [Button(desk.say("staff.plans.ask_button"), f"{PREFIX}:ask:{person.id}")]))

    async def ask(self, desk: Desk, person) -> Reply:
        """A message to the young person, neutral first line, with a button into their plan."""
        if person.telegram_id is None:
            return Reply(desk.say("staff.case.not_joined", pseudonym=person.pseudonym))
        await desk.audit("plan.ask", person)
        text = desk.content.text
        await desk.tell(person, text("plan.nudge"),
                        keyboard([Button(text("plan.nudge_button"), "plan:enter")]))
        return Reply(desk.say("staff.plans.asked", pseudonym=person.pseudonym))


FEATURE = worker_feature(PlansFeature)

