"""The conversation, module progress and safety plan come with the person and are written with
plain statements, only when they changed, and read back exactly as the flows left them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.db.models import Conversation, ModuleProgress, Person, SafetyPlanRecord
from bot.records.conversation_record import ConversationRecord
from tests.transcript import Chat


@pytest.fixture
def writes(db) -> list[str]:
    """Every statement that writes a conversation or a progress row, or reads progress alone
    (progress normally comes with the person), by its first words."""
    seen: list[str] = []

    def note(_conn, _cursor, statement: str, *_args) -> None:
        words = statement.split()
        if words[0] == "INSERT" and words[2] in ("conversations", "module_progress"):
            seen.append(f"INSERT {words[2]}")
        elif words[0] == "UPDATE" and words[1] in ("conversations", "module_progress"):
            seen.append(f"UPDATE {words[1]}")
        elif words[0] == "INSERT" and words[2] == "safety_plans":
            seen.append("INSERT safety_plans")
        elif words[0] == "UPDATE" and words[1] == "safety_plans":
            seen.append("UPDATE safety_plans")
        elif words[0] == "SELECT" and words[1].startswith(("module_progress.",
                                                            "safety_plans.")):
            seen.append(f"SELECT {words[1].split('.')[0]}")

    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    return seen


async def test_a_tap_that_changes_nothing_writes_nothing(practice_router, db, writes):
    chat = Chat(practice_router, telegram_id=6101)
    await chat.onboard(nickname="Sky")
    writes.clear()

    await chat.press("🆘 Help")  # help comes and goes without moving them
    assert writes == []
    await chat.press("↩️ Back to where I was")
    assert writes == []

    await chat.press("📚 Modules")
    assert writes == ["UPDATE conversations"]


async def test_module_steps_and_answers_are_saved_one_statement_each(practice_router, db, writes):
    chat = Chat(practice_router, telegram_id=6102)
    await chat.onboard(nickname="Sky")
    await chat.press("📚 Modules")
    writes.clear()

    await chat.press("Practice module")
    assert writes == ["INSERT module_progress", "UPDATE conversations"]
    writes.clear()
    await chat.press("Next ▶️")
    await chat.press("Not great")
    await chat.press("Next ▶️")
    await chat.press("Yes")  # a quiz question, answered wrongly
    assert writes == ["UPDATE module_progress", "UPDATE conversations"] * 4

    async with db.transaction() as session:
        row = await session.scalar(select(ModuleProgress))
        convo = await session.scalar(select(Conversation))
    assert (row.step, row.questions, row.score) == (2, 1, 0)
    assert set(row.answers) == {"feeling", "law"}
    assert row.answers["law"] == {"option": 0, "correct": False}
    assert (convo.flow, convo.state) == ("module", "answered")
    assert row.started_at is not None and row.completed_at is None


async def test_finishing_a_module_keeps_when_it_was_started_and_finished(practice_router, db,
                                                                          clock):
    chat = Chat(practice_router, telegram_id=6103)
    await chat.onboard(nickname="Sky")
    await chat.press("📚 Modules")
    started = clock.now
    await chat.press("Practice module")
    clock.advance(minutes=5)
    for tap in ("Next ▶️", "Good", "Next ▶️", "No", "Next ▶️", "Next ▶️", "Skip"):
        await chat.press(tap)
    replies = await chat.press("Next ▶️")
    assert replies[0].text.startswith("🎉 You finished")
    finished = clock.now
    clock.advance(minutes=5)
    await chat.press("📚 Modules")
    await chat.press("✅ Practice module")  # again, from the start
    await chat.press("Next ▶️")

    async with db.transaction() as session:
        row = await session.scalar(select(ModuleProgress))
    assert (row.started_at, row.completed_at) == (started, finished)
    assert (row.step, row.questions, row.score) == (1, 1, 1)


def test_a_context_changed_in_place_still_counts_as_a_change():
    record = ConversationRecord(1, "menu", "main", {"page": 1})
    assert record.changed()  # never saved
    record.mark_saved()
    assert not record.changed()
    record.context["page"] = 2
    assert record.changed()
    record.mark_saved()
    record.state = "about"
    assert record.changed()


async def test_last_active_is_written_at_most_once_a_minute(practice_router, db, clock):
    chat = Chat(practice_router, telegram_id=6104)
    people_updates: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: people_updates.append(statement)
                 if statement.startswith("UPDATE people SET") and "id = id" not in statement
                 else None)  # (not SQLite's way of taking the write lock)
    await chat.onboard(nickname="Sky")  # the nickname and last active go in the same UPDATEs
    onboarded = clock.now
    clock.advance(seconds=30)
    await chat.press("📚 Modules")
    assert await _last_active(db) == onboarded
    writes_so_far = len(people_updates)

    clock.advance(minutes=2)
    await chat.press("🏠 Menu")
    assert await _last_active(db) == clock.now
    assert len(people_updates) == writes_so_far + 1
    assert "last_active_at" in people_updates[-1] and "nickname" not in people_updates[-1]


async def _last_active(db):
    async with db.transaction() as session:
        return await session.scalar(select(Person.last_active_at))


async def test_the_safety_plan_comes_with_the_person_and_a_section_is_one_statement(
        router, db, writes, clock):
    chat = Chat(router, telegram_id=6105)
    await chat.onboard(nickname="Sky")
    writes.clear()
    await chat.press("🛟 My safety plan")
    await chat.press("🚦 Signs that I'm not OK (0)")
    assert writes == ["UPDATE conversations"] * 2  # the plan was read with the person

    await chat.press("I can't sleep")
    assert writes[2:] == ["INSERT safety_plans"]  # (their place in the plan did not move)
    clock.advance(minutes=1)
    replies = await chat.send("I go really quiet")
    assert writes[3:] == ["UPDATE safety_plans"]
    assert "• I can't sleep\n• I go really quiet" in replies[1].text

    async with db.transaction() as session:
        plan = await session.scalar(select(SafetyPlanRecord))
    assert plan.sections == {"signs": ["I can't sleep", "I go really quiet"]}
    assert (plan.created_at, plan.updated_at) == (clock.now - timedelta(minutes=1), clock.now)
