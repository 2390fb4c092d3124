"""`/assign`: pick a young person, tick modules, pick a due date; they get a message to start.

The ticked modules travel in the buttons as a bitmask over the content's module order, so there
is nothing to remember between presses; every press checks the young person again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from sqlalchemy import select

from bot.db.models import ModuleProgress, Person
from bot.features.registry import worker_feature
from bot.workers.case import CaseFeature, label
from bot.workers.desk import Desk
from flows import callback
from flows.base import Button, Reply
from flows.common import with_help

DUE_CHOICES = (0, 7, 14)  # days; their words are staff.assign.due_choice.<days>


class AssignFeature(CaseFeature):
    name: ClassVar[str] = "assign"
    commands: ClassVar[tuple[str, ...]] = ("assign",)
    question: ClassVar[str] = "staff.assign.question"
    # t: tick or untick a module (mask, index); d: done ticking (mask); due: the date (mask, days)
    actions: ClassVar[dict[str, tuple[int, ...]]] = {"t": (2,), "d": (1,), "due": (2,)}

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        return [self.ticks(desk, person, 0)]

    async def other(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        mask = _mask(args[0], len(desk.content.modules))
        if mask is None:
            return [Reply(desk.say(self.stale))]
        if action == "t":
            index = callback.parse_number(args[1])
            if index is None or index >= len(desk.content.modules):
                return [Reply(desk.say(self.stale))]
            return [self.ticks(desk, person, mask ^ (1 << index))]
        if mask == 0:
            return [Reply(desk.content.text("staff.said.pick_a_module")), self.ticks(desk, person, 0)]
        if action == "d":
            return [Reply(desk.say("staff.assign.due_question", label=label(person)), tuple(
                (Button(desk.say(f"staff.assign.due_choice.{days}"),
                        f"assign:due:{person.id}:{mask:x}:{days}"),)
                for days in DUE_CHOICES))]
        days = callback.parse_number(args[1])
        if days not in DUE_CHOICES:
            return [Reply(desk.say(self.stale))]
        return [await self.assign(desk, person, mask, days)]

    def ticks(self, desk: Desk, person: Person, mask: int) -> Reply:
        """The modules with a tick box each, then Done."""
        rows = []
        for index, module in enumerate(desk.content.modules.values()):
            if not module.is_for(person.age_band):  # type: ignore[arg-type]
                continue
            box = "staff.assign.ticked" if mask & (1 << index) else "staff.assign.unticked"
            rows.append((Button(desk.say(box, title=module.title),
                                f"assign:t:{person.id}:{mask:x}:{index}"),))
        rows.append((Button(desk.say("staff.case.done"), f"assign:d:{person.id}:{mask:x}"),))
        return Reply(desk.say("staff.assign.tick_question", label=label(person)), tuple(rows))

    async def assign(self, desk: Desk, person: Person, mask: int, days: int) -> Reply:
        modules = [m for i, m in enumerate(desk.content.modules.values()) if mask & (1 << i)]
        due = desk.now + timedelta(days=days) if days else None
        for module in modules:
            row = await desk.session.scalar(select(ModuleProgress).where(
                ModuleProgress.person_id == person.id, ModuleProgress.module_id == module.id))
            if row is None:
                row = ModuleProgress(person_id=person.id, module_id=module.id, answers={},
                                     module_version=module.version)
                desk.session.add(row)
            row.assigned_at, row.assigned_by_id, row.due_at = desk.now, desk.worker.id, due
            await desk.audit("module_assigned", person, module=module.id, due_days=days)
        await desk.session.flush()
        content = desk.content
        text = (content.text("worker.assigned_due", due=f"{due:%A} {due.day} {due:%B}") if due
                else content.text("worker.assigned"))
        buttons = tuple((Button(m.title, f"menu:open:{m.id}"),) for m in modules)
        message = with_help(Reply(text, buttons), content)
        sent = await desk.tell(person, message.text, message.buttons)
        titles = ", ".join(m.title for m in modules)
        told = desk.say("staff.assign.sent" if sent is not None else "staff.assign.not_sent")
        if due is None:
            return Reply(desk.say("staff.assign.done", label=label(person), titles=titles,
                                  told=told))
        return Reply(desk.say("staff.assign.done_due", label=label(person), titles=titles,
                              day=due.day, month=f"{due:%b}", told=told))


def _mask(raw: str, count: int) -> int | None:
    return callback.parse_mask(raw, count)


FEATURE = worker_feature(AssignFeature)

