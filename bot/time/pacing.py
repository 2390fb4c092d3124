"""Pacing sends to Telegram's flood limits: about 30 messages a second overall, and about one a
second to any one chat (with a small burst).

`Pacer` spaces sends evenly (a token bucket in GCRA form), so the far side never sees a clump
even when our requests are delayed unevenly on the way; it waits in FIFO order, so messages
leave in the order they were queued, but for pages about danger, which go first.
`ChatPacer` says how long a chat must wait.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable

SAFETY_MARGIN = 0.95  # a little under the cap, for jitter between our clock and Telegram's


class Pacer:
    """At most `rate` acquisitions a second, `burst` at once; waits instead of refusing.

    Waiters are served first come, first served, except that an urgent one (a page about
    danger) goes ahead of every waiting non-urgent one."""

    def __init__(self, rate: float, burst: int = 1, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.interval = 1.0 / (rate * SAFETY_MARGIN)
        self.burst = burst
        self.monotonic = monotonic
        self.sleep = sleep
        self._tat = 0.0  # the theoretical time the next send would be due at the steady rate
        self._busy = False  # someone is taking their slot now
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []  # (rank, arrival, turn)
        self._arrivals = itertools.count()

    async def acquire(self, *, urgent: bool = False) -> None:
        if self._busy or self._waiting:
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (0 if urgent else 1, next(self._arrivals), turn))
            try:
                await turn  # handed over by `_pass_on`, with `_busy` still set
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._pass_on()  # given the turn just as we gave up: hand it on
                raise  # a cancelled turn stays in the heap; `_pass_on` skips it
        else:
            self._busy = True
        try:
            now = self.monotonic()
            tat = max(self._tat, now)
            allowed = tat - (self.burst - 1) * self.interval
            if allowed > now:
                await self.sleep(allowed - now)
            self._tat = tat + self.interval
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self._busy = False


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
