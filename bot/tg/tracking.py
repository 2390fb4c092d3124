"""Knowing when an update has been fully handled, so tests and the demo can wait without sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class UpdateTracker:
    """Counts handled updates; `wait_for(update_id)` returns once that update is done."""

    def __init__(self) -> None:
        self.done: set[int] = set()
        self.count = 0
        self._changed = asyncio.Condition()

    async def mark(self, update_id: int) -> None:
        async with self._changed:
            self.done.add(update_id)
            self.count += 1
            self._changed.notify_all()

    async def wait_for(self, update_id: int, timeout: float = 10.0) -> None:
        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: update_id in self.done)

        await asyncio.wait_for(_wait(), timeout)


class KeyedLocks:
    """One asyncio lock per key (a Telegram user), kept only while someone holds or awaits it,
    so memory follows the people active right now, not everyone who ever wrote."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:  # FIFO: a person's updates keep the order they arrived in
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
