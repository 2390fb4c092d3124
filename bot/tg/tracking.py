"""Knowing when an update has been fully handled, so tests and the demo can wait without sleeps."""

from __future__ import annotations

import asyncio


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
