"""How the hot path uses the database: a dropped connection, batched message ids, few queries."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app.services import build_services
from bot.db.models import ChatMessage
from bot.tg.message_log import MessageLog
from flows.base import Event
from tests.conftest import POSTGRES_URL, on_postgres
from tests.transcript import Chat


async def _ids_in_database(db) -> list[int]:
    async with db.transaction() as session:
        return list(await session.scalars(select(ChatMessage.message_id)
                                          .order_by(ChatMessage.message_id)))


async def test_message_ids_wait_for_their_batch_but_hide_sees_and_forgets_them_at_once(db, clock):
    log = MessageLog(db, clock, flush_after=60)
    await log.record(42, [7, 8])
    await log.record(43, [9])
    assert await _ids_in_database(db) == []  # still waiting for the batch
    assert await log.deletable(42) == [7, 8]  # /hide sees what waits, without waiting
    await log.forget_chat(42)  # ...and forgets it, written or not
    await log.close()
    assert await _ids_in_database(db) == [9]


async def test_message_ids_are_written_a_moment_later_in_one_insert(db, clock):
    log = MessageLog(db, clock, flush_after=0.01)
    inserts = []
    event.listen(db.engine.sync_engine, "before_cursor_execute",
                 lambda *args: inserts.append(args[2]) if "chat_messages" in args[2] else None)
    for message_id in range(1, 6):
        await log.record(42, [message_id])
    await log._flusher
    assert await _ids_in_database(db) == [1, 2, 3, 4, 5]
    assert len([s for s in inserts if s.startswith("INSERT")]) == 1


async def test_message_ids_are_kept_when_the_database_fails_and_written_on_close(db, clock,
                                                                                  monkeypatch):
    log = MessageLog(db, clock, flush_after=60)
    await log.record(42, [1, 2])
    real = db.transaction

    @contextlib.asynccontextmanager
    async def broken():
        raise ConnectionError("database away")
        yield  # pragma: no cover

    monkeypatch.setattr(db, "transaction", broken)
    with pytest.raises(ConnectionError):
        await log.flush()
    monkeypatch.setattr(db, "transaction", real)
    await log.close()
    assert await _ids_in_database(db) == [1, 2]


async def test_an_update_in_the_menu_costs_three_statements(db, content, clock):
    """Lock with the update id, the person with their conversation and module progress (what
    the menu shows), the save: no connection check, no second query for the conversation or
    the progress, no message-log transaction."""
    router = build_services(db, content=content, now=clock).router
    chat = Chat(router, 501)
    await chat.onboard()
    statements: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute",
                 lambda *args: statements.append(" ".join(args[2].split()[:3])))
    replies = await router.handle(chat.who, Event.button("menu:about"), update_id=9001)
    assert replies and len(statements) == 3, statements


@pytest.mark.skipif(not on_postgres(), reason="a server that drops a connection: PostgreSQL")
async def test_an_update_is_handled_again_when_the_server_dropped_its_connection(router, db):
    chat = Chat(router, 502)
    await chat.send("/start")
    async with db.engine.connect() as connection:  # the pooled connection the router used
        pid = await connection.scalar(text("SELECT pg_backend_pid()"))
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await admin.dispose()
    replies = await chat.press("Let's start")
    assert replies[0].text.startswith("Before we start")


async def test_a_database_error_never_carries_the_values_it_was_given(db, clock):
    """Errors are logged with their text; the values (Telegram ids, words) must not be in it."""
    from sqlalchemy.exc import IntegrityError

    from bot.db.models import ProcessedUpdate

    async with db.transaction() as session:
        session.add(ProcessedUpdate(update_id=987654321, at=clock()))
    with pytest.raises(IntegrityError) as raised:
        async with db.transaction() as session:
            await db.claim_update(session, 555000111, 987654321, clock())
    assert "987654321" not in str(raised.value) and "555000111" not in str(raised.value)
    assert "hidden" in str(raised.value)
