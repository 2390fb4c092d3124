"""/wheel: a worker sees a young person's wheels (chart and table), asks for a new one, and
sets how often it is offered."""

from __future__ import annotations

from typing import ClassVar

from bot.care import wellbeing
from bot.db.models import Person
from bot.features.registry import worker_feature
from bot.workers.case import label
from bot.workers.desk import Desk
from bot.workers.wellbeing_case import WellbeingCase
from flows import callback
from flows.base import Button, Keyboard, Reply, keyboard

PREFIX = "wwheel"


class WheelsFeature(WellbeingCase):
    name: ClassVar[str] = "wheels"
    commands: ClassVar[tuple[str, ...]] = ("wheel",)
    prefix: ClassVar[str] = PREFIX
    question: ClassVar[str] = "staff.wheels.question"
    actions: ClassVar[dict[str, tuple[int, ...]]] = {"see": (0,), "ask": (0,), "every": (1,)}

    async def act(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        if action == "ask":
            return [await self.ask(desk, person)]
        if action == "every":
            return [await self.set_gap(desk, person, args[0])]
        return await self.history(desk, person)  # the pick, or "see"

    def _buttons(self, desk: Desk, person: Person) -> Keyboard:
        def ticked(words: str, chosen: bool) -> str:
            return desk.say("staff.wheels.ticked", label=words) if chosen else words

        gaps = [Button(ticked(desk.say("staff.wheels.gap_button", weeks=weeks),
                              person.wheel_every_weeks == weeks),
                       f"{PREFIX}:every:{person.id}:{weeks}") for weeks in wellbeing.WHEEL_GAPS_WEEKS]
        off = ticked(desk.say("staff.wheels.off_button"), person.wheel_every_weeks is None)
        return keyboard([Button(desk.say("staff.wheels.ask_button"), f"{PREFIX}:ask:{person.id}")],
                        gaps, [Button(off, f"{PREFIX}:every:{person.id}:off")])

    async def history(self, desk: Desk, person: Person) -> list[Reply]:
        """The first and latest wheel as a chart, then every wheel as a small table."""
        await desk.audit("wheel.read", person)
        wheels = await wellbeing.wheels_of(desk.session, person.id)
        gap = (desk.say("staff.wheels.every", weeks=person.wheel_every_weeks)
               if person.wheel_every_weeks else desk.say("staff.wheels.when_asked"))
        if not wheels:
            return [Reply(desk.say("staff.wheels.none_yet", label=label(person), gap=gap),
                          self._buttons(desk, person))]
        chart = wellbeing.wheel_drawing(desk.content, wheels, person.pseudonym)
        assert chart is not None
        caption = "\n".join([desk.say("staff.wheels.caption", label=label(person)), "",
                             *wellbeing.worker_change_lines(desk.content, wheels)])
        table = wellbeing.wheel_table(desk.content, wheels)
        return [Reply(caption, photo=chart),
                Reply(desk.say("staff.wheels.all", count=len(wheels), shown=min(len(wheels), 5),
                               table=table, gap=gap), self._buttons(desk, person))]

    async def ask(self, desk: Desk, person: Person) -> Reply:
        if person.telegram_id is None:
            return Reply(desk.say("staff.case.not_joined", pseudonym=person.pseudonym))
        await desk.audit("wheel.ask", person)
        body, buttons = wellbeing.wheel_nudge(desk.content, "worker")
        await desk.tell(person, body, buttons)
        return Reply(desk.say("staff.wheels.asked", pseudonym=person.pseudonym))

    async def set_gap(self, desk: Desk, person: Person, raw: str) -> Reply:
        weeks = callback.parse_number(raw)
        if raw != "off" and weeks not in wellbeing.WHEEL_GAPS_WEEKS:
            return Reply(desk.content.text("staff.said.not_a_choice"))
        person.wheel_every_weeks = None if raw == "off" else weeks
        await desk.audit("wheel.schedule", person, every_weeks=person.wheel_every_weeks)
        wheels = await wellbeing.wheels_of(desk.session, person.id)
        since = wheels[-1].taken_at if wheels else desk.now
        job = await wellbeing.schedule_next_wheel(desk.session, person, since)
        if job is None:
            return Reply(desk.say("staff.wheels.only_when_asked", pseudonym=person.pseudonym),
                         self._buttons(desk, person))
        return Reply(desk.say("staff.wheels.set", pseudonym=person.pseudonym,
                              weeks=person.wheel_every_weeks,
                              next=wellbeing.short_date(job.due_at)), self._buttons(desk, person))


FEATURE = worker_feature(WheelsFeature)

