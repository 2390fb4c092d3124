from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.sandbox.fake_telegram import FakeTelegram
from content.loader import Content
from tests.e2e.harness import Stack


class RouterFailures(logging.Handler):
    """Catches "router failed" (bot.tg.app): the bot's error handler always replies, so a
    broken router still looks like a working bot to a test that only reads replies."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "router failed":
            self.records.append(record)

    def summary(self) -> str:
        kinds = [r.exc_info[0].__name__ if r.exc_info and r.exc_info[0] else "?"
                 for r in self.records]
        return f"the router failed {len(self.records)} time(s): {', '.join(kinds)}"


@pytest.fixture(autouse=True)
def no_router_failures(request):
    """Every end-to-end test fails if the router raised, unless it is marked
    ``router_may_fail`` (a test about what happens when it does)."""
    watcher = RouterFailures()
    logger = logging.getLogger("bot.tg.app")
    logger.addHandler(watcher)
    try:
        yield watcher
    finally:
        logger.removeHandler(watcher)
    if watcher.records and request.node.get_closest_marker("router_may_fail") is None:
        pytest.fail(f"{watcher.summary()} (see the log above; mark the test router_may_fail "
                    "if that is what it is about)", pytrace=False)


@asynccontextmanager
async def running_stack(db, content: Content, clock) -> AsyncIterator[Stack]:
    """Fake Telegram and the real bot speaking `content`, stopped afterwards."""
    server = FakeTelegram()
    await server.start()
    running = Stack(server=server, db=db, content=content, clock=clock)
    try:
        await running.start_bot()
        yield running
    finally:
        await running.stop_bot()
        await server.stop()


@pytest.fixture
async def stack(db, practice_content, clock):
    """Fake Telegram and the real bot, with the practice module."""
    async with running_stack(db, practice_content, clock) as running:
        yield running


@pytest.fixture
async def content_stack(db, content, clock):
    """Fake Telegram and the real bot, with the real content: every module in content/modules."""
    async with running_stack(db, content, clock) as running:
        yield running


@pytest.fixture
async def server():
    """The fake Bot API alone, for tests that deliver updates themselves (webhook mode)."""
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()
