"""The router alone, in one process: updates per second, SQL statements per update, GC time.

No Telegram and no HTTP: young people (seeded as in bench/load.py) tap through menus and
modules straight into `ConversationRouter.handle`, 32 at once, each update recording its reply's
message id as the webhook does. It shows what an update costs in the database layer, apart
from the web server and the Bot API.

    .venv/bin/python bench/router.py                    # SQLite, then PostgreSQL if it answers
    .venv/bin/python bench/router.py --db postgres --updates 5000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import load  # noqa: E402  (the same seeding and database set-up as the load test)

from bot.app.runtime import GC_THRESHOLDS  # noqa: E402
from bot.app.services import build_services  # noqa: E402
from bot.db.engine import Database  # noqa: E402
from bot.router import Identity  # noqa: E402
from flows.base import Event  # noqa: E402

PEOPLE = 500
PYTHON_GC_DEFAULTS = (700, 10, 10)
AT_ONCE = 32


class GcTimer:
    """Seconds spent in garbage collection, from gc.callbacks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1


async def run(kind: str, updates: int, tuned_gc: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="rise-router-"))
    url = await load.fresh_database(kind, workdir)
    await load.seed(url, PEOPLE)
    db = Database(url)
    services = build_services(db)
    router, message_log = services.router, services.message_log
    assert message_log is not None
    statements: Counter[str] = Counter()
    event.listen(db.engine.sync_engine, "before_cursor_execute",
                 lambda *args: statements.update([" ".join(args[2].split()[:3])]))
    rng = random.Random(7)
    last: dict[int, list] = {}
    next_id = iter(range(1, 10**9))

    async def act(user: int) -> None:
        update_id = next(next_id)
        replies = last.get(user) or []
        labels = [b.data for r in replies[-1:] for row in r.buttons for b in row
                  if not b.data.startswith("help")]
        what = Event.button(rng.choice(labels)) if labels else Event.slash("menu")
        last[user] = await router.handle(Identity(user, user), what, update_id=update_id)
        await message_log.record(user, [update_id])

    users = list(range(load.FIRST_YP, load.FIRST_YP + PEOPLE))
    for user in users[:AT_ONCE]:  # connections, caches: not measured
        await act(user)
    statements.clear()
    gc.unfreeze()
    gc.set_threshold(*PYTHON_GC_DEFAULTS)
    if tuned_gc:  # what bot.app.runtime.settle_memory does in the web and polling processes
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
    timer = GcTimer()
    gc.callbacks.append(timer)
    gate = asyncio.Semaphore(AT_ONCE)
    busy: set[int] = set()

    async def one(n: int) -> None:
        async with gate:
            user = users[n % len(users)]
            while user in busy:  # one person's updates one at a time, as Telegram sends them
                user = rng.choice(users)
            busy.add(user)
            try:
                await act(user)
            finally:
                busy.discard(user)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(updates)))
    seconds = time.perf_counter() - started
    gc.callbacks.remove(timer)
    await message_log.close()
    await db.dispose()
    total = sum(statements.values())
    print(f"{kind:8} gc={'tuned' if tuned_gc else 'default':7} {updates / seconds:6.0f} updates/s"
          f"  {total / updates:4.2f} statements/update  gc {timer.seconds:4.2f} s in "
          f"{timer.collections} collections")
    for statement, count in statements.most_common(8):
        print(f"      {count / updates:4.2f}  {statement}")


async def main(args: argparse.Namespace) -> None:
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    if "postgres" in kinds and not await load.postgres_answers():
        print(f"PostgreSQL does not answer at {load.PG_ADMIN}: SQLite only", file=sys.stderr)
        kinds.remove("postgres")
    for kind in kinds:
        for tuned in (False, True):
            await run(kind, args.updates, tuned)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--updates", type=int, default=3000)
    asyncio.run(main(parser.parse_args()))
