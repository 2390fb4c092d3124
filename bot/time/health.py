"""Is the system alive? The clock's heartbeat row, `/healthz`'s verdict, the dead-man's switch.

The clock process writes `heartbeats.clock` on every tick. Web processes answer `/healthz` from
it (a stale heartbeat means nobody is sending alerts or re-escalating them), and the clock pings
an outside dead-man's-switch URL every minute, so a silent death of the whole machine is noticed
by someone else too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp

from bot.db.engine import Database
from bot.db.models import Heartbeat

log = logging.getLogger(__name__)

CLOCK = "clock"
STALE_AFTER = timedelta(seconds=60)
DEADMAN_EVERY = 60.0


def _whoami() -> str:
    return f"{socket.gethostname()[:80]} pid {os.getpid()}"


async def beat(db: Database, name: str, now: datetime) -> None:
    """Record that `name` is alive now (its own short transaction)."""
    async with db.transaction() as session:
        row = await session.get(Heartbeat, name)
        if row is None:
            session.add(Heartbeat(name=name, beat_at=now, detail=_whoami()))
        else:
            row.beat_at = now
            row.detail = _whoami()


@dataclass
class Health:
    ok: bool
    database: str
    clock_age_seconds: float | None
    # "ok", or "degraded" when the semantic model did not load and the lexicon runs alone: still
    # 200 (every message is still scanned), but the log says why and a person should look
    detector: str = "ok"

    def as_json(self) -> dict:
        return {"ok": self.ok, "database": self.database, "detector": self.detector,
                "clock": ("missing" if self.clock_age_seconds is None
                          else "stale" if self.clock_age_seconds > STALE_AFTER.total_seconds()
                          else "ok"),
                "clock_age_seconds": (None if self.clock_age_seconds is None
                                      else round(self.clock_age_seconds, 1))}


async def check(db: Database, now: datetime, *, stale_after: timedelta = STALE_AFTER,
                timeout: float = 2.0) -> Health:
    """Healthy when the database answers and the clock beat within `stale_after`."""
    try:
        # a read, not a write transaction: it never queues behind updates for a write turn
        async with asyncio.timeout(timeout), db.sessions() as session:
            row = await session.get(Heartbeat, CLOCK)
    except Exception as error:  # unreachable, timed out, schema missing: all "not healthy"
        log.warning("health check: database", extra={"error_type": type(error).__name__})
        return Health(False, "unreachable", None)
    if row is None:
        return Health(False, "ok", None)
    age = (now - row.beat_at).total_seconds()
    return Health(age <= stale_after.total_seconds(), "ok", age)


class DeadMansSwitch:
    """GET `url` every minute while the clock is ticking; failures are logged, never fatal."""

    def __init__(self, url: str, last_tick: Callable[[], float | None], *,
                 every: float = DEADMAN_EVERY, loop_time: Callable[[], float] | None = None):
        self.url = url
        self.every = every
        self.last_tick = last_tick  # loop time of the clock's last finished tick
        self._loop_time = loop_time
        self.pings = 0

    def _now(self) -> float:
        return self._loop_time() if self._loop_time else asyncio.get_running_loop().time()

    async def ping_once(self, session: aiohttp.ClientSession) -> bool:
        tick = self.last_tick()
        if tick is None or self._now() - tick > STALE_AFTER.total_seconds():
            log.warning("dead-man's switch not pinged: the clock is not ticking")
            return False
        try:
            async with session.get(self.url, timeout=aiohttp.ClientTimeout(total=10)) as resp:
                if resp.status >= 400:
                    log.warning("dead-man's switch answered %s", resp.status)
                    return False
        except Exception as error:
            log.warning("dead-man's switch unreachable", extra={"error_type": type(error).__name__})
            return False
        self.pings += 1
        return True

    async def run(self, stop: asyncio.Event) -> None:
        async with aiohttp.ClientSession() as session:
            while not stop.is_set():
                await self.ping_once(session)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.every)
