"""A worker switched off hands over, at once, what they were handling.

Alerts they acknowledged are open again and paged to the duty list (their reminders stop); an
alert whose current page went to them moves on as if the page had failed; their chats with
young people (relays) end, and each young person is told kindly that a worker will be in touch;
anything still queued for them is not sent. Nothing more ever goes to an inactive worker: the
escalation and the relay check `active` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, Person, Relay
from bot.safety.escalation import Escalation
from bot.safety.young_person_side import finish_relay
from bot.time.outbox import enqueue
from content.loader import Content

SWITCHED_OFF = "switched off"  # why a relay ended, in the alert's events


@dataclass(frozen=True)
class HandOver:
    alerts: int = 0
    chats: int = 0

    def words(self, content: Content) -> str:
        """' Handed 1 alert and 1 chat to the duty list.', or '' when there was nothing."""
        parts = [content.text(f"staff.handover.{what}" if n == 1 else f"staff.handover.{what}s",
                              n=n)
                 for n, what in ((self.alerts, "alert"), (self.chats, "chat")) if n]
        joined = f" {content.text('staff.handover.and')} ".join(parts)
        return " " + content.text("staff.handover.handed", what=joined) if parts else ""


async def hand_over(session: AsyncSession, worker: Person, escalation: Escalation,
                    content: Content, now: datetime) -> HandOver:
    """Call once `worker` is switched off (`active` false), in the same transaction."""
    assert not worker.active
    if worker.telegram_id is not None:  # queued for them: never sent (an alert's page moves on)
        for row in await session.scalars(select(OutboxMessage).where(
                OutboxMessage.chat_id == worker.telegram_id,
                OutboxMessage.status.in_(("pending", "sending")))):
            row.status, row.last_error, row.claim_token = "failed", "switched off", None
            row.text, row.photo, row.drawing = "", None, None
    alerts = await escalation.worker_switched_off(session, worker, now)
    relays = (await session.scalars(select(Relay).where(
        Relay.worker_id == worker.id, Relay.ended_at.is_(None)).order_by(Relay.id))).all()
    for relay in relays:
        await finish_relay(session, relay, content, now, ended_by=SWITCHED_OFF)
        young = await session.get(Person, relay.young_person_id)
        if young is not None and young.telegram_id is not None:
            await enqueue(session, chat_id=young.telegram_id, now=now, alert_id=relay.alert_id,
                          text=content.text("safety.relay_handed_over"),
                          dedupe_key=f"relay:{relay.id}:handed_over")
    return HandOver(alerts=alerts, chats=len(relays))
