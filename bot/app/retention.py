"""What is kept, and for how long: the retention rules and the purge that applies them.

Closure (`people.closed_at`) starts the clock for a young person:

- **progress**: RETENTION_MONTHS (default 12) after closure, and as long since they last used
  the chat, their conversation and progress data go: conversations, module_progress,
  checkin_schedules, checkin_answers, safety_timers, safety_plans, wheel_results, the ids in
  chat_messages, and their nickname.
- **safeguarding**: SAFEGUARDING_RETENTION_YEARS (default 25) after closure, the safeguarding
  record goes too: alerts, alert_events, relays, case_notes, audit_log rows about them, and what
  is left pointing at them (their invites, jobs and alert messages in the outbox). Their row in
  `people` is then made anonymous (SAFEGUARDING_END=anonymise: no Telegram id, no nickname, the
  pseudonym replaced) or deleted (SAFEGUARDING_END=delete).

Whatever the closure, routine purges: `processed_updates` older than 7 days, `outbox` rows sent
(or given up on) more than 30 days ago, `jobs` finished more than 30 days ago, and message ids in
`chat_messages` older than the 48 hours in which /hide could still delete them.

The whole purge is plain SQL in one transaction, the same on SQLite and PostgreSQL. A dry run
does exactly the same work and rolls it back, so its counts are the counts a real run gives.
Both are written to the audit log (actor null: the admin command line), with the counts only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    String,
    Update,
    and_,
    cast,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import (
    Alert,
    AlertEvent,
    AuditEntry,
    CaseNote,
    ChatMessage,
    CheckinAnswer,
    CheckinSchedule,
    Conversation,
    Invite,
    Job,
    ModuleProgress,
    OutboxMessage,
    Person,
    ProcessedUpdate,
    RecentMessage,
    Relay,
    Role,
    SafetyPlanRecord,
    SafetyTimer,
    WheelResult,
)
from bot.safety.recent import WINDOW as RECENT_WINDOW
from bot.tg.message_log import DELETABLE_FOR

ANONYMOUS_PREFIX = "GONE-"  # an anonymised person's pseudonym: GONE-<row number>
END_MODES = ("anonymise", "delete")

PROGRESS = "progress_after_closure"
SAFEGUARDING = "safeguarding_after_closure"
PROCESSED_UPDATES = "processed_updates"
OUTBOX = "outbox_sent"
JOBS = "jobs_finished"
CHAT_MESSAGE_IDS = "chat_message_ids"
RECENT_MESSAGES = "recent_messages"
RULES = (PROGRESS, SAFEGUARDING, PROCESSED_UPDATES, OUTBOX, JOBS, CHAT_MESSAGE_IDS,
         RECENT_MESSAGES)

RULE_NAMES = {
    PROGRESS: "conversation and progress data, after closure",
    SAFEGUARDING: "safeguarding record, after closure",
    PROCESSED_UPDATES: "handled update ids",
    OUTBOX: "sent messages in the outbox",
    JOBS: "finished jobs",
    CHAT_MESSAGE_IDS: "message ids /hide can no longer delete",
    RECENT_MESSAGES: "recent messages kept as context (minutes)",
}


@dataclass(frozen=True)
class RetentionPolicy:
    progress_months: int = 12
    safeguarding_years: int = 25
    safeguarding_end: str = "anonymise"  # anonymise | delete
    processed_updates_days: int = 7
    outbox_days: int = 30
    jobs_days: int = 30

    def __post_init__(self) -> None:
        if self.safeguarding_end not in END_MODES:
            raise ValueError(f"safeguarding_end must be one of {END_MODES}")
        if self.safeguarding_years * 12 < self.progress_months:
            raise ValueError("the safeguarding record cannot be kept for less time than progress")

    @classmethod
    def from_settings(cls, settings: Any) -> RetentionPolicy:
        return cls(progress_months=settings.retention_months,
                   safeguarding_years=settings.safeguarding_retention_years,
                   safeguarding_end=settings.safeguarding_end,
                   processed_updates_days=settings.retention_processed_updates_days,
                   outbox_days=settings.retention_outbox_days,
                   jobs_days=settings.retention_jobs_days)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = (datetime(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, days_in_month))


Counts = dict[str, dict[str, int]]
Statement = Delete | Update
Step = tuple[str, str, Statement]  # rule, table, statement


def _steps(policy: RetentionPolicy, now: datetime) -> list[Step]:
    """Every statement of the purge, in an order the foreign keys accept."""
    progress_cutoff = months_before(now, policy.progress_months)
    record_cutoff = months_before(now, policy.safeguarding_years * 12)
    people = Person.__table__

    def closed_before(cutoff: datetime) -> ColumnElement[bool]:
        return and_(people.c.role == Role.YOUNG_PERSON.value, people.c.closed_at.is_not(None),
                    people.c.closed_at <= cutoff)

    # progress: closed long enough ago, and not using the chat again since
    progress_people = select(people.c.id).where(
        closed_before(progress_cutoff),
        or_(people.c.last_active_at.is_(None), people.c.last_active_at <= progress_cutoff))
    progress_chats = select(people.c.telegram_id).where(
        people.c.id.in_(progress_people), people.c.telegram_id.is_not(None))
    gone = select(people.c.id).where(closed_before(record_cutoff))
    gone_chats = select(people.c.telegram_id).where(
        closed_before(record_cutoff), people.c.telegram_id.is_not(None))
    gone_alerts = select(Alert.id).where(Alert.person_id.in_(gone))

    def by_person(model: Any, column: str = "person_id",
                  among: Any = progress_people) -> Delete:
        return delete(model).where(getattr(model, column).in_(among))

    steps: list[Step] = [
        (PROGRESS, "conversations", by_person(Conversation)),
        (PROGRESS, "module_progress", by_person(ModuleProgress)),
        (PROGRESS, "checkin_answers", by_person(CheckinAnswer)),
        (PROGRESS, "checkin_schedules", by_person(CheckinSchedule)),
        (PROGRESS, "safety_timers", by_person(SafetyTimer)),
        (PROGRESS, "safety_plans", by_person(SafetyPlanRecord)),
        (PROGRESS, "wheel_results", by_person(WheelResult)),
        (PROGRESS, "chat_messages", delete(ChatMessage).where(ChatMessage.chat_id.in_(progress_chats))),
        (PROGRESS, "people.nickname", update(people).where(
            people.c.id.in_(progress_people), people.c.nickname.is_not(None)).values(nickname=None)),
        (PROGRESS, "recent_messages", by_person(RecentMessage)),
        # safeguarding: everything pointing at the alerts first, then the alerts, then the person
        (SAFEGUARDING, "alert_events", delete(AlertEvent).where(AlertEvent.alert_id.in_(gone_alerts))),
        (SAFEGUARDING, "relays", delete(Relay).where(or_(Relay.young_person_id.in_(gone),
                                                         Relay.alert_id.in_(gone_alerts)))),
        (SAFEGUARDING, "outbox", delete(OutboxMessage).where(or_(
            OutboxMessage.alert_id.in_(gone_alerts), OutboxMessage.chat_id.in_(gone_chats)))),
        (SAFEGUARDING, "safety_timers", by_person(SafetyTimer, among=gone)),
        (SAFEGUARDING, "alerts", delete(Alert).where(Alert.id.in_(gone_alerts))),
        (SAFEGUARDING, "case_notes", by_person(CaseNote, "subject_id", gone)),
        (SAFEGUARDING, "audit_log", by_person(AuditEntry, "subject_id", gone)),
        (SAFEGUARDING, "invites", by_person(Invite, among=gone)),
        (SAFEGUARDING, "jobs", by_person(Job, among=gone)),
    ]
    # anything of the progress kind still there (they came back to the chat after closure)
    for model in (Conversation, RecentMessage, ModuleProgress, CheckinAnswer, CheckinSchedule,
                  SafetyPlanRecord, WheelResult):
        steps.append((SAFEGUARDING, model.__tablename__, by_person(model, among=gone)))
    steps.append((SAFEGUARDING, "chat_messages",
                  delete(ChatMessage).where(ChatMessage.chat_id.in_(gone_chats))))
    if policy.safeguarding_end == "delete":  # nothing else points at a young person by now
        steps.append((SAFEGUARDING, "people", delete(people).where(closed_before(record_cutoff))))
    else:
        steps.append((SAFEGUARDING, "people (made anonymous)", update(people).where(
            closed_before(record_cutoff),
            or_(people.c.telegram_id.is_not(None),
                ~people.c.pseudonym.startswith(ANONYMOUS_PREFIX))).values(
            telegram_id=None, nickname=None, age_band=None, worker_id=None, display_name=None,
            email=None, privacy_accepted_at=None, last_active_at=None, active=false(),
            pseudonym=literal(ANONYMOUS_PREFIX, String) + cast(people.c.id, String))))

    finished = ("done", "cancelled", "failed", "missed", "skipped")
    steps += [
        (PROCESSED_UPDATES, "processed_updates", delete(ProcessedUpdate).where(
            ProcessedUpdate.at < now - timedelta(days=policy.processed_updates_days))),
        (OUTBOX, "outbox", delete(OutboxMessage).where(or_(
            and_(OutboxMessage.status == "sent",
                 OutboxMessage.sent_at < now - timedelta(days=policy.outbox_days)),
            and_(OutboxMessage.status == "failed",
                 OutboxMessage.created_at < now - timedelta(days=policy.outbox_days))))),
        (JOBS, "jobs", delete(Job).where(
            Job.status.in_(finished),
            func.coalesce(Job.finished_at, Job.due_at) < now - timedelta(days=policy.jobs_days))),
        (CHAT_MESSAGE_IDS, "chat_messages", delete(ChatMessage).where(
            ChatMessage.at <= now - DELETABLE_FOR)),
        (RECENT_MESSAGES, "recent_messages", delete(RecentMessage).where(
            RecentMessage.at < now - RECENT_WINDOW)),
    ]
    return steps


async def _apply(session: AsyncSession, steps: list[Step]) -> Counts:
    counts: Counts = {rule: {} for rule in RULES}
    for rule, table, statement in steps:
        result = await session.execute(statement.execution_options(synchronize_session=False))
        counts[rule][table] = counts[rule].get(table, 0) + (result.rowcount or 0)
    return counts


@dataclass(frozen=True)
class PurgeReport:
    counts: Counts
    dry_run: bool
    policy: RetentionPolicy
    at: datetime

    @property
    def total(self) -> int:
        return sum(n for tables in self.counts.values() for n in tables.values())

    def lines(self) -> list[str]:
        """What went (or would go), one line per rule and table."""
        verb = "would remove" if self.dry_run else "removed"
        out = [f"Purge {'(dry run) ' if self.dry_run else ''}at {self.at:%Y-%m-%d %H:%M} UTC: "
               f"{verb} {self.total} rows or values."]
        for rule in RULES:
            out.append(f"{RULE_NAMES[rule]}:")
            for table, n in self.counts[rule].items():
                out.append(f"  {table:<26} {n}")
        return out


async def purge(db: Database, policy: RetentionPolicy, *, now: datetime,
                dry_run: bool = False, actor_id: int | None = None) -> PurgeReport:
    """Apply the retention rules in one transaction; a dry run counts the same and rolls back.

    Either way an `audit_log` row records it (action `purge` or `purge_dry_run`) with the counts.
    """
    steps = _steps(policy, now)
    async with db.sessions() as session:
        transaction = await session.begin()
        try:
            counts = await _apply(session, steps)
            if dry_run:
                await transaction.rollback()
                transaction = await session.begin()
            session.add(AuditEntry(actor_id=actor_id, subject_id=None, at=now,
                                   action="purge_dry_run" if dry_run else "purge",
                                   detail={"counts": counts, "policy": asdict(policy)}))
            await transaction.commit()
        except BaseException:
            await transaction.rollback()
            raise
    return PurgeReport(counts=counts, dry_run=dry_run, policy=policy, at=now)

