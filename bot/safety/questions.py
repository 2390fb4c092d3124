"""When the detector is unsure: the young person is asked, and silence becomes a flag.

The gate asks "Do you want me to tell a worker?" with two buttons and schedules a job. *Tell a
worker* flags their worker now; *I'm OK* closes the question; no answer within the question's
minutes flags their worker anyway. Never used for critical: that is paged at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Job, Person
from bot.safety import recent
from bot.safety.detecting_gate import QUESTION_UNANSWERED
from bot.safety.detector import Severity
from bot.safety.service import SafetyService
from bot.time.clock import Clock, cancel
from flows import callback
from flows.base import Button, Reply
from flows.common import HELP_BACK

PREFIX = "ask:"
NOT_KEPT = "(the message was no longer kept)"


class KindQuestions(SafetyService):
    def register(self, clock: Clock) -> None:
        clock.register(QUESTION_UNANSWERED, self._on_unanswered)

    async def answer(self, session: AsyncSession, person: Person, data: str) -> list[Reply]:
        """``ask:tell:<message id>`` or ``ask:ok:<message id>``; anything else is stale."""
        pressed = callback.parse(data)
        choice, message_id = pressed.part(0), pressed.number(1)
        text = self.content.text
        back = ((Button(text("buttons.back_to_where"), HELP_BACK),),)
        open_question = message_id is not None and await cancel(
            session, kind=QUESTION_UNANSWERED, person_id=person.id,
            payload_match={"message_id": message_id})
        if choice == "ok" and message_id is not None:
            return [Reply(text("safety.unsure_thanks_ok"), back)]
        if choice != "tell" or message_id is None:
            return [Reply(text("general.stale_button"))]
        said = await recent.text_of(session, person.id, message_id)
        if said is None and not open_question:
            return [Reply(text("general.stale_button"))]
        await self.escalation.raise_alert(
            session, person, severity=Severity.MEDIUM, categories=["asked_for_worker"],
            source="question", now=self.clock(), excerpt=[said or NOT_KEPT])
        return [Reply(text("safety.unsure_thanks_tell"), back)]

    async def _on_unanswered(self, session: AsyncSession, job: Job, now: datetime) -> None:
        person = await session.get(Person, job.person_id) if job.person_id else None
        if person is None:
            return
        said = await recent.text_of(session, person.id, int(job.payload.get("message_id", 0)))
        await self.escalation.raise_alert(
            session, person, severity=Severity.MEDIUM,
            categories=list(job.payload.get("categories") or ["unanswered_question"]),
            source="question", now=now, excerpt=[said or NOT_KEPT])
