"""/close: a support worker starts closure for a young person.

The "Looking back" module is assigned; when the young person finishes it (or at once, if the
worker chooses) the summary goes to them and to their worker, check-ins stop, and the
retention clock starts (`people.closed_at`).
"""

from __future__ import annotations

from typing import ClassVar

from bot.care import wellbeing
from bot.db.models import Person
from bot.features.registry import worker_feature
from bot.workers.case import label
from bot.workers.desk import Desk
from bot.workers.wellbeing_case import WellbeingCase
from flows.base import Button, Reply, keyboard

PREFIX = "wclose"


class ClosureFeature(WellbeingCase):
    name: ClassVar[str] = "closure"
    commands: ClassVar[tuple[str, ...]] = ("close",)
    prefix: ClassVar[str] = PREFIX
    question: ClassVar[str] = "staff.closure.question"
    actions: ClassVar[dict[str, tuple[int, ...]]] = {"start": (0,), "now": (0,)}
    cancelled: ClassVar[str] = "staff.closure.cancelled"

    async def act(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        if person.closed_at is not None:
            return [Reply(desk.say("staff.closure.closed", pseudonym=person.pseudonym,
                                   date=wellbeing.short_date(person.closed_at)))]
        if action == self.pick:
            return [self.confirm(desk, person)]
        return [await self.start(desk, person, now=action == "now")]

    def confirm(self, desk: Desk, person: Person) -> Reply:
        say = desk.say
        started = "\n" + say("staff.closure.already_started") if person.closure_started_at else ""
        return Reply(
            say("staff.closure.confirm", label=label(person), started=started),
            keyboard([Button(say("staff.closure.start_button"), f"{PREFIX}:start:{person.id}")],
                     [Button(say("staff.closure.now_button"), f"{PREFIX}:now:{person.id}")],
                     [Button(say("staff.closure.cancel_button"), f"{PREFIX}:cancel")]))

    async def start(self, desk: Desk, person: Person, *, now: bool) -> Reply:
        await desk.audit("closure.start", person, summary_now=now)
        await wellbeing.start_closure(desk.session, desk.content, desk.worker, person, desk.now,
                                      nudge=not now)
        if not now:
            return Reply(desk.say("staff.closure.started", pseudonym=person.pseudonym))
        await wellbeing.finish_closure(desk.session, desk.content, person, desk.now,
                                       tell_young_person_directly=False)
        await desk.audit("closure.done", person)
        return Reply(desk.say("staff.closure.done", pseudonym=person.pseudonym))


FEATURE = worker_feature(ClosureFeature)

