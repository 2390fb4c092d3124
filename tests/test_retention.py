"""Retention: what `rise-bot admin purge` removes, and what it keeps.

Four young people, each with a row in every table: closed 13 months ago, 11 months ago, 26 years
ago, and never closed. The default policy (12 months for progress, 25 years for the
safeguarding record) removes the progress of the first and the third, and the safeguarding
record of the third only, whose row in `people` is made anonymous.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app.retention import RetentionPolicy, months_before, purge
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
    Relay,
    Role,
    SafetyPlanRecord,
    SafetyTimer,
    WheelResult,
)

PEOPLE = {"YP-13M": 396, "YP-11M": 334, "YP-26Y": 10_000, "YP-OPEN": None}  # days since closure


async def populate(db, clock) -> dict[str, int]:
    """Each young person with one row in every table; returns pseudonym -> person id."""
    now = clock()
    ids = {}
    async with db.transaction() as session:
        worker = Person(role=Role.SUPPORT_WORKER, pseudonym="SW-JO", display_name="Jo",
                        telegram_id=9001)
        session.add(worker)
        await session.flush()
        for number, (pseudonym, days) in enumerate(PEOPLE.items(), start=1):
            closed = now - timedelta(days=days) if days is not None else None
            young = Person(role=Role.YOUNG_PERSON, pseudonym=pseudonym, telegram_id=5000 + number,
                           nickname=f"Nick {pseudonym}", worker_id=worker.id, age_band="14-17",
                           closed_at=closed, last_active_at=closed or now)
            session.add(young)
            await session.flush()
            ids[pseudonym] = young.id
            alert = Alert(person_id=young.id, severity=3, excerpt="“he's outside”", opened_at=now)
            session.add(alert)
            await session.flush()
            schedule = CheckinSchedule(person_id=young.id, pattern="daily")
            session.add(schedule)
            await session.flush()
            session.add_all([
                Conversation(person_id=young.id, flow="menu", state="main", context={}),
                ModuleProgress(person_id=young.id, module_id="practice"),
                CheckinAnswer(person_id=young.id, schedule_id=schedule.id, due_at=now, sent_at=now),
                SafetyTimer(person_id=young.id, due_at=now, where_who="the park with K",
                            alert_id=alert.id),
                SafetyPlanRecord(person_id=young.id, sections={"calm": "music"}),
                WheelResult(person_id=young.id, scores={"safe": 5}),
                ChatMessage(chat_id=young.telegram_id, message_id=1, at=now),
                AlertEvent(alert_id=alert.id, kind="opened", at=now),
                Relay(alert_id=alert.id, worker_id=worker.id, young_person_id=young.id),
                CaseNote(author_id=worker.id, subject_id=young.id, text="Seen at school"),
                AuditEntry(actor_id=worker.id, action="note.add", subject_id=young.id, at=now),
                Invite(code=f"code-{pseudonym}", purpose="young_person", person_id=young.id,
                       created_by_id=worker.id, expires_at=now),
                Job(kind="checkin", due_at=now + timedelta(days=1), person_id=young.id),
                OutboxMessage(chat_id=9001, text="page", alert_id=alert.id, status="pending"),
            ])
    return ids


async def remaining(db) -> dict[str, list[str]]:
    """Table -> the pseudonyms whose rows are still there (sorted)."""
    people = {}
    async with db.transaction() as session:
        for person in await session.scalars(select(Person)):
            people[person.id] = person.pseudonym
        telegram = {p.telegram_id: p.pseudonym for p in await session.scalars(select(Person))}
        alerts = {a.id: people[a.person_id] for a in await session.scalars(select(Alert))}
        found: dict[str, list[str]] = {}
        for model, owner in (
                (Conversation, lambda r: people[r.person_id]),
                (ModuleProgress, lambda r: people[r.person_id]),
                (CheckinSchedule, lambda r: people[r.person_id]),
                (CheckinAnswer, lambda r: people[r.person_id]),
                (SafetyTimer, lambda r: people[r.person_id]),
                (SafetyPlanRecord, lambda r: people[r.person_id]),
                (WheelResult, lambda r: people[r.person_id]),
                (ChatMessage, lambda r: telegram.get(r.chat_id, "?")),
                (Alert, lambda r: people[r.person_id]),
                (AlertEvent, lambda r: alerts[r.alert_id]),
                (Relay, lambda r: people[r.young_person_id]),
                (CaseNote, lambda r: people[r.subject_id]),
                (AuditEntry, lambda r: people[r.subject_id] if r.subject_id else r.action),
                (Invite, lambda r: people[r.person_id]),
                (Job, lambda r: people[r.person_id]),
                (OutboxMessage, lambda r: alerts[r.alert_id])):
            found[model.__tablename__] = sorted(owner(r) for r in await session.scalars(select(model)))
        found["nicknames"] = sorted(f"{p.pseudonym}: {p.nickname}"
                                    for p in await session.scalars(select(Person))
                                    if p.role == Role.YOUNG_PERSON and p.nickname)
    return found


KEPT_ALL = ["YP-11M", "YP-13M", "YP-26Y", "YP-OPEN"]
EXPECTED_COUNTS = {
    "progress_after_closure": {
        "conversations": 2, "recent_messages": 0, "module_progress": 2, "checkin_answers": 2,
        "checkin_schedules": 2, "safety_timers": 2, "safety_plans": 2, "wheel_results": 2,
        "chat_messages": 2, "people.nickname": 2},
    "safeguarding_after_closure": {
        "alert_events": 1, "relays": 1, "outbox": 1, "safety_timers": 0, "alerts": 1,
        "case_notes": 1, "audit_log": 1, "invites": 1, "jobs": 1, "conversations": 0,
        "recent_messages": 0, "module_progress": 0, "checkin_answers": 0, "checkin_schedules": 0,
        "safety_plans": 0,
        "wheel_results": 0, "chat_messages": 0, "people (made anonymous)": 1},
    "processed_updates": {"processed_updates": 0},
    "outbox_sent": {"outbox": 0},
    "jobs_finished": {"jobs": 0},
    "chat_message_ids": {"chat_messages": 0},
    "recent_messages": {"recent_messages": 0},
}


async def test_the_default_policy_removes_progress_after_12_months_and_the_record_after_25_years(
        db, clock):
    ids = await populate(db, clock)
    report = await purge(db, RetentionPolicy(), now=clock())
    assert report.counts == EXPECTED_COUNTS

    gone_id = ids["YP-26Y"]
    progress_kept = ["YP-11M", "YP-OPEN"]
    record_kept = ["YP-11M", "YP-13M", "YP-OPEN"]
    assert await remaining(db) == {
        "conversations": progress_kept, "module_progress": progress_kept,
        "checkin_schedules": progress_kept, "checkin_answers": progress_kept,
        "safety_timers": progress_kept, "safety_plans": progress_kept,
        "wheel_results": progress_kept, "chat_messages": progress_kept,
        "alerts": record_kept, "alert_events": record_kept, "relays": record_kept,
        "case_notes": record_kept, "audit_log": [*record_kept, "purge"],
        "invites": record_kept, "jobs": record_kept, "outbox": record_kept,
        "nicknames": ["YP-11M: Nick YP-11M", "YP-OPEN: Nick YP-OPEN"],
    }
    async with db.transaction() as session:
        anonymous = await session.get(Person, gone_id)
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "purge"))
    assert (anonymous.pseudonym, anonymous.telegram_id, anonymous.nickname, anonymous.worker_id,
            anonymous.age_band, anonymous.active) == (f"GONE-{gone_id}", None, None, None, None, False)
    assert (audit.actor_id, audit.subject_id, audit.at) == (None, None, clock())
    assert audit.detail["counts"] == EXPECTED_COUNTS
    assert audit.detail["policy"]["progress_months"] == 12

    again = await purge(db, RetentionPolicy(), now=clock())  # nothing more to do
    assert again.total == 0


async def test_a_dry_run_removes_nothing_and_says_what_a_real_run_would_remove(db, clock):
    await populate(db, clock)
    before = await remaining(db)
    report = await purge(db, RetentionPolicy(), now=clock(), dry_run=True)
    assert report.counts == EXPECTED_COUNTS
    assert report.lines()[:3] == [
        "Purge (dry run) at 2026-03-02 16:00 UTC: would remove 27 rows or values.",
        "conversation and progress data, after closure:",
        "  conversations              2"]
    after = await remaining(db)
    assert after == {**before, "audit_log": sorted([*before["audit_log"], "purge_dry_run"])}
    async with db.transaction() as session:
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "purge_dry_run"))
    assert (audit.actor_id, audit.detail["counts"]) == (None, EXPECTED_COUNTS)
    assert (await purge(db, RetentionPolicy(), now=clock())).counts == EXPECTED_COUNTS


async def test_the_area_may_delete_the_person_row_instead(db, clock):
    ids = await populate(db, clock)
    report = await purge(db, RetentionPolicy(safeguarding_end="delete"), now=clock())
    assert report.counts["safeguarding_after_closure"]["people"] == 1
    async with db.transaction() as session:
        assert await session.get(Person, ids["YP-26Y"]) is None
        assert sorted(await session.scalars(select(Person.pseudonym))) == [
            "SW-JO", "YP-11M", "YP-13M", "YP-OPEN"]


async def test_someone_who_came_back_to_the_chat_after_closure_keeps_their_progress(db, clock):
    ids = await populate(db, clock)
    async with db.transaction() as session:
        (await session.get(Person, ids["YP-13M"])).last_active_at = clock() - timedelta(days=30)
    report = await purge(db, RetentionPolicy(), now=clock())
    assert report.counts["progress_after_closure"]["conversations"] == 1
    assert (await remaining(db))["conversations"] == ["YP-11M", "YP-13M", "YP-OPEN"]


async def test_a_shorter_policy_from_the_area_is_honoured(db, clock):
    await populate(db, clock)
    report = await purge(db, RetentionPolicy(progress_months=6, safeguarding_years=1), now=clock())
    assert report.counts["progress_after_closure"]["conversations"] == 3
    assert report.counts["safeguarding_after_closure"]["people (made anonymous)"] == 2
    assert (await remaining(db))["alerts"] == ["YP-11M", "YP-OPEN"]


async def test_routine_purges_of_update_ids_sent_messages_finished_jobs_and_old_message_ids(
        db, clock):
    now = clock()
    days = timedelta(days=1)
    async with db.transaction() as session:
        session.add_all([
            ProcessedUpdate(update_id=1, at=now - 8 * days),
            ProcessedUpdate(update_id=2, at=now - 6 * days),
            OutboxMessage(chat_id=1, text="", status="sent", sent_at=now - 31 * days),
            OutboxMessage(chat_id=2, text="", status="sent", sent_at=now - 29 * days),
            OutboxMessage(chat_id=3, text="x", status="failed", created_at=now - 31 * days),
            OutboxMessage(chat_id=4, text="x", status="pending", created_at=now - 40 * days),
            Job(kind="a", status="done", due_at=now - 32 * days, finished_at=now - 31 * days),
            Job(kind="b", status="done", due_at=now - 32 * days, finished_at=now - 29 * days),
            Job(kind="c", status="cancelled", due_at=now - 31 * days),
            Job(kind="d", status="pending", due_at=now - 40 * days),
            ChatMessage(chat_id=7, message_id=1, at=now - timedelta(hours=49)),
            ChatMessage(chat_id=7, message_id=2, at=now - timedelta(hours=47)),
        ])
    report = await purge(db, RetentionPolicy(), now=now)
    assert {rule: report.counts[rule] for rule in
            ("processed_updates", "outbox_sent", "jobs_finished", "chat_message_ids")} == {
        "processed_updates": {"processed_updates": 1},
        "outbox_sent": {"outbox": 2},
        "jobs_finished": {"jobs": 2},
        "chat_message_ids": {"chat_messages": 1},
    }
    async with db.transaction() as session:
        assert list(await session.scalars(select(ProcessedUpdate.update_id))) == [2]
        assert sorted(await session.scalars(select(OutboxMessage.chat_id))) == [2, 4]
        assert sorted(await session.scalars(select(Job.kind))) == ["b", "d"]
        assert list(await session.scalars(select(ChatMessage.message_id))) == [2]
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_months_are_calendar_months():
    from datetime import UTC, datetime

    assert months_before(datetime(2026, 3, 31, 9, tzinfo=UTC), 1) == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert months_before(datetime(2026, 3, 2, tzinfo=UTC), 12) == datetime(2025, 3, 2, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 300) == datetime(2001, 1, 15, tzinfo=UTC)


@pytest.mark.parametrize("flag", [["--dry-run"], []])
def test_the_admin_command_prints_the_counts_and_audits(flag, tmp_path, monkeypatch, capsys):
    import asyncio

    from bot.app.cli import main
    from bot.db.engine import Database

    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["admin", "purge", *flag]) == 0
    out = capsys.readouterr().out.splitlines()
    head = r"Purge \(dry run\) at" if flag else "Purge at"
    verb = "would remove" if flag else "removed"
    assert re.fullmatch(head + r" \d{4}-\d\d-\d\d \d\d:\d\d UTC: " + verb + r" 0 rows or values\.",
                        out[0])
    assert out[1:4] == ["conversation and progress data, after closure:",
                        "  conversations              0", "  module_progress            0"]

    async def audit():
        database = Database(url)
        try:
            async with database.transaction() as session:
                return list(await session.scalars(select(AuditEntry.action)))
        finally:
            await database.dispose()

    assert asyncio.run(audit()) == ["purge_dry_run" if flag else "purge"]
