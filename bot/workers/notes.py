"""`/note`: pick a young person, then type a case note. The text is never logged."""

from __future__ import annotations

from typing import ClassVar

from bot.db.models import CaseNote, Person
from bot.features.registry import worker_feature
from bot.workers.case import CaseFeature, label
from bot.workers.desk import Desk
from bot.workers.table import IDLE, WorkerTable
from flows.base import Event, Reply


class NoteFeature(CaseFeature, WorkerTable):
    name: ClassVar[str] = "note"
    commands: ClassVar[tuple[str, ...]] = ("note",)
    question: ClassVar[str] = "staff.note.question"
    # picking a young person waits for the note's text (`choose`)
    STATES: ClassVar[list[str]] = ["text"]
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger   from     to       what happens
        {"trigger": "typed", "source": "text", "dest": IDLE, "after": "save"},
        {"trigger": "cancel", "source": "text", "dest": IDLE, "after": "not_saved"},
        {"trigger": "media", "source": "text", "dest": "text", "after": "as_text_please"},
    ]

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if self.waiting_in(desk) != IDLE:
            taken = await self.run(desk, event)
            if taken is not None:
                return taken
            desk.clear_awaiting()  # they moved on to something else
        return await super().handle(desk, event)

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        self.wait(desk, "text", subject=person.id)
        return [Reply(desk.say("staff.note.type", label=label(person)))]

    async def not_saved(self, desk: Desk, event: Event) -> list[Reply]:
        return [Reply(desk.say("staff.said.no_note_saved"))]

    async def as_text_please(self, desk: Desk, event: Event) -> list[Reply]:
        return [Reply(desk.say("staff.said.note_as_text"))]

    async def save(self, desk: Desk, event: Event) -> list[Reply]:
        text = event.text.strip()
        subject = str(desk.convo.context.get("subject", ""))
        person = await self.young_person(desk, subject)
        if person is None:
            return [Reply(desk.say(self.refused))]
        note = CaseNote(author_id=desk.worker.id, subject_id=person.id, text=text,
                        created_at=desk.now)
        desk.session.add(note)
        await desk.session.flush()
        await desk.audit("note_added", person, note_id=note.id)
        return [Reply(desk.say("staff.note.saved", label=label(person)))]


FEATURE = worker_feature(NoteFeature)

