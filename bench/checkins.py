"""How fast do due check-ins leave? 10,000 check-ins due at 18:00, the real clock job handler,
the real outbox sender and the real PTB Bot, against the fake Bot API with Telegram's flood limits
switched on. Prints figures; asserts nothing.

    .venv/bin/python bench/checkins.py            # 10,000 (about six minutes: 30 a second)
    .venv/bin/python bench/checkins.py --count 2000
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from telegram import Bot

from bot.app.services import build_services
from bot.db.engine import Database
from bot.db.models import Role
from bot.records import people
from bot.sandbox.fake_telegram import FakeTelegram


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def main(count: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    server = FakeTelegram(enforce_limits=True)
    await server.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await db.create_all()
        clock = Clock()
        services = build_services(db, now=clock)
        started = time.perf_counter()
        async with db.transaction() as session:
            for n in range(count):
                server.add_user(1_000_000 + n, f"P{n}")
                person = await people.create_person(session, Role.YOUNG_PERSON,
                                                    telegram_id=1_000_000 + n)
                person.privacy_accepted_at = clock()
                await services.checkins.set_schedule(session, person, pattern="daily",
                                                     times=["18:00"], by=None, now=clock())
        setup = time.perf_counter() - started
        bot = Bot(server.token, base_url=server.base_url)
        async with bot:
            sender = services.attach_bot(bot)
            clock.now = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
            started = time.perf_counter()
            ran = await services.clock.tick()
            ticked = time.perf_counter() - started
            started = time.perf_counter()
            sent = await sender.deliver_due()
            sending = time.perf_counter() - started
        calls = sorted(c.time for c in server.calls_for("sendMessage"))
        busiest = 0
        j = 0
        for i, start in enumerate(calls):
            while j < len(calls) and calls[j] - start < 1.0:
                j += 1
            busiest = max(busiest, j - i)
        await db.dispose()
    await server.stop()
    spread = calls[-1] - calls[0] if len(calls) > 1 else 0.0
    print(f"check-ins due at once:        {count}")
    print(f"set-up (people + schedules):  {setup:.1f} s")
    print(f"clock tick (jobs -> outbox):  {ran} jobs in {ticked:.1f} s "
          f"({ran / ticked:.0f} jobs/s)")
    print(f"sent:                         {sent} in {sending:.1f} s")
    print(f"send rate achieved:           {(len(calls) - 1) / spread:.2f} messages/s"
          if spread else "send rate achieved: n/a")
    print(f"busiest second:               {busiest} messages")
    print(f"429s from the fake server:    {len(server.limit_violations)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().count))
