from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.sandbox.fake_telegram import FakeTelegram
from content.loader import Content
from tests.e2e.harness import Stack


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
