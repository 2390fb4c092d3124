"""Reaching a worker without the right words: *Tell my worker* and *I need a worker now*.

A typed message the flow did not expect, that the detector did not rate, is never shrugged off:
the bot says it is a bot and may not understand, and offers *Tell my worker* beside Help. The
message waits, encrypted, in a job row (`OFFER`) for `KEEP_FOR`; the button carries only that
row's id. Pressing it raises a medium alert (source "asked") quoting the message, which goes to
their worker (or the duty list if they have none); when the time is up the row is emptied.

*I need a worker now* (in Help and the menu) raises a high alert (source "button") that pages
the duty worker. A second press attaches to the alert already open instead of opening another.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.crypto import KeyMissing, decrypt, encrypt
from bot.db.models import Alert, AlertEvent, Job, Person
from bot.features.registry import SAFETY, Feature, Kit, Parts
from bot.records.conversation_record import ConversationRecord
from bot.safety.detecting_gate import safe_question
from bot.safety.detector import Severity
from bot.safety.escalation import OPEN_STATUSES
from bot.safety.service import SafetyService
from bot.time.clock import Clock, schedule
from bot.time.outbox import enqueue
from content.loader import Content
from flows import callback
from flows.base import Button, Event, Reply
from flows.common import HELP_BACK, WORKER_NOW, help_button

OFFER = "told_worker_offer"  # a job whose payload holds the message, encrypted, until due
TELL = "tw:"  # "tw:<job id>"
KEEP_FOR = timedelta(hours=1)
MOST_KEPT = 5  # offers kept per person; older ones are forgotten
TOLD = "message_for_worker"  # the alert's category for Tell my worker
WORKER_NOW_CATEGORY = "asked_for_worker_now"
NOTE_CHARS = 1000  # of the message, in the note to a worker already handling an open alert


async def offer_to_tell(session: AsyncSession, content: Content, person: Person, text: str,
                        now: datetime) -> Reply:
    """Keep the message (encrypted, for a while) and offer to send it to their worker."""
    job = await schedule(session, OFFER, now + KEEP_FOR, person_id=person.id,
                         payload={"text": encrypt(text)})
    assert job is not None
    older = await session.scalars(
        select(Job).where(Job.kind == OFFER, Job.person_id == person.id,
                          Job.status == "pending")
        .order_by(Job.id.desc()).offset(MOST_KEPT))
    for stale in older:
        _forget(stale, now)
    return Reply(content.text("general.not_understood"), ((
        Button(content.text("buttons.tell_worker"), f"{TELL}{job.id}"), help_button(content)),))


class ReachWorker(SafetyService):
    """The young person's side of both buttons (a YoungPersonHook); None: not one of ours."""

    def register(self, clock: Clock) -> None:
        clock.register(OFFER, self._on_offer_over)

    async def handle(self, session: AsyncSession, person: Person, convo: ConversationRecord | None,
                     event: Event) -> list[Reply] | None:
        if event.kind != "button":
            return None
        if event.data == WORKER_NOW:
            return await self._worker_now(session, person)
        if event.data.startswith(TELL):
            return await self._tell(session, person, event.data.removeprefix(TELL))
        return None

    async def _worker_now(self, session: AsyncSession, person: Person) -> list[Reply]:
        """Page the duty worker (high); the young person is told, and asked if they are safe."""
        now = self.clock()
        already = await _open_alert(session, person)
        alert = await self.escalation.raise_alert(
            session, person, severity=Severity.HIGH, categories=[WORKER_NOW_CATEGORY],
            source="button", now=now)
        assert alert is not None
        if already is not None and alert.acknowledged_by_id is not None:
            # someone is already handling it: make sure they know, at most once a minute
            await _note(session, alert.acknowledged_by_id, alert, now,
                        self.content.text("staff.reach.worker_now_pressed",
                                          pseudonym=person.pseudonym, id=alert.id),
                        dedupe_key=f"alert:{alert.id}:worker_now:{now:%Y%m%d%H%M}")
        return [Reply(self.content.text("help.worker_now_sent")),
                safe_question(self.content, alert.id)]

    async def _tell(self, session: AsyncSession, person: Person, raw_id: str) -> list[Reply]:
        """Send the kept message to their worker as a flag; a stale or forged id sends nothing."""
        text = self.content.text
        back = ((Button(text("buttons.back_to_where"), HELP_BACK),),)
        job_id = callback.parse_number(raw_id, callback.MAX_ROW_ID)
        job = await session.get(Job, job_id) if job_id is not None else None
        if job is None or job.kind != OFFER or job.person_id != person.id:
            return [Reply(text("told_worker.gone"), back)]
        if job.payload.get("sent"):
            return [Reply(text("told_worker.already"), back)]
        now = self.clock()
        said = _kept_text(job, now)
        if said is None:
            return [Reply(text("told_worker.gone"), back)]
        already = await _open_alert(session, person)
        alert = await self.escalation.raise_alert(
            session, person, severity=Severity.MEDIUM, categories=[TOLD], source="asked",
            now=now, excerpt=[said])
        assert alert is not None
        if already is not None:
            # attached to an alert that is already open: nobody is paged for that, so the people
            # handling it are told directly
            await self._tell_those_handling(session, alert, person, said, job.id, now)
        job.payload = {"sent": True}
        job.status, job.finished_at = "done", now
        key = "told_worker.sent" if person.worker_id is not None else "told_worker.sent_team"
        return [Reply(text(key), back)]

    async def _tell_those_handling(self, session: AsyncSession, alert: Alert, person: Person,
                                   said: str, job_id: int, now: datetime) -> None:
        ids = [i for i in (alert.acknowledged_by_id, person.worker_id) if i is not None]
        if not ids:  # nobody has it yet: whoever it was last sent to
            event = await session.scalar(
                select(AlertEvent).where(AlertEvent.alert_id == alert.id,
                                         AlertEvent.kind.in_(("notified", "escalated")))
                .order_by(AlertEvent.id.desc()).limit(1))
            ids = list(event.detail.get("to", [])) if event is not None else []
        quoted = " ".join(said.split())[:NOTE_CHARS]
        for worker_id in dict.fromkeys(ids):
            await _note(session, worker_id, alert, now,
                        self.content.text("staff.reach.asked_to_send", pseudonym=person.pseudonym,
                                          id=alert.id, quoted=quoted),
                        dedupe_key=f"told:{job_id}:{worker_id}")

    async def _on_offer_over(self, session: AsyncSession, job: Job, now: datetime) -> None:
        """Nobody asked for it to be sent in time: forget the message."""
        if "text" in job.payload:
            _forget(job, now)


async def _open_alert(session: AsyncSession, person: Person) -> Alert | None:
    return await session.scalar(
        select(Alert).where(Alert.person_id == person.id, Alert.status.in_(OPEN_STATUSES))
        .order_by(Alert.id.desc()).limit(1))


def _kept_text(job: Job, now: datetime) -> str | None:
    stored = job.payload.get("text")
    if not isinstance(stored, str) or job.status not in ("pending", "claimed"):
        return None
    if job.due_at <= now:  # kept for as long as we say, and no longer
        _forget(job, now)
        return None
    try:
        return decrypt(stored)
    except KeyMissing:  # kept under a key that has since been dropped
        return None


def _forget(job: Job, now: datetime) -> None:
    job.payload = {}
    job.status, job.finished_at = "done", now


async def _note(session: AsyncSession, worker_id: int, alert: Alert, now: datetime, text: str,
                *, dedupe_key: str) -> None:
    worker = await session.get(Person, worker_id)
    if worker is not None and worker.active and worker.telegram_id is not None:
        await enqueue(session, chat_id=worker.telegram_id, now=now, alert_id=alert.id, text=text,
                      dedupe_key=dedupe_key)


def _reach(kit: Kit) -> Parts:
    assert kit.escalation is not None
    reach = ReachWorker(kit.escalation, kit.content, kit.now)
    return Parts(handler=reach, jobs=(reach.register,))


FEATURE = Feature("reach a worker", SAFETY, needs=frozenset({"escalation"}), parts=_reach)
