"""SQLite's writers take turns, first come first served, across tasks and across processes.

SQLite lets one writer in at a time and makes the others poll: its busy handler sleeps 1, 2,
5 ... up to 100 ms between tries, so a writer that just missed the lock waits a long while,
and one that arrives later can slip in first. Under load (the bench's 60 updates at once) the
clock's claim on a page waited seconds behind the web process's stream of updates.

So each write transaction first takes its turn here: an asyncio lock queues this process's
tasks in arrival order, and an `flock` on a file beside the database hands the lock from one
process to the next the moment it is released (the kernel wakes the waiter; nobody polls).
The turn only orders writers fairly: SQLite's own locking still keeps the data safe, so a turn
that goes wrong (a cancelled wait) costs fairness, never correctness.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


def beside_database(url: str, suffix: str) -> Path | None:
    """A file next to a SQLite database file; None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database + suffix)


def lock_path(url: str) -> Path | None:
    """The file the writers' turn is taken on."""
    return beside_database(url, ".writer-lock")


class WriteTurn:
    """One writer at a time, in the order they asked."""

    def __init__(self, path: Path | None, *, wait: float):
        self.path = path
        self.wait = wait  # as SQLite's busy timeout: then the update fails and is delivered again
        self._lock: asyncio.Lock | None = None
        self._fd: int | None = None
        self._holder: asyncio.Task | None = None  # a transaction inside it need not queue

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        me = asyncio.current_task()
        if me is not None and me is self._holder:
            yield
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with asyncio.timeout(self.wait):  # never wait for ever on a stuck holder
            await self._lock.acquire()
            try:
                await self._lock_file()
            except BaseException:
                self._lock.release()
                raise
        self._holder = me
        try:
            yield
        finally:
            self._holder = None
            self._unlock_file()
            self._lock.release()

    async def _lock_file(self) -> None:
        if self.path is None:
            return
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fd = self._fd
        try:  # free (the usual case): taken here, without a trip to a thread
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waiting = asyncio.get_running_loop().run_in_executor(None, fcntl.flock, fd,
                                                             fcntl.LOCK_EX)
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            # the thread still gets the lock later: give it straight back when it does
            waiting.add_done_callback(lambda done: done.exception() is None
                                      and fcntl.flock(fd, fcntl.LOCK_UN))
            raise

    def _unlock_file(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
