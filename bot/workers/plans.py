"""/plan: a worker reads a young person's safety plan, or asks them to update it."""

from __future__ import annotations

from typing import ClassVar

from bot import wellbeing
from bot.db.models import Person, SafetyPlanRecord
from bot.workers.desk import Desk
from bot.workers.wellbeing_access import CaseloadFeature, name_of
from flows.base import Button, Reply, keyboard
from flows.safety_plan import plan_text

PREFIX = "wplan"


class PlansFeature(CaseloadFeature):
    name: ClassVar[str] = "plans"
    commands: ClassVar[dict[str, str]] = {
        "plan": "see a young person's safety plan, or ask them to update it"}
    prefix = PREFIX
    command = "plan"
    question = "Whose safety plan?"

    async def act(self, desk: Desk, action: str, person: Person,
                  args: list[str]) -> list[Reply] | None:
        if action in ("pick", "see"):
            return [await self.show(desk, person)]
        if action == "ask":
            return [await self.ask(desk, person)]
        return None

    async def show(self, desk: Desk, person) -> Reply:
        """The plan as the young person wrote it; every read is audited."""
        await desk.audit("plan.read", person)
        record = await desk.session.get(SafetyPlanRecord, person.id)  # one read: plan and date
        plan = dict(record.sections or {}) if record else {}
        updated = f"\nLast changed {wellbeing.short_date(record.updated_at)}." if record else ""
        body = plan_text(desk.content, plan, for_young_person=False)
        return Reply(f"{name_of(person)}{updated}\n\n{body}", keyboard(
            [Button("📨 Ask them to update it", f"{PREFIX}:ask:{person.id}")]))

    async def ask(self, desk: Desk, person) -> Reply:
        """A message to the young person, neutral first line, with a button into their plan."""
        if person.telegram_id is None:
            return Reply(f"{person.pseudonym} has not joined the chat yet.")
        await desk.audit("plan.ask", person)
        text = desk.content.text
        await desk.tell(person, text("plan.nudge"),
                        keyboard([Button(text("plan.nudge_button"), "plan:enter")]))
        return Reply(f"Sent. {person.pseudonym} will get a message with a button into their plan.")
