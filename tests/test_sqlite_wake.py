"""SQLite's NOTIFY: committing an outbox row wakes the sender in another process at once."""

from __future__ import annotations

import asyncio
import os

import pytest

from bot.db.engine import Database
from bot.db.sqlite_wake import listen_for_wakes, wake_path
from bot.time.outbox import enqueue

pytestmark = pytest.mark.skipif(os.environ.get("RISE_TEST_DATABASE") == "postgres",
                                reason="SQLite only: PostgreSQL has NOTIFY")


@pytest.fixture
async def web_and_clock(tmp_path, clock):
    """A web process's database, and a clock listening beside it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    web = Database(url)
    await web.create_all()
    woken = asyncio.Event()
    stop = asyncio.Event()
    listening = asyncio.create_task(listen_for_wakes(url, woken.set, stop))
    while not wake_path(url).exists():
        await asyncio.sleep(0.001)
    yield web, woken
    stop.set()
    await listening
    assert not wake_path(url).exists()  # a clean stop leaves nothing behind
    await web.dispose()


async def test_a_committed_page_wakes_the_sender(web_and_clock, clock):
    web, woken = web_and_clock
    async with web.transaction() as session:
        await enqueue(session, chat_id=1, text="page", now=clock())
        await asyncio.sleep(0.05)
        assert not woken.is_set()  # not before the commit: the sender would find nothing
    await asyncio.wait_for(woken.wait(), 5)


async def test_a_rolled_back_message_wakes_nobody(web_and_clock, clock):
    web, woken = web_and_clock
    with pytest.raises(RuntimeError):
        async with web.transaction() as session:
            await enqueue(session, chat_id=1, text="never sent", now=clock())
            raise RuntimeError("the update failed")
    async with web.transaction():
        pass  # a later commit of nothing queued
    await asyncio.sleep(0.1)
    assert not woken.is_set()


async def test_with_nobody_listening_committing_still_works(tmp_path, clock):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'alone.db'}")
    await db.create_all()
    async with db.transaction() as session:
        await enqueue(session, chat_id=1, text="page", now=clock())
    await db.dispose()
