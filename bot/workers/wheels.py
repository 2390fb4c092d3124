"""/wheel: a worker sees a young person's wheels (chart and table), asks for a new one, and
sets how often it is offered."""

from __future__ import annotations

from typing import ClassVar

from bot import wellbeing
from bot.db.models import Person
from bot.features.registry import worker_feature
from bot.workers.case import label
from bot.workers.desk import Desk
from bot.workers.wellbeing import WellbeingCase
from flows import callback
from flows.base import Button, Keyboard, Reply, keyboard

PREFIX = "wwheel"


class WheelsFeature(WellbeingCase):
    name: ClassVar[str] = "wheels"
    commands: ClassVar[dict[str, str]] = {
        "wheel": "see a young person's outcome wheels, ask for a new one, or set how often"}
    prefix: ClassVar[str] = PREFIX
    question: ClassVar[str] = "Whose wheel?"
    actions: ClassVar[dict[str, tuple[int, ...]]] = {"see": (0,), "ask": (0,), "every": (1,)}

    async def act(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        if action == "ask":
            return [await self.ask(desk, person)]
        if action == "every":
            return [await self.set_gap(desk, person, args[0])]
        return await self.history(desk, person)  # the pick, or "see"

    def _buttons(self, person: Person) -> Keyboard:
        gaps = [Button(("✓ " if person.wheel_every_weeks == weeks else "") + f"{weeks} weeks",
                       f"{PREFIX}:every:{person.id}:{weeks}") for weeks in wellbeing.WHEEL_GAPS_WEEKS]
        off = ("✓ " if person.wheel_every_weeks is None else "") + "Only when asked"
        return keyboard([Button("📨 Ask for a new wheel", f"{PREFIX}:ask:{person.id}")], gaps,
                        [Button(off, f"{PREFIX}:every:{person.id}:off")])

    async def history(self, desk: Desk, person: Person) -> list[Reply]:
        """The first and latest wheel as a chart, then every wheel as a small table."""
        await desk.audit("wheel.read", person)
        wheels = await wellbeing.wheels_of(desk.session, person.id)
        gap = (f"every {person.wheel_every_weeks} weeks" if person.wheel_every_weeks
               else "only when asked")
        if not wheels:
            return [Reply(f"{label(person)} has not filled in a wheel yet. Offered {gap}.",
                          self._buttons(person))]
        chart = wellbeing.wheel_drawing(desk.content, wheels, person.pseudonym)
        assert chart is not None
        caption = "\n".join([f"🎯 {label(person)}: first and latest wheel", "",
                             *wellbeing.worker_change_lines(desk.content, wheels)])
        table = wellbeing.wheel_table(desk.content, wheels)
        return [Reply(caption, photo=chart),
                Reply(f"All wheels ({len(wheels)}), latest {min(len(wheels), 5)} shown:\n\n{table}"
                      f"\n\nOffered {gap}.", self._buttons(person))]

    async def ask(self, desk: Desk, person: Person) -> Reply:
        if person.telegram_id is None:
            return Reply(f"{person.pseudonym} has not joined the chat yet.")
        await desk.audit("wheel.ask", person)
        body, buttons = wellbeing.wheel_nudge(desk.content, "worker")
        await desk.tell(person, body, buttons)
        return Reply(f"Sent. {person.pseudonym} will get a message with a button into their wheel.")

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
            return Reply(f"{person.pseudonym}'s wheel will only be offered when you ask.",
                         self._buttons(person))
        return Reply(f"{person.pseudonym}'s wheel will be offered every {person.wheel_every_weeks} "
                     f"weeks. Next: {wellbeing.short_date(job.due_at)}.", self._buttons(person))


FEATURE = worker_feature(WheelsFeature)

