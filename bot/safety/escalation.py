"""Alerts: opened in the same transaction as the detection, paged through the outbox, escalated
by the clock until someone acknowledges, and recorded step by step.

Nobody on duty is a case the policy handles (coverage gap to managers, the young person told to
call 999 or Childline, retries continue), never a dropped alert.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Alert, AlertEvent, Job, OutboxMessage, Person, Role
from bot.safety.detector import Severity
from bot.safety.pages import PageWriter, alert_buttons, category_words
from bot.safety.policy import EscalationPolicy, SeverityPolicy
from bot.time.clock import Clock, schedule
from bot.time.outbox import enqueue
from content.loader import Content

log = logging.getLogger(__name__)

OPEN_STATUSES = ("open", "notified", "acknowledged")
ESCALATE = "alert_escalate"
EMAIL = "alert_email"
ACK_REMINDER = "alert_ack_reminder"
WORKER_ROLES = (Role.SUPPORT_WORKER, Role.DUTY_WORKER, Role.MANAGER)
EXCERPT_LIMIT = 6
NOBODY_RETRY = timedelta(minutes=1)  # messages kept on an alert: the trigger and the few before it
# What the worker who resolved an alert says it was, looking back (alerts.concern; the report)
CONCERNS = {"real_concern": "real concern", "not_concern": "not a concern", "unsure": "unsure"}


__all__ = ["CONCERNS", "Escalation", "alert_buttons", "category_words", "next_escalation"]


def next_escalation(policy: SeverityPolicy, level: int) -> tuple[float, int] | None:
    """(minutes from now, level) of the next page if nobody acknowledges; None for a flag
    (``page: false``) at its last level, which is sent once."""
    if level + 1 < len(policy.levels):
        return policy.levels[level + 1].after_minutes, level + 1
    if not policy.page:
        return None
    return policy.repeat_minutes or policy.levels[-1].after_minutes or 15, level


class Escalation:
    """Opens, pages, escalates, acknowledges and resolves alerts."""

    def __init__(self, policy: EscalationPolicy, content: Content, zone: Any = None):
        self.policy = policy
        self.content = content
        self.zone = zone
        self.pages = PageWriter(content, zone)

    def register(self, clock: Clock) -> None:
        clock.register(ESCALATE, self._on_escalate)
        clock.register(EMAIL, self._on_email)
        clock.register(ACK_REMINDER, self._on_ack_reminder)

    # --- opening -----------------------------------------------------------------------------

    async def raise_alert(self, session: AsyncSession, person: Person, *, severity: Severity,
                          categories: Sequence[str], source: str, now: datetime,
                          excerpt: Sequence[str] = (), channels: Sequence[str] = ()
                          ) -> Alert | None:
        """Open an alert, or attach to the person's open one (re-paging only if severity rises).

        `channels` are the detector channels that raised it ("lexicon", "model"): kept in
        ``categories["channels"]`` for the report of outcomes (`rise-bot safety report`).
        """
        if severity < Severity.MEDIUM:
            return None
        alert = await session.scalar(
            select(Alert).where(Alert.person_id == person.id, Alert.status.in_(OPEN_STATUSES))
            .order_by(Alert.id.desc()).limit(1))
        if alert is not None:
            return await self._attach(session, alert, severity, categories, excerpt[-1:], now,
                                      channels)
        policy = self.policy.for_label(severity.label)
        recorded: dict[str, Any] = {"names": sorted(set(categories))}
        if channels:
            recorded["channels"] = sorted(set(channels))
        alert = Alert(person_id=person.id, severity=int(severity), source=source,
                      categories=recorded, status="open",
                      policy=policy.model_dump(), excerpt=_excerpt(None, excerpt), opened_at=now,
                      updated_at=now)
        session.add(alert)
        await session.flush()
        self._event(session, alert, "opened", now, severity=severity.label, source=source,
                    categories=list(alert.categories["names"]))
        await self._page_level(session, alert, person, 0, now)
        if policy.email_after_minutes is not None:
            await schedule(session, EMAIL, now + timedelta(minutes=policy.email_after_minutes),
                           payload={"alert_id": alert.id}, dedupe_key=f"alert:{alert.id}:email")
        return alert

    async def _attach(self, session: AsyncSession, alert: Alert, severity: Severity,
                      categories: Sequence[str], excerpt: Sequence[str], now: datetime,
                      channels: Sequence[str] = ()) -> Alert:
        alert.excerpt = _excerpt(alert.excerpt, excerpt)
        recorded = dict(alert.categories)  # a new dict: the JSON column sees the change
        recorded["names"] = sorted(set(recorded.get("names", [])) | set(categories))
        if channels:
            recorded["channels"] = sorted(set(recorded.get("channels", [])) | set(channels))
        alert.categories = recorded
        alert.updated_at = now
        if severity <= alert.severity:
            self._event(session, alert, "repeated", now, severity=severity.label)
            return alert
        self._event(session, alert, "severity_raised", now, old=Severity(alert.severity).label,
                    new=severity.label)
        alert.severity = int(severity)
        policy = self.policy.for_label(severity.label)
        alert.policy = policy.model_dump()
        await _cancel_jobs(session, alert.id, ESCALATE)
        if alert.status != "acknowledged":
            alert.status = "open"
        person = await session.get(Person, alert.person_id)
        assert person is not None
        await self._page_level(session, alert, person, 0, now)
        if policy.email_after_minutes is not None and alert.status != "acknowledged":
            await schedule(session, EMAIL, now + timedelta(minutes=policy.email_after_minutes),
                           payload={"alert_id": alert.id},
                           dedupe_key=f"alert:{alert.id}:email:{alert.severity}")
        return alert

    # --- paging ------------------------------------------------------------------------------

    async def _page_level(self, session: AsyncSession, alert: Alert, person: Person,
                          level: int, now: datetime, *, skip: frozenset[int] = frozenset()
                          ) -> None:
        """Page one level; an empty level is skipped (coverage gap) and the next one paged.

        With nobody at any level, the young person's own active worker is the last resort (and
        the young person is still told to call if in danger). `skip`: chat ids a page of this
        alert could not reach just now (blocked the bot, no such chat), not paged again here.
        The alert counts as notified only once Telegram has taken a page (`delivery_settled`).
        """
        policy = SeverityPolicy.model_validate(alert.policy)
        levels = policy.levels
        level = min(level, len(levels) - 1)
        recipients = await self._audience(session, levels[level].notify, person, skip)
        while not recipients and level < len(levels) - 1:
            await self._coverage_gap(session, alert, person, levels[level].notify, now)
            level += 1
            recipients = await self._audience(session, levels[level].notify, person, skip)
        alert.level = level
        audience: str = levels[level].notify
        if not recipients:
            await self._coverage_gap(session, alert, person, audience, now)
            await self._tell_young_person_to_call(session, alert, person, now)
            recipients = await self._own_worker(session, person, skip)  # the last resort
            audience = "own_worker"
        following = next_escalation(policy, level)
        if recipients:
            alert.pages += 1
            texts = await self.pages.pages(
                session, alert, person, recipients, now,
                next_step=self.pages.next_step(policy, level, now, following),
                flag_overdue=self._flag_overdue(alert, policy))
            for worker in recipients:
                await enqueue(session, chat_id=worker.telegram_id, text=texts[worker.id],
                              now=now, buttons=alert_buttons(self.content, alert),
                              alert_id=alert.id,
                              dedupe_key=f"{_page_prefix(alert.id, alert.pages)}{worker.id}")
            kind = "notified" if alert.pages == 1 else "escalated"
            self._event(session, alert, kind, now, level=level,
                        to=[w.id for w in recipients], audience=audience)
        if not recipients:  # keep trying, often, until someone can be reached
            await schedule(session, ESCALATE, now + NOBODY_RETRY,
                           payload={"alert_id": alert.id, "level": 0})
        elif following is not None:  # a flag (page: false) goes up, once
            minutes, next_level = following
            await schedule(session, ESCALATE, now + timedelta(minutes=minutes),
                           payload={"alert_id": alert.id, "level": next_level})

    async def delivery_settled(self, session: AsyncSession, message: OutboxMessage,
                               now: datetime) -> None:
        """The outbox's last word on a message about an alert (an OutboxSender hook, in the
        transaction that records it): a page counts as delivered only when Telegram took it,
        and a recipient who can never get it moves the alert on at once."""
        round_ = _page_round(message)
        if round_ is None or message.status not in ("sent", "failed"):
            return
        alert = await session.get(Alert, message.alert_id)
        if alert is None:
            return
        if message.status == "sent":
            if alert.status == "open":
                alert.status = "notified"
            return
        worker = await session.scalar(select(Person).where(
            Person.telegram_id == message.chat_id, Person.role.in_(WORKER_ROLES)))
        self._event(session, alert, "page_failed", now, level=alert.level,
                    to=worker.id if worker else None, error=message.last_error)
        if round_ == alert.pages:  # an older round's failure: the newer round decides
            await self.recipient_lost(session, alert, now)

    async def recipient_lost(self, session: AsyncSession, alert: Alert, now: datetime) -> None:
        """Someone paged in the current round cannot get it (blocked the bot, switched off):
        page the next level now; at the last level, page again once nobody paged can answer,
        which with nobody left is the nobody-reachable path."""
        if alert.status not in ("open", "notified"):
            return
        policy = SeverityPolicy.model_validate(alert.policy)
        if alert.level + 1 >= len(policy.levels) and await self._may_still_answer(session, alert):
            return
        person = await session.get(Person, alert.person_id)
        assert person is not None
        await _cancel_jobs(session, alert.id, ESCALATE)
        await self._page_level(session, alert, person, alert.level + 1, now,
                               skip=await self._unreachable(session, alert))

    async def _unreachable(self, session: AsyncSession, alert: Alert) -> frozenset[int]:
        """Chat ids that a page of this alert could not reach."""
        return frozenset(await session.scalars(select(OutboxMessage.chat_id).where(
            OutboxMessage.alert_id == alert.id, OutboxMessage.status == "failed",
            OutboxMessage.chat_id.is_not(None),
            OutboxMessage.dedupe_key.like(f"{_page_prefix(alert.id)}%"))))

    async def _may_still_answer(self, session: AsyncSession, alert: Alert) -> bool:
        """A page of the current round is on its way to, or reached, an active worker."""
        found = await session.scalar(
            select(OutboxMessage.id).join(Person, Person.telegram_id == OutboxMessage.chat_id)
            .where(OutboxMessage.alert_id == alert.id,
                   OutboxMessage.dedupe_key.like(f"{_page_prefix(alert.id, alert.pages)}%"),
                   OutboxMessage.status.in_(("pending", "sending", "sent")), Person.active)
            .limit(1))
        return found is not None

    async def _audience(self, session: AsyncSession, audience: str, person: Person,
                        skip: frozenset[int] = frozenset()) -> list[Person]:
        active_workers = select(Person).where(Person.active, Person.role.in_(WORKER_ROLES),
                                              Person.telegram_id.is_not(None))
        if skip:
            active_workers = active_workers.where(Person.telegram_id.not_in(skip))
        if audience == "on_duty":
            query = active_workers.where(Person.on_duty)
        elif audience == "duty_list_and_managers":
            query = active_workers.where(or_(Person.on_duty_list, Person.on_duty,
                                             Person.role == Role.DUTY_WORKER,
                                             Person.role == Role.MANAGER))
        else:  # assigned_worker_or_duty_list
            own = await self._own_worker(session, person, skip)
            if own:
                return own
            query = active_workers.where(or_(Person.on_duty_list, Person.on_duty,
                                             Person.role == Role.DUTY_WORKER))
        return list(await session.scalars(query.order_by(Person.id)))

    async def _own_worker(self, session: AsyncSession, person: Person,
                          skip: frozenset[int] = frozenset()) -> list[Person]:
        """The young person's own worker, if they are active and can be paged."""
        if person.worker_id is None:
            return []
        worker = await session.get(Person, person.worker_id)
        if (worker is None or not worker.active or worker.role not in WORKER_ROLES
                or worker.telegram_id is None or worker.telegram_id in skip):
            return []
        return [worker]

    async def _coverage_gap(self, session: AsyncSession, alert: Alert, person: Person,
                            audience: str, now: datetime) -> None:
        self._event(session, alert, "coverage_gap", now, audience=audience)
        managers = await session.scalars(select(Person).where(
            Person.active, Person.role == Role.MANAGER, Person.telegram_id.is_not(None)))
        for manager in managers:
            await enqueue(session, chat_id=manager.telegram_id, now=now, alert_id=alert.id,
                          text=self.content.text(
                              "staff.page.coverage_gap", label=Severity(alert.severity).label,
                              audience=self.content.text(f"staff.page.audience.{audience}"),
                              pseudonym=person.pseudonym),
                          dedupe_key=f"alert:{alert.id}:gap:{alert.pages}:{audience}:{manager.id}")

    async def _tell_young_person_to_call(self, session: AsyncSession, alert: Alert,
                                         person: Person, now: datetime) -> None:
        if person.telegram_id is None:
            return
        await enqueue(session, chat_id=person.telegram_id, now=now, alert_id=alert.id,
                      text=self.content.text("safety.nobody_reachable"),
                      dedupe_key=f"alert:{alert.id}:nobody")
        self._event(session, alert, "young_person_told_to_call", now)

    @staticmethod
    def _flag_overdue(alert: Alert, policy: SeverityPolicy) -> bool:
        """A flag (``page: false``) nobody acknowledged, now going up to the next level."""
        return alert.pages > 1 and alert.level > 0 and not policy.page

    # --- the clock -----------------------------------------------------------------------------

    async def _on_escalate(self, session: AsyncSession, job: Job, now: datetime) -> None:
        alert = await session.get(Alert, job.payload["alert_id"])
        if alert is None or alert.status not in ("open", "notified"):
            return
        person = await session.get(Person, alert.person_id)
        assert person is not None
        await self._page_level(session, alert, person, int(job.payload.get("level", 0)), now)

    async def _on_email(self, session: AsyncSession, job: Job, now: datetime) -> None:
        alert = await session.get(Alert, job.payload["alert_id"])
        if alert is None or alert.status not in ("open", "notified"):
            return
        person = await session.get(Person, alert.person_id)
        assert person is not None
        recipients = await session.scalars(select(Person).where(
            Person.active, Person.email.is_not(None),
            or_(Person.on_duty_list, Person.on_duty, Person.role.in_((Role.DUTY_WORKER,
                                                                      Role.MANAGER)))))
        recipients = list(recipients)
        texts = await self.pages.pages(session, alert, person, recipients, now, whole=True)
        sent = []
        for worker in recipients:
            await enqueue(session, address=worker.email, now=now, alert_id=alert.id,
                          text=self.content.text("staff.page.email", page=texts[worker.id]),
                          dedupe_key=f"alert:{alert.id}:email:{job.id}:{worker.id}")
            sent.append(worker.id)
        self._event(session, alert, "emailed", now, to=sent)

    async def _on_ack_reminder(self, session: AsyncSession, job: Job, now: datetime) -> None:
        alert = await session.get(Alert, job.payload["alert_id"])
        if alert is None or alert.status != "acknowledged" or alert.acknowledged_by_id is None:
            return
        worker = await session.get(Person, alert.acknowledged_by_id)
        person = await session.get(Person, alert.person_id)
        if worker is None or worker.telegram_id is None or person is None:
            return
        if not worker.active:  # switched off since: the alert goes back to the duty list
            await self.hand_back(session, alert, worker, now)
            return
        await enqueue(session, chat_id=worker.telegram_id, now=now, alert_id=alert.id,
                      text=self.content.text("staff.page.reminder", id=alert.id,
                                             pseudonym=person.pseudonym),
                      buttons=alert_buttons(self.content, alert),
                      dedupe_key=f"alert:{alert.id}:remind:{job.id}")
        self._event(session, alert, "reminded", now, to=worker.id)
        minutes = self.policy.ack_reminder_minutes
        await schedule(session, ACK_REMINDER, now + timedelta(minutes=minutes),
                       payload={"alert_id": alert.id})

    # --- workers' actions ------------------------------------------------------------------------

    async def acknowledge(self, session: AsyncSession, alert: Alert, worker: Person,
                          now: datetime) -> bool:
        """The first acknowledgement stops the paging; returns False if it was already done."""
        if alert.status not in ("open", "notified"):
            return False
        alert.status = "acknowledged"
        alert.acknowledged_at, alert.acknowledged_by_id = now, worker.id
        await _cancel_jobs(session, alert.id, ESCALATE)
        await _cancel_jobs(session, alert.id, EMAIL)
        self._event(session, alert, "acknowledged", now, actor=worker)
        await schedule(session, ACK_REMINDER,
                       now + timedelta(minutes=self.policy.ack_reminder_minutes),
                       payload={"alert_id": alert.id})
        await self._tell_others(session, alert, worker, now, "staff.page.acknowledged_by")
        return True

    async def hand_back(self, session: AsyncSession, alert: Alert, worker: Person,
                        now: datetime) -> bool:
        """The worker who acknowledged the alert can no longer handle it (switched off): it is
        open again and paged to the duty list now. False if it was not theirs to hand back."""
        if alert.status != "acknowledged" or alert.acknowledged_by_id != worker.id:
            return False
        alert.status = "open"
        alert.acknowledged_at, alert.acknowledged_by_id = None, None
        alert.updated_at = now
        await _cancel_jobs(session, alert.id, ACK_REMINDER)
        await _cancel_jobs(session, alert.id, ESCALATE)
        self._event(session, alert, "handed_back", now, actor=worker)
        policy = SeverityPolicy.model_validate(alert.policy)
        duty_list = next((i for i, level in enumerate(policy.levels)
                          if level.notify == "duty_list_and_managers"), len(policy.levels) - 1)
        person = await session.get(Person, alert.person_id)
        assert person is not None
        await self._page_level(session, alert, person, duty_list, now)
        if policy.email_after_minutes is not None:
            await schedule(session, EMAIL, now + timedelta(minutes=policy.email_after_minutes),
                           payload={"alert_id": alert.id},
                           dedupe_key=f"alert:{alert.id}:email:handed_back:{alert.pages}")
        return True

    async def worker_switched_off(self, session: AsyncSession, worker: Person,
                                  now: datetime) -> int:
        """Alerts they acknowledged go back to the duty list; an alert whose current page went
        to them moves on now. Returns how many alerts they had acknowledged."""
        handed = 0
        for alert in (await session.scalars(select(Alert).where(
                Alert.acknowledged_by_id == worker.id, Alert.status == "acknowledged")
                .order_by(Alert.id))).all():
            handed += await self.hand_back(session, alert, worker, now)
        if worker.telegram_id is None:
            return handed
        paged = set(await session.scalars(select(OutboxMessage.alert_id).where(
            OutboxMessage.chat_id == worker.telegram_id, OutboxMessage.alert_id.is_not(None),
            OutboxMessage.dedupe_key.like("alert:%:page:%"))))
        for alert in (await session.scalars(select(Alert).where(
                Alert.id.in_(paged), Alert.status.in_(("open", "notified")))
                .order_by(Alert.id))).all():
            key = f"{_page_prefix(alert.id, alert.pages)}{worker.id}"
            if await session.scalar(select(OutboxMessage.id).where(
                    OutboxMessage.dedupe_key == key)) is not None:
                self._event(session, alert, "page_lost", now, to=worker.id)
                await self.recipient_lost(session, alert, now)
        return handed

    async def resolve(self, session: AsyncSession, alert: Alert, worker: Person, note: str,
                      now: datetime) -> bool:
        if alert.status == "resolved":
            return False
        if alert.status in ("open", "notified"):
            await self.acknowledge(session, alert, worker, now)
        alert.status = "resolved"
        alert.resolved_at, alert.resolved_by_id, alert.outcome = now, worker.id, note
        await _cancel_jobs(session, alert.id, ACK_REMINDER)
        self._event(session, alert, "resolved", now, actor=worker)
        await self._tell_others(session, alert, worker, now, "staff.page.resolved_by")
        return True

    async def record_concern(self, session: AsyncSession, alert: Alert, worker: Person,
                             concern: str, now: datetime) -> None:
        """Looking back, was it a real concern? Counted by `rise-bot safety report`; nothing is
        retrained from it automatically. A later answer replaces an earlier one (both kept in
        the alert's events)."""
        if concern not in CONCERNS:
            raise ValueError(f"unknown concern {concern!r}")
        alert.concern = concern
        self._event(session, alert, "concern_recorded", now, actor=worker, concern=concern)

    async def record_safe_answer(self, session: AsyncSession, alert: Alert, answer: str,
                                 now: datetime) -> None:
        """The young person's answer to "Are you somewhere safe?" goes straight to the workers."""
        alert.safe_answer = answer
        self._event(session, alert, "safe_answer", now, answer=answer)
        person = await session.get(Person, alert.person_id)
        assert person is not None
        paged = await self._paged_workers(session, alert)
        for worker in paged:
            await enqueue(session, chat_id=worker.telegram_id, now=now, alert_id=alert.id,
                          text=self.content.text("staff.page.safe_answer_update", id=alert.id,
                                                 pseudonym=person.pseudonym, answer=answer),
                          buttons=alert_buttons(self.content, alert),
                          dedupe_key=f"alert:{alert.id}:safe:{answer}:{worker.id}")
        if answer == "No" and alert.status in ("open", "notified"):
            await self._page_level(session, alert, person, alert.level + 1, now)

    async def _paged_workers(self, session: AsyncSession, alert: Alert) -> list[Person]:
        chat_ids = set(await session.scalars(select(OutboxMessage.chat_id).where(
            OutboxMessage.alert_id == alert.id, OutboxMessage.chat_id.is_not(None))))
        if not chat_ids:
            return []
        return list(await session.scalars(select(Person).where(
            Person.telegram_id.in_(chat_ids), Person.role.in_(WORKER_ROLES), Person.active)))

    async def others_paged(self, session: AsyncSession, alert: Alert, worker: Person
                           ) -> list[Person]:
        """Everyone else an alert reached: told when it is acknowledged or resolved."""
        return [p for p in await self._paged_workers(session, alert) if p.id != worker.id]

    async def _tell_others(self, session: AsyncSession, alert: Alert, worker: Person,
                           now: datetime, key: str) -> None:
        person = await session.get(Person, alert.person_id)
        text = self.content.text(key, id=alert.id, name=worker.display_name or worker.pseudonym,
                                 pseudonym=person.pseudonym if person else "")
        for other in await self.others_paged(session, alert, worker):
            await enqueue(session, chat_id=other.telegram_id, now=now, alert_id=alert.id,
                          text=text, dedupe_key=f"alert:{alert.id}:{key}:{worker.id}:{other.id}")

    def _event(self, session: AsyncSession, alert: Alert, kind: str, now: datetime, *,
               actor: Person | None = None, **detail: Any) -> None:
        session.add(AlertEvent(alert_id=alert.id, kind=kind, actor_id=actor.id if actor else None,
                               at=now, detail=detail))
        log.info("alert %s", kind, extra={"alert_id": alert.id, "severity": alert.severity})


async def _cancel_jobs(session: AsyncSession, alert_id: int, kind: str) -> None:
    for job in await session.scalars(select(Job).where(Job.kind == kind,
                                                       Job.status == "pending")):
        if job.payload.get("alert_id") == alert_id:
            job.status = "cancelled"


def _page_prefix(alert_id: int, round_: int | None = None) -> str:
    """A page's dedupe key is this prefix and the worker's id; one round per `alert.pages`."""
    return f"alert:{alert_id}:page:" + ("" if round_ is None else f"{round_}:")


def _page_round(message: OutboxMessage) -> int | None:
    """Which round of paging a message is, or None if it is not a page."""
    if message.alert_id is None or not message.dedupe_key:
        return None
    prefix = _page_prefix(message.alert_id)
    if not message.dedupe_key.startswith(prefix):
        return None
    round_, _, _ = message.dedupe_key[len(prefix):].partition(":")
    return int(round_) if round_.isascii() and round_.isdigit() else None


def _excerpt(existing: str | None, new: Sequence[str]) -> str | None:
    """The trigger and the few messages before it, newest last; nothing else is kept."""
    lines = (existing.split("\n") if existing else []) + [f"“{' '.join(m.split())[:500]}”"
                                                          for m in new if m.strip()]
    return "\n".join(lines[-EXCERPT_LIMIT:]) or None
