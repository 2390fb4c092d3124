"""The issue 17 crash test: real bot processes are killed with SIGKILL 0-60 ms after a young
person sends a danger message, then started again. Every kill's page must reach the on-duty
worker within 10 s of the restart.

Two deployments are tried: `rise-bot run` (polling, one process), and `rise-bot webhook` beside
`rise-bot clock`, where each kill takes down the web process, the clock, or both at once.
RISE_CRASH_KILLS sets how many kills each (default 50: about a minute and a half each here).
The young people have joined already (seeded), so the time goes on the crashes.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.crypto import keyring
from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.db.models import Conversation, Role
from bot.records import people
from bot.sandbox.fake_telegram import FakeTelegram
from tests.conftest import on_postgres

pytestmark = pytest.mark.skipif(on_postgres(), reason="SQLite only: the bot processes get a "
                                "database file of their own (the SQLite pass ran this test)")

DUTY = 9101
FIRST_YOUNG = 3001
KILLS = int(os.environ.get("RISE_CRASH_KILLS", "50"))
WITHIN = 10.0  # seconds from restart to the page
DANGER = "he's outside my house with a knife"
SECRET = "crash-test-webhook-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _seed(url: str, count: int) -> None:
    """An on-duty worker and `count` young people who have joined (privacy read, nickname)."""
    await upgrade_async(url)
    db = Database(url)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        worker = await people.create_person(session, Role.DUTY_WORKER, telegram_id=DUTY,
                                            display_name="Dee")
        worker.on_duty = True
        for telegram_id in range(FIRST_YOUNG, FIRST_YOUNG + count):
            young = await people.create_person(session, Role.YOUNG_PERSON,
                                               telegram_id=telegram_id)
            young.nickname, young.age_band, young.privacy_accepted_at = "Sky", "14-17", now
            session.add(Conversation(person_id=young.id, flow="menu", state="", context={}))
    await db.dispose()


class Deployment:
    """The bot's processes for one mode, started, killed and restarted as the test says."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str], logs: Path):
        self.commands, self.env, self.logs = commands, env, logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, names: list[str] | None = None) -> None:
        for name in names or list(self.commands):
            with (self.logs / f"{name}.log").open("ab") as out:
                self.running[name] = subprocess.Popen(
                    [sys.executable, "-m", "bot.app.cli", *self.commands[name]], env=self.env,
                    stdout=out, stderr=out, cwd=Path(__file__).parents[2])

    async def kill(self, names: list[str]) -> None:
        for name in names:
            self.running[name].send_signal(signal.SIGKILL)
        while any(self.running[name].poll() is None for name in names):
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.running.items():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                await self.kill([name])

    def log_text(self) -> str:
        return "".join(log.read_text(errors="replace") for log in self.logs.glob("*.log"))


def _polling(env: dict[str, str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    return {"run": ["run"]}, env


def _webhook_and_clock(env: dict[str, str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    port = _free_port()
    return ({"webhook": ["webhook", "--port", str(port)], "clock": ["clock"]},
            {**env, "WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_SECRET": SECRET})


def _paged(server: FakeTelegram, alert: int) -> bool:
    return any(text.startswith("🚨") and re.search(rf"alert #{alert}\b", text)
               for text in server.bot_texts(DUTY))


@pytest.mark.parametrize("mode", [_polling, _webhook_and_clock], ids=["run", "webhook+clock"])
async def test_kill_9_after_a_danger_message_loses_no_page(
        tmp_path, mode: Callable[[dict[str, str]], tuple[dict[str, list[str]], dict[str, str]]]):
    server = FakeTelegram(token="123456:AAHcrashtestcrashtestcrashtest12345")
    await server.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    await _seed(url, KILLS)
    server.add_user(DUTY, "Dee")
    for telegram_id in range(FIRST_YOUNG, FIRST_YOUNG + KILLS):
        server.add_user(telegram_id, f"Y{telegram_id}")
    commands, env = mode({**os.environ, "TELEGRAM_BOT_TOKEN": server.token,
                          "TELEGRAM_BASE_URL": server.base_url, "DATABASE_URL": url,
                          "ENCRYPTION_KEYS": keyring.primary.decode(), "LOG_LEVEL": "WARNING",
                          "BOT_DISPLAY_NAME": "Sky Chat"})
    bot = Deployment(commands, env, tmp_path)
    chance = random.Random(os.environ.get("RISE_CRASH_SEED"))
    delays: list[float] = []
    bot.start()
    try:
        # the first young person's answer says the processes are up
        since = server.mark(FIRST_YOUNG)
        server.send_text(FIRST_YOUNG, "/menu")
        await server.wait_for_bot_messages(FIRST_YOUNG, 1, timeout=60, since=since)
        for kill in range(1, KILLS + 1):
            server.send_text(FIRST_YOUNG + kill - 1, DANGER)
            await asyncio.sleep(chance.uniform(0, 0.06))
            victims = chance.choice([[name] for name in commands] + [list(commands)])
            await bot.kill(victims)
            restarted = time.monotonic()
            bot.start(victims)
            try:
                await server.wait_for(lambda kill=kill: _paged(server, kill), timeout=WITHIN,
                                      what=f"the page for alert #{kill}")
            finally:
                delays.append(time.monotonic() - restarted)
    finally:
        await bot.stop()
        await server.stop()
        pages = sum(_paged(server, n) for n in range(1, KILLS + 1))
        print(f"\ncrash test ({' + '.join(commands)}): kills {len(delays)} / pages delivered "
              f"{pages} / worst delay {max(delays, default=0):.2f} s after restart")
    assert pages == KILLS
    assert max(delays) <= WITHIN
    assert "outside my house" not in bot.log_text()  # never logged
