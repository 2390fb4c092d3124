"""What a young person can do about an alert: answer "Are you somewhere safe?", and talk with a
worker through the bot. Both come before their flow; the flow resumes afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Alert, Person, Relay
from bot.features.registry import SAFETY, Feature, Kit, Parts
from bot.records.conversation_record import ConversationRecord
from bot.safety.escalation import Escalation
from bot.safety.questions import PREFIX as QUESTION_PREFIX
from bot.safety.questions import KindQuestions
from bot.safety.service import SafetyService
from bot.time.outbox import enqueue
from content.loader import Content
from flows import callback
from flows.base import Button, Event, Reply
from flows.common import HELP_BACK

SAFE_ANSWERS = {"yes": ("Yes", "safety.thanks_safe"), "no": ("No", "safety.thanks_not_safe"),
                "unsure": ("Not sure", "safety.thanks_unsure")}


async def active_relay(session: AsyncSession, *, young_person_id: int | None = None,
                       worker_id: int | None = None) -> Relay | None:
    query = select(Relay).where(Relay.ended_at.is_(None))
    if young_person_id is not None:
        query = query.where(Relay.young_person_id == young_person_id)
    if worker_id is not None:
        query = query.where(Relay.worker_id == worker_id)
    return await session.scalar(query.order_by(Relay.id.desc()).limit(1))


def end_relay_button(content: Content, relay: Relay) -> Button:
    return Button(content.text("safety.relay_end_button"), f"rl:end:{relay.id}")


class YoungPersonSafety(SafetyService):
    """Handles safety answers and relay messages; None means the flow should handle the event."""

    def __init__(self, escalation: Escalation, content: Content, clock: Callable[[], datetime],
                 questions: KindQuestions | None = None):
        super().__init__(escalation, content, clock)
        self.questions = questions or KindQuestions(escalation, content, clock)

    async def handle(self, session: AsyncSession, person: Person, convo: ConversationRecord | None,
                     event: Event) -> list[Reply] | None:
        if event.kind == "button" and event.data.startswith("safe:"):
            return await self._safe_answer(session, person, event.data)
        if event.kind == "button" and event.data.startswith(QUESTION_PREFIX):
            return await self.questions.answer(session, person, event.data)
        if event.kind == "button" and event.data.startswith("rl:end:"):
            return await self._end_relay(session, person)
        if event.kind == "text" and event.text:
            relay = await active_relay(session, young_person_id=person.id)
            if relay is not None:
                return await self._forward(session, person, relay, event.text)
        return None

    async def _safe_answer(self, session: AsyncSession, person: Person, data: str) -> list[Reply]:
        pressed = callback.parse(data)
        answer, alert_id = pressed.part(0), pressed.row_id(1)
        alert = await session.get(Alert, alert_id) if alert_id is not None else None
        if alert is None or alert.person_id != person.id or answer not in SAFE_ANSWERS:
            return [Reply(self.content.text("general.stale_button"))]
        label, thanks = SAFE_ANSWERS[answer]
        await self.escalation.record_safe_answer(session, alert, label, self.clock())
        return [Reply(self.content.text(thanks),
                      ((Button(self.content.text("buttons.back_to_where"), HELP_BACK),),))]

    async def _forward(self, session: AsyncSession, person: Person, relay: Relay,
                       text: str) -> list[Reply] | None:
        worker = await session.get(Person, relay.worker_id)
        if worker is None or not worker.active or worker.telegram_id is None:
            # nobody on the other end (switched off): the chat ends, and the message is handled
            # as if there had been no chat (scanned, answered by the flow)
            await finish_relay(session, relay, self.content, self.clock(), ended_by="switched off")
            alert = await session.get(Alert, relay.alert_id) if relay.alert_id else None
            if alert is not None and worker is not None:  # theirs: back to the duty list
                await self.escalation.hand_back(session, alert, worker, self.clock())
            return None
        await enqueue(session, chat_id=worker.telegram_id, now=self.clock(),
                      alert_id=relay.alert_id, text=f"💬 {person.pseudonym}: {text}",
                      buttons=((Button("End chat", f"rl:end:{relay.id}"),),))
        return [Reply(self.content.text("safety.relay_sent"))]

    async def _end_relay(self, session: AsyncSession, person: Person) -> list[Reply]:
        relay = await active_relay(session, young_person_id=person.id)
        if relay is None:
            return [Reply(self.content.text("safety.relay_ended"))]
        await finish_relay(session, relay, self.content, self.clock(), ended_by="young person")
        return [Reply(self.content.text("safety.relay_ended"),
                      ((Button(self.content.text("buttons.back_to_where"), HELP_BACK),),))]


async def finish_relay(session: AsyncSession, relay: Relay, content: Content, now: datetime, *,
                       ended_by: str) -> None:
    """End a relay and tell the other side."""
    from bot.db.models import AlertEvent

    relay.ended_at = now
    if relay.alert_id is not None:
        session.add(AlertEvent(alert_id=relay.alert_id, kind="relay_ended", at=now,
                               detail={"by": ended_by}))
    worker = await session.get(Person, relay.worker_id)
    young = await session.get(Person, relay.young_person_id)
    if ended_by == "young person" and worker is not None and worker.telegram_id is not None:
        await enqueue(session, chat_id=worker.telegram_id, now=now, alert_id=relay.alert_id,
                      text=f"The chat with {young.pseudonym if young else 'them'} has ended.")
    if ended_by == "worker" and young is not None and young.telegram_id is not None:
        await enqueue(session, chat_id=young.telegram_id, now=now, alert_id=relay.alert_id,
                      text=content.text("safety.relay_ended_by_worker"))


def _answers_and_relays(kit: Kit) -> Parts:
    assert kit.escalation is not None
    questions = KindQuestions(kit.escalation, kit.content, kit.now)
    return Parts(handler=YoungPersonSafety(kit.escalation, kit.content, kit.now, questions),
                 jobs=(questions.register,))


# "Are you somewhere safe?", the kind question after an unsure reading, and talking with a worker
FEATURE = Feature("safe answers and relays", SAFETY, needs=frozenset({"escalation"}),
                  parts=_answers_and_relays)
