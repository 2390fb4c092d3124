"""The tables. Young people are known by pseudonym; no free text lives here unless it raised
an alert (that table comes with the safety work), or the young person wrote it in their own
safety plan (`safety_plans`, on purpose: they chose to keep it)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.db.crypto import EncryptedJSON, EncryptedShortText, EncryptedText


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class Role(enum.StrEnum):
    YOUNG_PERSON = "young_person"
    SUPPORT_WORKER = "support_worker"
    DUTY_WORKER = "duty_worker"
    MANAGER = "manager"
    ADMIN = "admin"


class Person(Base):
    """Anyone the bot talks to. Workers have a name; young people only a pseudonym."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True, index=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.YOUNG_PERSON)
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(80))  # workers only
    nickname: Mapped[str | None] = mapped_column(EncryptedShortText)  # what they asked to be called
    age_band: Mapped[str | None] = mapped_column(String(8))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    privacy_accepted_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    on_duty_list: Mapped[bool] = mapped_column(default=False)  # may be paged for alerts
    on_duty: Mapped[bool] = mapped_column(default=False)  # paged first, right now
    email: Mapped[str | None] = mapped_column(String(200))  # workers: the second alert channel
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_active_at: Mapped[datetime | None]
    # young people: how often the outcome wheel is offered (None: only when asked)
    wheel_every_weeks: Mapped[int | None] = mapped_column(Integer, default=6, server_default="6")
    closure_started_at: Mapped[datetime | None]  # a worker started closure
    closed_at: Mapped[datetime | None]  # closure done: check-ins stop, the retention clock starts
    # young people: when nothing scheduled is sent (local time), and what makes a single missed
    # check-in urgent. Set by their worker through /checkins.
    quiet_start: Mapped[str] = mapped_column(String(5), default="22:00", server_default="22:00")
    quiet_end: Mapped[str] = mapped_column(String(5), default="07:00", server_default="07:00")
    high_risk: Mapped[bool] = mapped_column(default=False, server_default=false())
    missing_history: Mapped[bool] = mapped_column(default=False, server_default=false())


class Invite(Base):
    """A single-use, expiring deep-link code: binds a Telegram account to a person record."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "young_person" or "worker"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Conversation(Base):
    """Where each person is: flow, state and a small context. Never free text."""

    __tablename__ = "conversations"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(30))
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ModuleProgress(Base):
    """One young person's journey through one module. Answers are option numbers only."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("person_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(40))
    module_version: Mapped[int] = mapped_column(Integer, default=1)
    step: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[int] = mapped_column(default=0)
    questions: Mapped[int] = mapped_column(default=0)
    assigned_at: Mapped[datetime | None]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    due_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Job(Base):
    """Something that must happen later: a check-in, a reminder, an alert re-escalation.

    The database is the truth; the clock only wakes up and claims due rows atomically, so a
    restart loses nothing and two processes never run one job twice.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    claim_token: Mapped[str | None] = mapped_column(String(40), index=True)
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A message to someone other than the sender of the current update, written in the same
    transaction as the change that caused it, then delivered at least once by the sender."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(12), default="telegram")  # telegram | email
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    address: Mapped[str | None] = mapped_column(String(200))  # email
    text: Mapped[str] = mapped_column(EncryptedText)  # emptied once sent
    buttons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG; then `text` is its caption
    # or a chart to draw when sending (bot.pictures.charts.WheelDrawing); scores, so encrypted
    drawing: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    # or a copy of a message a young person sent (a photo, a location...), sent with copyMessage
    # from their own chat; ids only, the content stays with Telegram
    copy_from_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    copy_message_id: Mapped[int | None] = mapped_column(BigInteger)
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))


class Alert(Base):
    """A sign of danger from one young person, open until a worker resolves it."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    severity: Mapped[int] = mapped_column(Integer)
    categories: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"names": [...], "channels"}
    status: Mapped[str] = mapped_column(String(14), default="open", index=True)
    source: Mapped[str] = mapped_column(String(20), default="message")  # message | checkin | timer
    policy: Mapped[dict[str, Any]] = mapped_column(default=dict)  # frozen when opened
    level: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    excerpt: Mapped[str | None] = mapped_column(EncryptedText)  # the triggering messages only
    safe_answer: Mapped[str | None] = mapped_column(String(12))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    outcome: Mapped[str | None] = mapped_column(EncryptedText)
    concern: Mapped[str | None] = mapped_column(String(12))  # real_concern | not_concern | unsure


class AlertEvent(Base):
    """Every change of an alert, with who and when: the safeguarding record."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # 24 was too short for PostgreSQL (0006)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Relay(Base):
    """A duty worker talking to a young person through the bot."""

    __tablename__ = "relays"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Every read or change of a young person's record by a worker: who, what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ChatMessage(Base):
    """Ids of messages in a private chat that the bot may still delete (for /hide).

    Telegram lets a bot delete messages in a private chat for 48 hours; older entries are purged.
    No text is kept, only ids.
    """

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    message_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(index=True)


class ProcessedUpdate(Base):
    """Updates already handled: a repeated delivery is processed once.

    An update is known by its id AND a fingerprint of what it is (chat, message id and date,
    or the button press's id): Telegram may start a new id sequence after a quiet week, and a
    restarted fake server numbers from 1 again, so an id alone would drop a new message as a
    "duplicate". A real redelivery repeats both."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = mapped_column(String(96), primary_key=True, default="")
    at: Mapped[datetime] = mapped_column(index=True)


class InboxUpdate(Base):
    """An update fetched by long polling, kept until it has been handled: written (encrypted:
    it holds what was typed) before Telegram is told we have it, so a crash between the two
    loses nothing; a process starting handles whatever is still here. Deleted once handled."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, index=True)
    received_at: Mapped[datetime]
    # the update's JSON as Telegram sent it, ASCII-escaped (so even a lone surrogate survives)
    body: Mapped[str] = mapped_column(EncryptedText)


class CaseNote(Base):
    """A worker's note about a young person. Never logged; encrypted at rest."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SafetyPlanRecord(Base):
    """A young person's own safety plan: section id -> what they chose to write (JSON).

    The one place a young person's free text is kept on purpose. Never logged; encrypted."""

    __tablename__ = "safety_plans"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    sections: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CheckinSchedule(Base):
    """When a young person is checked in on: set by their worker, one schedule each.

    `pattern` is daily | weekdays | weekly | custom; `days` are ISO weekdays (1 = Monday) for
    weekly; `times` are local "HH:MM" (several for custom). `version` goes up on every change,
    so a job scheduled for an older version does nothing.
    """

    __tablename__ = "checkin_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    pattern: Mapped[str] = mapped_column(String(10))
    days: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"days": [1, 3, 5]}
    times: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"times": ["18:00"]}
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WheelResult(Base):
    """One outcome wheel: a score 1-10 for each area id, and who asked for it."""

    __tablename__ = "wheel_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    asked_by: Mapped[str] = mapped_column(String(12), default="self")  # self | schedule | worker
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # the worker


class CheckinAnswer(Base):
    """One check-in sent to a young person, and how it went. Numbers and set answers only:
    never what they typed."""

    __tablename__ = "checkin_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_schedules.id"))
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime]
    # sent | snoozed | answered | skipped | missed
    outcome: Mapped[str] = mapped_column(String(10), default="sent", index=True)
    mood: Mapped[int | None]  # 1 (awful) to 5 (great)
    safe: Mapped[str | None] = mapped_column(String(8))  # yes | unsure | no
    answered_at: Mapped[datetime | None]


class SafetyTimer(Base):
    """A timer a young person set before going somewhere they were unsure about.

    `where_who` is the only free text kept: on this row only, passed to an alert only if one is
    raised, and wiped when the timer ends without one.
    """

    __tablename__ = "safety_timers"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    due_at: Mapped[datetime]
    where_who: Mapped[str | None] = mapped_column(EncryptedText)
    # running | asked | ok | help | missed | ended
    status: Mapped[str] = mapped_column(String(8), default="running", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    asked_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))


class Heartbeat(Base):
    """A long-running process saying it is alive: the clock writes its row on every tick, and
    `/healthz` on the web processes reports a stale one."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime]
    detail: Mapped[str | None] = mapped_column(String(120))  # host and process id, no personal data


class RecentMessage(Base):
    """A young person's last few free-text messages, encrypted, kept for minutes only: read
    beside the next one ("hes here" after "im scared of my ex"), the same on every web process
    and across restarts."""

    __tablename__ = "recent_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(EncryptedText)
    severity: Mapped[int] = mapped_column(Integer, default=0)  # how it was rated then
