from __future__ import annotations

import pytest

from bot.sandbox.fake_telegram import FakeTelegram
from tests.e2e.harness import Stack


@pytest.fixture
async def stack(db, practice_content, clock):
    """Fake Telegram and the real bot, with the practice module."""
    server = FakeTelegram()
    await server.start()
    running = Stack(server=server, db=db, content=practice_content, clock=clock)
    await running.start_bot()
    yield running
    await running.stop_bot()
    await server.stop()
