"""A per-person limit on how fast messages are handled (for example 20 in 10 seconds).

Past it, the flow rests and the person is asked kindly to slow down, once; danger scanning still
runs on every message.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Literal

WINDOW = timedelta(seconds=10)
LIMIT = 20


class FloodGuard:
    def __init__(self, limit: int = LIMIT, window: timedelta = WINDOW):
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[datetime]] = {}

    def hit(self, telegram_id: int, now: datetime) -> Literal["", "first", "again"]:
        """"" if within the limit; "first" for the first message over it; "again" after."""
        times = self._seen.setdefault(telegram_id, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        times.append(now)
        if len(self._seen) > 100_000:
            self._seen.pop(next(iter(self._seen)))
        over = len(times) - self.limit
        if over <= 0:
            return ""
        return "first" if over == 1 else "again"
