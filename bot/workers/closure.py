"""/close: a support worker starts closure for a young person.

The "Looking back" module is assigned; when the young person finishes it (or at once, if the
worker chooses) the summary goes to them and to their worker, check-ins stop, and the
retention clock starts (`people.closed_at`).
"""

from __future__ import annotations

from typing import ClassVar

from bot import wellbeing
from bot.db.models import Person
from bot.features.registry import worker_feature
from bot.workers.case import label
from bot.workers.desk import Desk
from bot.workers.wellbeing import WellbeingCase
from flows.base import Button, Reply, keyboard

PREFIX = "wclose"


class ClosureFeature(WellbeingCase):
    name: ClassVar[str] = "closure"
    commands: ClassVar[dict[str, str]] = {"close": "start closure for a young person"}
    prefix: ClassVar[str] = PREFIX
    question: ClassVar[str] = "Start closure for whom?"
    actions: ClassVar[dict[str, tuple[int, ...]]] = {"start": (0,), "now": (0,)}
    cancelled: ClassVar[str] = "OK, nothing has changed."

    async def act(self, desk: Desk, action: str, person: Person, args: list[str]) -> list[Reply]:
        if person.closed_at is not None:
            return [Reply(f"{person.pseudonym} was closed on "
                          f"{wellbeing.short_date(person.closed_at)}.")]
        if action == self.pick:
            return [self.confirm(person)]
        return [await self.start(desk, person, now=action == "now")]

    def confirm(self, person: Person) -> Reply:
        started = ("\nClosure was already started: the module is assigned."
                   if person.closure_started_at else "")
        return Reply(
            f"Start closure for {label(person)}?{started}\n\n"
            "• The 'Looking back' module is assigned to them.\n"
            "• When they finish it (or now, if you choose), they and you get a summary: modules "
            "done, how their wheel changed, their safety plan, how to get back in touch.\n"
            "• Then check-ins and wheel reminders stop, and the retention clock starts. They can "
            "still get help and read modules.",
            keyboard([Button("✅ Start closure", f"{PREFIX}:start:{person.id}")],
                     [Button("📨 Start and send summary now", f"{PREFIX}:now:{person.id}")],
                     [Button("✖️ Cancel", f"{PREFIX}:cancel")]))

    async def start(self, desk: Desk, person: Person, *, now: bool) -> Reply:
        await desk.audit("closure.start", person, summary_now=now)
        await wellbeing.start_closure(desk.session, desk.content, desk.worker, person, desk.now,
                                      nudge=not now)
        if not now:
            return Reply(f"Closure started for {person.pseudonym}. 'Looking back' is assigned; "
                         "the summary will come when they finish it.")
        await wellbeing.finish_closure(desk.session, desk.content, person, desk.now,
                                       tell_young_person_directly=False)
        await desk.audit("closure.done", person)
        return Reply(f"Closure done for {person.pseudonym}. The summary is on its way to them "
                     "and to their worker.")


FEATURE = worker_feature(ClosureFeature)

