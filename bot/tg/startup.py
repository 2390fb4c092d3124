"""Starting against a Bot API that may not answer at once.

`Application.initialize` asks Telegram `getMe`, and the web process registers its webhook; one
network blip there used to end `rise-bot run`, `webhook` or `clock` with a traceback. Each call
is tried again with growing pauses (one log line each, the error's type only); a token Telegram
refuses still stops at once, as no wait can mend it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0


class Startable(Protocol):
    async def initialize(self) -> None: ...


async def initialize_with_retry(application: Startable, *,
                                sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                                attempts: int | None = None) -> None:
    """`application.initialize()` (a PTB Application or Bot) until it works (or `attempts` run
    out: the last error)."""
    await retry_at_start(application.initialize, sleep=sleep, attempts=attempts)


async def retry_at_start(call: Callable[[], Awaitable[object]], *,
                         sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                         attempts: int | None = None) -> None:
    """`await call()` until Telegram answers it; a refused token is raised at once."""
    pause = FIRST_PAUSE
    tried = 0
    while True:
        try:
            await call()
            return
        except InvalidToken:
            raise
        except (NetworkError, TimedOut, RetryAfter) as error:
            tried += 1
            if attempts is not None and tried >= attempts:
                raise
            wait = max(pause, _retry_after(error))
            log.warning("Telegram did not answer at start; trying again",
                        extra={"error_type": type(error).__name__, "pause": wait})
            await sleep(wait)
            pause = min(pause * 2, LONGEST_PAUSE)


def _retry_after(error: Exception) -> float:
    if isinstance(error, RetryAfter):
        after = error.retry_after
        return after if isinstance(after, int | float) else after.total_seconds()
    return 0.0
