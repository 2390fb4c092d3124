"""Check-ins, safety timers and module nudges: everything the clock sends a young person.

Every future event is a `jobs` row; the clock claims it atomically, so a restart loses nothing
and two clock processes never send one check-in twice. A check-in schedule keeps exactly one
pending job (the next occurrence), and each job schedules the one after it before it sends, so
after downtime nothing is sent in a burst: a job less than its grace period late is sent once,
an older one is marked missed. Local times and quiet hours are worked out in `bot.care.recurrence`.

What the young person answers comes back as effects from `flows/checkin.py` and
`flows/timer.py`, applied here in the same transaction as their conversation state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.care.recurrence import QuietHours, Recurrence, local_instant
from bot.db.models import (
    CheckinAnswer,
    CheckinSchedule,
    Job,
    ModuleProgress,
    Person,
    Role,
    SafetyTimer,
)
from bot.safety.detector import Severity
from bot.safety.escalation import Escalation, alert_buttons
from bot.time.clock import Clock, cancel, schedule
from bot.time.outbox import enqueue
from content.loader import Content
from flows.base import Button, keyboard
from flows.checkin import AskToTalk, RecordCheckin, SkipCheckin, SnoozeCheckin, checkin_question
from flows.clock_words import parse_time
from flows.timer import AnswerTimer, EndTimer, StartTimer, timer_question

log = logging.getLogger(__name__)

CHECKIN = "checkin"
CHECKIN_WINDOW = "checkin_window"
TIMER = "safety_timer"
TIMER_DEADLINE = "timer_deadline"
REMINDER = "reminder"
OPEN_TIMER = ("running", "asked")
ANSWERABLE_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class CheckinRules:
    """The numbers behind check-ins, timers and nudges (from Settings)."""

    window: timedelta = timedelta(hours=3)  # unanswered this long: missed
    grace: timedelta = timedelta(hours=2)  # later than this after downtime: not sent
    missed_in_a_row: int = 2  # flags the assigned worker
    snooze: timedelta = timedelta(hours=1)
    timer_answer: timedelta = timedelta(minutes=15)
    reminder_after: timedelta = timedelta(days=3)
    reminder_every: timedelta = timedelta(days=1)
    reminder_max: int = 3
    reminder_grace: timedelta = timedelta(hours=6)


def quiet_hours(person: Person) -> QuietHours:
    return QuietHours.of(person.quiet_start, person.quiet_end)


def recurrence_of(row: CheckinSchedule) -> Recurrence:
    return Recurrence.build(row.pattern, row.times.get("times", []), row.days.get("days", []))


def can_receive(person: Person | None) -> bool:
    """Only young people who have been told how privacy works get scheduled messages."""
    return (person is not None and person.active and person.telegram_id is not None
            and person.role == Role.YOUNG_PERSON and person.privacy_accepted_at is not None)


async def schedule_module_reminders(session: AsyncSession, person_id: int, module_id: str,
                                    now: datetime) -> Job | None:
    """Call when a module is assigned: nudges start after three days if it is not started.

    Quiet hours and "one nudge a day at most" are applied when each nudge falls due.
    """
    progress = await session.scalar(select(ModuleProgress).where(
        ModuleProgress.person_id == person_id, ModuleProgress.module_id == module_id))
    assigned = progress.assigned_at if progress and progress.assigned_at else now
    await cancel(session, kind=REMINDER, person_id=person_id,
                 payload_match={"module_id": module_id})
    rules = CheckinRules()
    return await schedule(session, REMINDER, assigned + rules.reminder_after, person_id=person_id,
                          payload={"module_id": module_id, "number": 1},
                          dedupe_key=f"reminder:{person_id}:{module_id}:{assigned:%Y%m%d%H%M%S}:1")


class Checkins:
    """Schedules, sends and follows up check-ins, safety timers and module nudges."""

    def __init__(self, escalation: Escalation, content: Content, zone: ZoneInfo,
                 rules: CheckinRules | None = None):
        self.escalation = escalation
        self.content = content
        self.zone = zone
        self.rules = rules or CheckinRules()

    def register_checkins(self, clock: Clock) -> None:
        """The jobs of check-ins and module nudges."""
        clock.register(CHECKIN, self._on_checkin)
        clock.register(CHECKIN_WINDOW, self._on_window)
        clock.register(REMINDER, self._on_reminder)

    def register_timers(self, clock: Clock) -> None:
        """The jobs of safety timers."""
        clock.register(TIMER, self._on_timer)
        clock.register(TIMER_DEADLINE, self._on_timer_deadline)

    # --- schedules (workers) ---------------------------------------------------------------------

    async def set_schedule(self, session: AsyncSession, person: Person, *, pattern: str,
                           times: list[str], days: list[int] = (), by: Person | None,
                           now: datetime) -> tuple[CheckinSchedule, Job | None]:
        """Replace the young person's schedule; pending check-ins of the old one are cancelled."""
        recurrence = Recurrence.build(pattern, times, days)  # raises ValueError if wrong
        row = await session.scalar(select(CheckinSchedule).where(
            CheckinSchedule.person_id == person.id))
        if row is None:
            row = CheckinSchedule(person_id=person.id, version=0, created_at=now)
            session.add(row)
        row.pattern = recurrence.pattern
        row.times = {"times": [f"{t:%H:%M}" for t in recurrence.times]}
        row.days = {"days": sorted(recurrence.days)}
        row.active, row.version, row.set_by_id, row.updated_at = True, row.version + 1, \
            by.id if by else None, now
        await session.flush()
        await cancel(session, kind=CHECKIN, person_id=person.id,
                     payload_match={"schedule_id": row.id})
        job = await self.schedule_next(session, row, person, after=now)
        return row, job

    async def stop(self, session: AsyncSession, person: Person, now: datetime) -> bool:
        """Stop check-ins at once; returns False if there were none."""
        row = await session.scalar(select(CheckinSchedule).where(
            CheckinSchedule.person_id == person.id))
        await cancel(session, kind=CHECKIN, person_id=person.id)
        if row is None or not row.active:
            return False
        row.active, row.version, row.updated_at = False, row.version + 1, now
        return True

    async def reschedule(self, session: AsyncSession, person: Person, now: datetime) -> None:
        """Quiet hours changed: work the next check-in out again."""
        row = await session.scalar(select(CheckinSchedule).where(
            CheckinSchedule.person_id == person.id, CheckinSchedule.active))
        if row is None:
            return
        row.version += 1
        await cancel(session, kind=CHECKIN, person_id=person.id,
                     payload_match={"schedule_id": row.id})
        await self.schedule_next(session, row, person, after=now)

    def next_time(self, row: CheckinSchedule, person: Person, after: datetime) -> datetime:
        """The next occurrence after `after`, moved to the end of quiet hours if inside them."""
        raw = recurrence_of(row).next_after(after, self.zone)
        return quiet_hours(person).move_out(raw, self.zone)

    async def schedule_next(self, session: AsyncSession, row: CheckinSchedule, person: Person,
                            *, after: datetime) -> Job | None:
        due = self.next_time(row, person, after)
        return await schedule(session, CHECKIN, due, person_id=person.id,
                              payload={"schedule_id": row.id, "version": row.version},
                              dedupe_key=f"checkin:{row.id}:{row.version}:{due:%Y%m%d%H%M}")

    # --- sending a check-in --------------------------------------------------------------------

    async def _on_checkin(self, session: AsyncSession, job: Job, now: datetime) -> None:
        if "answer_id" in job.payload:
            await self._resend_snoozed(session, job, now)
            return
        row = await session.get(CheckinSchedule, job.payload.get("schedule_id"))
        person = await session.get(Person, job.person_id)
        if row is None or person is None or not row.active \
                or row.version != job.payload.get("version"):
            job.status = "cancelled"
            return
        # the next one first, counted from now: after downtime there is never a backlog
        await self.schedule_next(session, row, person, after=max(now, job.due_at))
        if not can_receive(person):
            job.status = "skipped"
            return
        if now - job.due_at > self.rules.grace:
            job.status = "missed"
            log.warning("check-in too late after downtime; not sent",
                        extra={"job_id": job.id, "late_s": (now - job.due_at).total_seconds()})
            return
        if quiet_hours(person).is_quiet(now, self.zone):  # only after downtime
            job.status = "skipped"
            return
        answer = CheckinAnswer(person_id=person.id, schedule_id=row.id, due_at=job.due_at,
                               sent_at=now, outcome="sent")
        session.add(answer)
        await session.flush()
        await self._ask(session, person, answer, now)

    async def _ask(self, session: AsyncSession, person: Person, answer: CheckinAnswer,
                   now: datetime) -> None:
        text, buttons = checkin_question(self.content, answer.id)
        await enqueue(session, chat_id=person.telegram_id, text=text, buttons=buttons, now=now,
                      dedupe_key=f"checkin:{answer.id}:ask:{now:%Y%m%d%H%M}")
        await schedule(session, CHECKIN_WINDOW, now + self.rules.window, person_id=person.id,
                       payload={"answer_id": answer.id},
                       dedupe_key=f"checkin:{answer.id}:window:{now:%Y%m%d%H%M}")

    async def _resend_snoozed(self, session: AsyncSession, job: Job, now: datetime) -> None:
        answer = await session.get(CheckinAnswer, job.payload["answer_id"])
        person = await session.get(Person, job.person_id)
        if answer is None or answer.outcome != "snoozed" or not can_receive(person):
            job.status = "cancelled"
            return
        assert person is not None
        quiet = quiet_hours(person)
        if now - job.due_at > self.rules.grace:
            answer.outcome = "skipped"
            job.status = "missed"
            return
        if quiet.is_quiet(now, self.zone):
            job.status, job.due_at = "pending", quiet.move_out(now, self.zone)
            return
        answer.outcome = "sent"
        await self._ask(session, person, answer, now)

    # --- missed check-ins ------------------------------------------------------------------------

    async def _on_window(self, session: AsyncSession, job: Job, now: datetime) -> None:
        answer = await session.get(CheckinAnswer, job.payload["answer_id"])
        if answer is None or answer.outcome != "sent":
            return
        answer.outcome = "missed"
        person = await session.get(Person, answer.person_id)
        if person is None or not person.active:
            return
        if person.high_risk or person.missing_history:
            await self.escalation.raise_alert(
                session, person, severity=Severity.HIGH, source="checkin", now=now,
                categories=["missed_checkins", "possible_missing_episode"])
            return
        count = self.rules.missed_in_a_row
        recent = (await session.scalars(
            select(CheckinAnswer.outcome).where(CheckinAnswer.person_id == person.id)
            .order_by(CheckinAnswer.sent_at.desc(), CheckinAnswer.id.desc()).limit(count))).all()
        if len(recent) == count and all(outcome == "missed" for outcome in recent):
            await self.escalation.raise_alert(
                session, person, severity=Severity.MEDIUM, source="checkin", now=now,
                categories=["missed_checkins"])

    # --- the young person's answers (effects from flows/checkin.py and flows/timer.py) ---------

    async def apply(self, session: AsyncSession, person: Person, effect: Any,
                    now: datetime) -> None:
        """Apply one of the effects of flows/checkin.py and flows/timer.py (the registry gives
        this only those)."""
        match effect:
            case RecordCheckin():
                await self._record(session, person, effect, now)
            case SnoozeCheckin(checkin_id=checkin_id):
                answer = await self._answerable(session, person, checkin_id, now)
                if answer is not None and answer.outcome == "sent":
                    answer.outcome = "snoozed"
                    await cancel(session, kind=CHECKIN_WINDOW, person_id=person.id,
                                 payload_match={"answer_id": answer.id})
                    due = quiet_hours(person).move_out(now + self.rules.snooze, self.zone)
                    await schedule(session, CHECKIN, due, person_id=person.id,
                                   payload={"answer_id": answer.id},
                                   dedupe_key=f"checkin:{answer.id}:snooze:{due:%Y%m%d%H%M}")
            case SkipCheckin(checkin_id=checkin_id):
                answer = await self._answerable(session, person, checkin_id, now)
                if answer is not None and answer.outcome in ("sent", "snoozed"):
                    answer.outcome = "skipped"
                    await cancel(session, kind=CHECKIN_WINDOW, person_id=person.id,
                                 payload_match={"answer_id": answer.id})
            case AskToTalk():
                await self._wants_to_talk(session, person, now)
            case StartTimer():
                await self.start_timer(session, person, effect, now)
            case AnswerTimer():
                await self._answer_timer(session, person, effect, now)
            case EndTimer():
                for timer in await self._open_timers(session, person):
                    await self._close_timer(session, timer, "ended", now)
            case _:
                raise TypeError(f"not an effect of check-ins or timers: {type(effect).__name__}")

    async def _wants_to_talk(self, session: AsyncSession, person: Person, now: datetime) -> None:
        """Onto their open alert, and said plainly to whoever it reached."""
        alert = await self.escalation.raise_alert(
            session, person, severity=Severity.MEDIUM, source="checkin", now=now,
            categories=["checkin_not_sure", "wants_to_talk"])
        if alert is None:
            return
        for worker in await self.escalation._paged_workers(session, alert):
            await enqueue(session, chat_id=worker.telegram_id, now=now, alert_id=alert.id,
                          text=self.content.text("staff.page.wants_to_talk", id=alert.id,
                                                 pseudonym=person.pseudonym),
                          buttons=alert_buttons(self.content, alert),
                          dedupe_key=f"alert:{alert.id}:wants_to_talk:{worker.id}")

    async def _answerable(self, session: AsyncSession, person: Person, checkin_id: int,
                          now: datetime) -> CheckinAnswer | None:
        """The check-in a button names, if it is this person's and recent."""
        answer = await session.get(CheckinAnswer, checkin_id)
        if answer is None or answer.person_id != person.id \
                or now - answer.sent_at > ANSWERABLE_FOR:
            return None
        return answer

    async def _record(self, session: AsyncSession, person: Person, effect: RecordCheckin,
                      now: datetime) -> None:
        answer = await self._answerable(session, person, effect.checkin_id, now)
        if answer is not None:
            if effect.mood is not None:
                answer.mood = effect.mood
            if effect.safe is not None:
                answer.safe = effect.safe
            answer.outcome, answer.answered_at = "answered", now
            await cancel(session, kind=CHECKIN_WINDOW, person_id=person.id,
                         payload_match={"answer_id": answer.id})
        # whatever the button's id, a young person who says they are not safe is heard
        if effect.safe == "no":
            await self.escalation.raise_alert(
                session, person, severity=Severity.HIGH, source="checkin", now=now,
                categories=["checkin_not_safe"])
        elif effect.safe == "unsure":
            await self.escalation.raise_alert(
                session, person, severity=Severity.MEDIUM, source="checkin", now=now,
                categories=["checkin_not_sure"])

    # --- safety timers ---------------------------------------------------------------------------

    async def timer_profile(self, session: AsyncSession, person: Person) -> bool:
        """Profile.timer_running: a safety timer is set and not over yet."""
        return bool(await self._open_timers(session, person))

    async def _open_timers(self, session: AsyncSession, person: Person) -> list[SafetyTimer]:
        return list(await session.scalars(select(SafetyTimer).where(
            SafetyTimer.person_id == person.id, SafetyTimer.status.in_(OPEN_TIMER))))

    def timer_due(self, effect: StartTimer, now: datetime) -> datetime:
        if effect.at:
            at = parse_time(effect.at)
            if at is not None:
                today = now.astimezone(self.zone).date()
                for day in (today, today + timedelta(days=1)):
                    when = local_instant(day, at, self.zone)
                    if when > now:
                        return when
        return now + timedelta(minutes=effect.minutes or 60)

    async def start_timer(self, session: AsyncSession, person: Person, effect: StartTimer,
                          now: datetime) -> SafetyTimer:
        for old in await self._open_timers(session, person):  # one timer at a time
            await self._close_timer(session, old, "ended", now)
        timer = SafetyTimer(person_id=person.id, due_at=self.timer_due(effect, now),
                            where_who=effect.where_who, status="running", created_at=now)
        session.add(timer)
        await session.flush()
        await schedule(session, TIMER, timer.due_at, person_id=person.id,
                       payload={"timer_id": timer.id}, dedupe_key=f"timer:{timer.id}")
        return timer

    async def _close_timer(self, session: AsyncSession, timer: SafetyTimer, status: str,
                           now: datetime) -> None:
        """End a timer; what they told us about where and who is wiped."""
        timer.status, timer.ended_at, timer.where_who = status, now, None
        for kind in (TIMER, TIMER_DEADLINE):
            await cancel(session, kind=kind, person_id=timer.person_id,
                         payload_match={"timer_id": timer.id})

    async def _answer_timer(self, session: AsyncSession, person: Person, effect: AnswerTimer,
                            now: datetime) -> None:
        timer = await session.get(SafetyTimer, effect.timer_id)
        mine = timer is not None and timer.person_id == person.id
        if effect.ok:
            if mine and timer.status in OPEN_TIMER:
                await self._close_timer(session, timer, "ok", now)
            return
        # "I need help" is heard whatever the button's id
        await self._timer_alert(session, person, timer if mine else None, "help", now)

    async def _timer_alert(self, session: AsyncSession, person: Person,
                           timer: SafetyTimer | None, status: str, now: datetime) -> None:
        excerpt = [timer.where_who] if timer is not None and timer.where_who else []
        alert = await self.escalation.raise_alert(
            session, person, severity=Severity.HIGH, source="timer", now=now,
            categories=["safety_timer"], excerpt=excerpt)
        if timer is not None:
            timer.alert_id = alert.id if alert else None
            await self._close_timer(session, timer, status, now)

    async def _on_timer(self, session: AsyncSession, job: Job, now: datetime) -> None:
        """Time is up: ask "Are you OK?" (never held back by quiet hours or downtime)."""
        timer = await session.get(SafetyTimer, job.payload["timer_id"])
        person = await session.get(Person, job.person_id)
        if timer is None or timer.status != "running" or person is None:
            job.status = "cancelled"
            return
        timer.status, timer.asked_at = "asked", now
        if person.telegram_id is not None:
            text, buttons = timer_question(self.content, timer.id)
            await enqueue(session, chat_id=person.telegram_id, text=text, buttons=buttons,
                          now=now, dedupe_key=f"timer:{timer.id}:ask")
        await schedule(session, TIMER_DEADLINE, now + self.rules.timer_answer,
                       person_id=person.id, payload={"timer_id": timer.id},
                       dedupe_key=f"timer:{timer.id}:deadline")

    async def _on_timer_deadline(self, session: AsyncSession, job: Job, now: datetime) -> None:
        timer = await session.get(SafetyTimer, job.payload["timer_id"])
        person = await session.get(Person, job.person_id)
        if timer is None or timer.status != "asked" or person is None:
            return
        await self._timer_alert(session, person, timer, "missed", now)

    # --- module nudges ---------------------------------------------------------------------------

    async def _on_reminder(self, session: AsyncSession, job: Job, now: datetime) -> None:
        module_id, number = job.payload["module_id"], int(job.payload.get("number", 1))
        person = await session.get(Person, job.person_id)
        progress = await session.scalar(select(ModuleProgress).where(
            ModuleProgress.person_id == job.person_id, ModuleProgress.module_id == module_id))
        module = self.content.modules.get(module_id)
        if (progress is None or progress.assigned_at is None or progress.started_at is not None
                or progress.completed_at is not None or module is None
                or not can_receive(person)):
            job.status = "cancelled"
            return
        assert person is not None
        if now - job.due_at > self.rules.reminder_grace:  # downtime: not sent, try tomorrow
            job.status = "missed"
            await self._next_reminder(session, person, module_id, number, now)
            return
        later = await self._not_before(session, person, job, now)
        if later is not None:
            job.status, job.due_at = "pending", later
            return
        await enqueue(session, chat_id=person.telegram_id, now=now,
                      text=self.content.text("reminder.module", title=module.title,
                                             minutes=module.minutes),
                      buttons=keyboard([Button(self.content.text("reminder.open_button"),
                                               f"menu:open:{module_id}")]),
                      dedupe_key=f"reminder:{job.id}")
        if number < self.rules.reminder_max:
            await self._next_reminder(session, person, module_id, number + 1, now)

    async def _not_before(self, session: AsyncSession, person: Person, job: Job,
                          now: datetime) -> datetime | None:
        """When this nudge may go instead, if not now: outside quiet hours, one a day at most."""
        last = await session.scalar(
            select(Job.finished_at).where(Job.kind == REMINDER, Job.person_id == person.id,
                                          Job.status == "done", Job.id != job.id)
            .order_by(Job.finished_at.desc()).limit(1))
        when = now
        if last is not None and now - last < self.rules.reminder_every:
            when = last + self.rules.reminder_every
        when = quiet_hours(person).move_out(when, self.zone)
        return when if when > now else None

    async def _next_reminder(self, session: AsyncSession, person: Person, module_id: str,
                             number: int, now: datetime) -> None:
        due = now + self.rules.reminder_every
        await schedule(session, REMINDER, due, person_id=person.id,
                       payload={"module_id": module_id, "number": number},
                       dedupe_key=f"reminder:{person.id}:{module_id}:{due:%Y%m%d%H%M%S}:{number}")
