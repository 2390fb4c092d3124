"""Photos, voice notes and location pins reach a person: the bot cannot look at them, so it
passes them on.

- With an open alert, or a worker talking with them (a relay), what a young person sends goes
  straight to whoever handles it: the relay's worker, else whoever acknowledged the alert, else
  whoever its pages reached (else whoever is on duty, the duty list, the managers).
- Otherwise the bot says kindly that it cannot look at pictures or listen to voice notes, and
  offers to send it to their worker. The offer is a job (`media_offer`, open for two days); the
  button carries only the message id, the chat copied from is always their own, and a press
  that matches no open offer of theirs changes nothing. *Send it to my worker* opens a medium
  alert (source "media") and the copy goes where that alert went.

What is passed on is a copy Telegram makes (copyMessage, through the outbox): the bot never
downloads it, and nothing of it is stored or logged, only ids and what kind it was.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Alert, AlertEvent, Job, Person, Relay, Role
from bot.features.registry import SAFETY, Feature, Kit, Parts
from bot.records.conversation_record import ConversationRecord
from bot.safety.detector import Severity
from bot.safety.escalation import OPEN_STATUSES, WORKER_ROLES, alert_buttons
from bot.safety.service import SafetyService
from bot.safety.young_person_side import active_relay
from bot.time.clock import Clock, schedule
from bot.time.outbox import enqueue
from flows import callback
from flows.base import Button, Event, Keyboard, Reply
from flows.common import HELP_BACK

log = logging.getLogger(__name__)

PREFIX = "md:"
OFFER = "media_offer"
OFFER_LASTS = timedelta(days=2)
CATEGORY = "shared_media"
# how a worker is told what came (the kinds bot.tg.events names)
# what a young person may send besides text (their words for workers: staff.media.what.<kind>)
WORDS = frozenset({"photo", "voice", "location", "video_note", "video", "document", "animation",
                   "audio", "contact", "sticker"})
# offered to their worker when no alert is open; a sticker on its own is chat, not a message
OFFERED = frozenset(WORDS) - {"sticker"}


class MediaPassOn(SafetyService):
    """A young person's hook (before their flow): media in, and the offer's two buttons."""

    def register(self, clock: Clock) -> None:
        clock.register(OFFER, self._on_offer_over)

    async def handle(self, session: AsyncSession, person: Person, convo: ConversationRecord | None,
                     event: Event) -> list[Reply] | None:
        if event.kind == "media":
            return await self._received(session, person, event)
        if event.kind == "button" and event.data.startswith(PREFIX):
            return await self._answer(session, person, event.data)
        return None

    # --- something arrives ----------------------------------------------------------------------

    async def _received(self, session: AsyncSession, person: Person,
                        event: Event) -> list[Reply] | None:
        if event.media not in WORDS or event.message_id <= 0 or person.telegram_id is None:
            return None  # the router's plain answer
        relay = await active_relay(session, young_person_id=person.id)
        alert = await _open_alert(session, person, relay)
        if relay is not None or alert is not None:
            reached = await self._pass_on(session, person, event.media, event.message_id,
                                          alert, relay)
            return [Reply(self.content.text("media.passed_on" if reached else "media.nobody"))]
        if event.media not in OFFERED:
            return None
        await schedule(session, OFFER, self.clock() + OFFER_LASTS, person_id=person.id,
                       payload={"message_id": event.message_id, "media": event.media},
                       dedupe_key=_offer_key(person, event.message_id))
        return [self._offer(person, event.message_id)]

    def _offer(self, person: Person, message_id: int) -> Reply:
        text = self.content.text
        own = person.worker_id is not None
        return Reply(text("media.offer" if own else "media.offer_team"),
                     ((Button(text("media.send_button" if own else "media.send_button_team"),
                              f"{PREFIX}send:{message_id}"),
                       Button(text("media.no_button"), f"{PREFIX}no:{message_id}")),))

    # --- the offer answered ---------------------------------------------------------------------

    async def _answer(self, session: AsyncSession, person: Person,
                      data: str) -> list[Reply] | None:
        """``md:send:<message id>`` or ``md:no:<message id>``, matched against their own open
        offer; anything else is left to the router, which calls the button stale."""
        pressed = callback.parse(data)
        choice, message_id = pressed.part(0), pressed.number(1)
        if choice not in ("send", "no") or message_id is None:
            return None
        offer = await session.scalar(select(Job).where(
            Job.dedupe_key == _offer_key(person, message_id), Job.kind == OFFER,
            Job.person_id == person.id, Job.status == "pending"))
        if offer is None or person.telegram_id is None:
            return None
        now = self.clock()
        offer.status, offer.finished_at = ("done" if choice == "send" else "cancelled"), now
        text = self.content.text
        back: Keyboard = ((Button(text("buttons.back_to_where"), HELP_BACK),),)
        if choice == "no":
            return [Reply(text("media.not_sent"), back)]
        media = str(offer.payload.get("media") or "")
        alert = await self.escalation.raise_alert(session, person, severity=Severity.MEDIUM,
                                                  categories=[CATEGORY], source="media", now=now)
        relay = await active_relay(session, young_person_id=person.id)
        if not await self._pass_on(session, person, media, message_id, alert, relay):
            return [Reply(text("media.nobody"))]
        own = person.worker_id is not None
        return [Reply(text("media.sent" if own else "media.sent_team"), back)]

    async def _on_offer_over(self, session: AsyncSession, job: Job, now: datetime) -> None:
        """Two days without an answer: the offer ends (the clock marks the job done)."""

    # --- passing it on --------------------------------------------------------------------------

    async def _pass_on(self, session: AsyncSession, person: Person, media: str, message_id: int,
                       alert: Alert | None, relay: Relay | None) -> bool:
        """The copy, after a line saying who sent what, to whoever handles it now; False when
        nobody could be reached."""
        assert person.telegram_id is not None
        now = self.clock()
        alert_id = alert.id if alert is not None else relay.alert_id if relay else None
        workers = await _handlers(session, alert, relay)
        what = self.content.text(f"staff.media.what.{media if media in WORDS else 'other'}")
        line = self.content.text("staff.media.sent_on_alert" if alert_id else "staff.media.sent",
                                 id=alert_id, pseudonym=person.pseudonym, what=what)
        buttons: Keyboard = ()
        if relay is not None:
            buttons = ((Button("End chat", f"rl:end:{relay.id}"),),)
        elif alert is not None and alert.status in ("open", "notified"):
            buttons = alert_buttons(self.content, alert)
        key = f"media:{person.id}:{message_id}"
        for worker in workers:
            await enqueue(session, chat_id=worker.telegram_id, text=line, now=now,
                          alert_id=alert_id, buttons=buttons,
                          dedupe_key=f"{key}:{worker.id}:line")
            await enqueue(session, chat_id=worker.telegram_id, text="", now=now,
                          alert_id=alert_id, copy_of=(person.telegram_id, message_id),
                          dedupe_key=f"{key}:{worker.id}")
        if alert_id is not None:
            session.add(AlertEvent(alert_id=alert_id, kind="media_forwarded" if workers
                                   else "media_not_forwarded", at=now,
                                   detail={"media": media, "to": [w.id for w in workers]}))
        log.info("media passed on", extra={"media": media, "alert_id": alert_id,
                                           "recipients": len(workers)})
        return bool(workers)


def _offer_key(person: Person, message_id: int) -> str:
    return f"{OFFER}:{person.id}:{message_id}"


async def _open_alert(session: AsyncSession, person: Person, relay: Relay | None) -> Alert | None:
    """The alert a relay is about, else the person's newest open one."""
    if relay is not None and relay.alert_id is not None:
        alert = await session.get(Alert, relay.alert_id)
        if alert is not None:
            return alert
    return await session.scalar(
        select(Alert).where(Alert.person_id == person.id, Alert.status.in_(OPEN_STATUSES))
        .order_by(Alert.id.desc()).limit(1))


def _reachable(worker: Person | None) -> bool:
    return (worker is not None and worker.active and worker.telegram_id is not None
            and worker.role in WORKER_ROLES)


async def _handlers(session: AsyncSession, alert: Alert | None,
                    relay: Relay | None) -> list[Person]:
    """Who handles it now: the relay's worker, whoever acknowledged, whoever was paged; when
    none of them can be reached, whoever is on duty, else the duty list, else the managers."""
    if relay is not None:
        worker = await session.get(Person, relay.worker_id)
        if _reachable(worker):
            return [worker]
    if alert is not None and alert.acknowledged_by_id is not None:
        worker = await session.get(Person, alert.acknowledged_by_id)
        if _reachable(worker):
            return [worker]
    if alert is not None:
        paged: set[int] = set()
        for detail in await session.scalars(select(AlertEvent.detail).where(
                AlertEvent.alert_id == alert.id, AlertEvent.kind.in_(("notified", "escalated")))):
            paged.update(i for i in (detail or {}).get("to", []) if isinstance(i, int))
        if paged:
            workers = [w for w in await session.scalars(
                select(Person).where(Person.id.in_(paged)).order_by(Person.id)) if _reachable(w)]
            if workers:
                return workers
    active = select(Person).where(Person.active, Person.role.in_(WORKER_ROLES),
                                  Person.telegram_id.is_not(None)).order_by(Person.id)
    for who in (Person.on_duty,
                or_(Person.on_duty_list, Person.role == Role.DUTY_WORKER),
                Person.role == Role.MANAGER):
        workers = list(await session.scalars(active.where(who)))
        if workers:
            return workers
    return []


def _pass_on(kit: Kit) -> Parts:
    assert kit.escalation is not None
    media = MediaPassOn(kit.escalation, kit.content, kit.now)
    return Parts(handler=media, jobs=(media.register,))


FEATURE = Feature("media", SAFETY, needs=frozenset({"escalation"}), parts=_pass_on)
