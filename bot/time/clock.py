"""The clock: wakes up, claims due jobs from the database, and runs them.

APScheduler only provides the heartbeat; every job is a row (`jobs`) with `due_at` and a status,
so restarts lose nothing, and claiming with one atomic UPDATE (SKIP LOCKED on PostgreSQL) means
two clock processes never run one job twice. Tests call `tick()` with a fake clock instead of
waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import Job
from bot.time.claims import LEASE, RENEW_EVERY, claim
from bot.time.health import CLOCK, beat

log = logging.getLogger(__name__)

JobHandler = Callable[[AsyncSession, Job, datetime], Awaitable[None]]


def system_clock() -> datetime:
    """What time it is now (UTC): the default `now` of everything tests run on a fake one."""
    return datetime.now(UTC)


async def schedule(session: AsyncSession, kind: str, due_at: datetime, *,
                   person_id: int | None = None, payload: dict[str, Any] | None = None,
                   dedupe_key: str | None = None) -> Job | None:
    """Add a job in the caller's transaction; a repeated dedupe key adds nothing."""
    if dedupe_key is not None:
        existing = await session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
        if existing is not None:
            return None
    job = Job(kind=kind, due_at=due_at, person_id=person_id, payload=payload or {},
              dedupe_key=dedupe_key)
    session.add(job)
    await session.flush()
    return job


async def cancel(session: AsyncSession, *, kind: str, person_id: int | None = None,
                 payload_match: dict[str, Any] | None = None) -> int:
    """Cancel pending jobs of a kind (for a person); returns how many."""
    query = select(Job).where(Job.kind == kind, Job.status == "pending")
    if person_id is not None:
        query = query.where(Job.person_id == person_id)
    count = 0
    for job in await session.scalars(query):
        if payload_match and any(job.payload.get(k) != v for k, v in payload_match.items()):
            continue
        job.status = "cancelled"
        count += 1
    return count


class Clock:
    """Runs due jobs through the handler registered for their kind."""

    def __init__(self, db: Database, now: Callable[[], datetime], *, batch: int = 100):
        self.db = db
        self.now = now
        self.batch = batch
        self.handlers: dict[str, JobHandler] = {}
        self.after_tick: list[Callable[[], None]] = []
        self._scheduler: AsyncIOScheduler | None = None
        self.last_tick: float | None = None  # loop time of the last finished tick
        self._ticking = 0  # ticks running right now

    def register(self, kind: str, handler: JobHandler) -> None:
        self.handlers[kind] = handler

    async def tick(self) -> int:
        """Run every job that is due now; returns how many ran."""
        self._ticking += 1
        try:
            return await self._tick()
        finally:
            self._ticking -= 1

    async def _tick(self) -> int:
        ran = 0
        try:
            await beat(self.db, CLOCK, self.now())
        except Exception:  # a missed beat shows as a stale clock; never stop the jobs for it
            log.exception("heartbeat not recorded")
        while True:
            now = self.now()
            async with self.db.transaction() as session:
                jobs = await claim(
                    session, Job,
                    due=or_(and_(Job.status == "pending", Job.due_at <= now),
                            and_(Job.status == "claimed", Job.claimed_at <= now - LEASE)),
                    order_by=Job.due_at, limit=self.batch, now=now, claimed_status="claimed")
            if not jobs:
                break
            renewed = asyncio.get_running_loop().time()
            for job in jobs:
                # the rest of the batch stays ours while we work through it; a clock that died
                # holding a batch lets it go a lease later (seconds, not minutes)
                if asyncio.get_running_loop().time() - renewed >= RENEW_EVERY:
                    await self.renew(job.claim_token or "")
                    renewed = asyncio.get_running_loop().time()
                ran += await self._run(job)
        for callback in self.after_tick:
            callback()
        self.last_tick = asyncio.get_running_loop().time()
        return ran

    async def renew(self, token: str) -> int:
        """Push back the lease on the jobs claimed with `token` and not yet run."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(Job).where(Job.claim_token == token, Job.status == "claimed")
                .values(claimed_at=self.now()).execution_options(synchronize_session=False))
        return result.rowcount or 0

    async def _run(self, job: Job) -> int:
        handler = self.handlers.get(job.kind)
        try:
            async with self.db.transaction() as session:
                stored = await session.get(Job, job.id)
                if stored is None or stored.claim_token != job.claim_token:
                    return 0
                if handler is None:
                    stored.status = "failed"
                    log.error("no handler for job", extra={"kind": job.kind, "job_id": job.id})
                    return 0
                await handler(session, stored, self.now())
                if stored.status == "claimed":
                    stored.status = "done"
                    stored.finished_at = self.now()
            return 1
        except Exception:
            log.exception("job failed; it will be retried", extra={"kind": job.kind,
                                                                 "job_id": job.id})
            async with self.db.transaction() as session:
                stored = await session.get(Job, job.id)
                if stored is not None and stored.claim_token == job.claim_token:
                    stored.status = "pending"
                    stored.due_at = self.now() + timedelta(seconds=30)
            return 0

    def start(self, interval: float = 1.0) -> None:
        """Wake up every `interval` seconds inside the running event loop."""
        self._scheduler = AsyncIOScheduler()
        self._scheduler.add_job(self.tick, "interval", seconds=interval, max_instances=1,
                                coalesce=True, misfire_grace_time=None)
        self._scheduler.start()

    async def stop(self, *, wait: float = 5.0) -> None:
        """No new ticks; a tick already running may finish (up to `wait` seconds) rather than
        be cut off half-way through a job."""
        if self._scheduler is None:
            return
        scheduler, self._scheduler = self._scheduler, None
        scheduler.pause()
        deadline = asyncio.get_running_loop().time() + wait
        while self._ticking and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        scheduler.shutdown(wait=False)
