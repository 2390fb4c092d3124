"""Which updates a web process handles now, and which wait: a short queue, danger first.

One process has one core. A hundred updates at once would each take a hundred times longer and
hold database connections meanwhile, so the slowest would wait seconds; a few at a time, the
rest queued first come first served, keeps each update's own time short. Under load a message
the detector rates worrying does not queue behind button taps: it goes to the front.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from bot.safety.detector import Detector, Severity
from bot.tg.events import valid_text

HANDLED_AT_ONCE = 8


class Admission:
    """A semaphore with two queues: urgent waiters are let in before the others."""

    def __init__(self, at_once: int = HANDLED_AT_ONCE, detector: Detector | None = None):
        self.free = at_once
        self.detector = detector
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    def is_urgent(self, update: Update) -> bool:
        """Typed text the detector rates medium or worse (any typed text, with no detector)."""
        message = update.effective_message
        text = valid_text(message.text or message.caption) if message is not None else ""
        if not text:
            return False
        if self.detector is None:
            return True
        return self.detector.scan(text).severity >= Severity.MEDIUM

    @asynccontextmanager
    async def turn(self, update: Update) -> AsyncIterator[None]:
        if self.free > 0:  # (a slot that frees up goes straight to a waiter, if any)
            self.free -= 1
        else:
            waiter = asyncio.get_running_loop().create_future()
            (self._urgent if self.is_urgent(update) else self._others).append(waiter)
            try:
                await waiter  # the slot is handed over by whoever leaves
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._leave()  # handed a slot just as we gave up: pass it on
                else:
                    for queue in (self._urgent, self._others):
                        if waiter in queue:
                            queue.remove(waiter)
                raise
        try:
            yield
        finally:
            self._leave()

    def _leave(self) -> None:
        for queue in (self._urgent, self._others):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self.free += 1
