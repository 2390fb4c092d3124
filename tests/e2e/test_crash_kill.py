"""The issue 17 crash test: a real `rise-bot run` process, polling the fake Bot API, is killed
with SIGKILL 0-60 ms after a young person sends a danger message, then started again. Every
kill's page must reach the on-duty worker within 10 s of the restart.

RISE_CRASH_KILLS sets how many kills (default 10, about 40 s here; 50 for the full run).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot import people
from bot.crypto import keyring
from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.db.models import Role
from bot.sandbox.fake_telegram import FakeTelegram

DUTY = 9101
KILLS = int(os.environ.get("RISE_CRASH_KILLS", "10"))
WITHIN = 10.0  # seconds from restart to the page


def _start_bot(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env,
                                stdout=out, stderr=out, cwd=Path(__file__).parents[2])


async def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    while process.poll() is None:
        await asyncio.sleep(0.005)


async def _onboard(server: FakeTelegram, user_id: int) -> None:
    """A new young person joins through the running bot (waiting as long as it takes to start)."""
    server.add_user(user_id, f"Y{user_id}")
    steps = [("send", "/start"), ("press", "Let's start"), ("press", "OK, I understand"),
             ("send", "Sky"), ("press", "14 to 17")]
    for number, (how, what) in enumerate(steps):
        since = server.mark(user_id)
        server.send_text(user_id, what) if how == "send" else server.press(user_id, what)
        await server.wait_for_bot_messages(user_id, 1, timeout=60 if number == 0 else 15,
                                           since=since)
        if how == "press" or number == 3:  # the reply may come in more than one message
            await asyncio.sleep(0.05)


def _paged(server: FakeTelegram, alert: int) -> bool:
    return any(text.startswith("🚨") and re.search(rf"alert #{alert}\b", text)
               for text in server.bot_texts(DUTY))


async def test_kill_9_after_a_danger_message_loses_no_page(tmp_path):
    server = FakeTelegram(token="123456:AAHcrashtestcrashtestcrashtest12345")
    await server.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    await upgrade_async(url)
    db = Database(url)
    async with db.transaction() as session:
        worker = await people.create_person(session, Role.DUTY_WORKER, telegram_id=DUTY,
                                            display_name="Dee")
        worker.on_duty = True
    await db.dispose()
    server.add_user(DUTY, "Dee")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": server.token,
           "TELEGRAM_BASE_URL": server.base_url, "DATABASE_URL": url,
           "ENCRYPTION_KEYS": keyring.primary.decode(), "LOG_LEVEL": "WARNING",
           "BOT_DISPLAY_NAME": "Sky Chat"}
    log = tmp_path / "bot.log"
    chance = random.Random(os.environ.get("RISE_CRASH_SEED"))
    delays: list[float] = []
    process = _start_bot(env, log)
    try:
        for kill in range(1, KILLS + 1):
            young = 3000 + kill
            await _onboard(server, young)
            server.send_text(young, "he's outside my house with a knife")
            await asyncio.sleep(chance.uniform(0, 0.06))
            await _kill(process)
            restarted = time.monotonic()
            process = _start_bot(env, log)
            try:
                await server.wait_for(lambda kill=kill: _paged(server, kill), timeout=WITHIN,
                                      what=f"the page for alert #{kill}")
            finally:
                delays.append(time.monotonic() - restarted)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                await _kill(process)
        await server.stop()
        pages = sum(_paged(server, n) for n in range(1, KILLS + 1))
        print(f"\ncrash test: kills {len(delays)} / pages delivered {pages} / "
              f"worst delay {max(delays, default=0):.2f} s after restart")
    assert pages == KILLS
    assert max(delays) <= WITHIN
    assert "outside my house" not in log.read_text(errors="replace")  # never logged
