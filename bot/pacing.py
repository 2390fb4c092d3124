"""Pacing sends to Telegram's flood limits: about 30 messages a second overall, and about one a
second to any one chat (with a small burst).

`Pacer` spaces sends evenly (a token bucket in GCRA form), so the far side never sees a clump
even when our requests are delayed unevenly on the way; it waits in FIFO order, so messages
leave in the order they were queued. `ChatPacer` says how long a chat must wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

SAFETY_MARGIN = 0.95  # a little under the cap, for jitter between our clock and Telegram's


class Pacer:
    """At most `rate` acquisitions a second, `burst` at once; waits instead of refusing."""

    def __init__(self, rate: float, burst: int = 1, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.interval = 1.0 / (rate * SAFETY_MARGIN)
        self.burst = burst
        self.monotonic = monotonic
        self.sleep = sleep
        self._tat = 0.0  # the theoretical time the next send would be due at the steady rate
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = self.monotonic()
            tat = max(self._tat, now)
            allowed = tat - (self.burst - 1) * self.interval
            if allowed > now:
                await self.sleep(allowed - now)
            self._tat = tat + self.interval


class ChatPacer:
    """Per-chat spacing: how long to wait before the next message to a chat."""

    def __init__(self, rate: float = 1.0, burst: int = 3, *,
                 monotonic: Callable[[], float] = time.monotonic, limit: int = 100_000):
        self.interval = 1.0 / (rate * SAFETY_MARGIN)
        self.burst = burst
        self.monotonic = monotonic
        self.limit = limit
        self._tat: dict[int, float] = {}

    def wait_for(self, chat_id: int) -> float:
        """Seconds to wait before sending to `chat_id`; the send is counted as made then."""
        now = self.monotonic()
        tat = max(self._tat.get(chat_id, 0.0), now)
        wait = max(0.0, tat - (self.burst - 1) * self.interval - now)
        self._tat[chat_id] = tat + self.interval
        if len(self._tat) > self.limit:  # forget chats that are long idle
            self._tat = {c: t for c, t in self._tat.items() if t > now}
        return wait
