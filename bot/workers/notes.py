"""`/note`: pick a young person, then type a case note. The text is never logged."""

from __future__ import annotations

from typing import ClassVar

from bot.db.models import CaseNote, Person
from bot.features.registry import worker_feature
from bot.workers.case import CaseFeature, label
from bot.workers.desk import Desk
from flows.base import Event, Reply


class NoteFeature(CaseFeature):
    name: ClassVar[str] = "note"
    commands: ClassVar[tuple[str, ...]] = ("note",)
    question: ClassVar[str] = "staff.note.question"

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if desk.awaited == (self.name, "text"):
            if event.kind == "text" and event.text.strip():
                return await self.save(desk, event.text.strip())
            if event.kind == "command" and event.command == "cancel":
                desk.clear_awaiting()
                return [Reply(desk.content.text("staff.said.no_note_saved"))]
            if event.kind == "media":
                return [Reply(desk.content.text("staff.said.note_as_text"))]
            desk.clear_awaiting()  # they moved on to something else
        return await super().handle(desk, event)

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        desk.awaiting(self.name, "text", subject=person.id)
        return [Reply(desk.say("staff.note.type", label=label(person)))]

    async def save(self, desk: Desk, text: str) -> list[Reply]:
        subject = str(desk.convo.context.get("subject", ""))
        desk.clear_awaiting()
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

