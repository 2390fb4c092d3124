"""Starting against a Bot API that may not answer at once.

`Application.initialize` asks Telegram `getMe`; one network blip there used to end
`rise-bot run` with a traceback. It is tried again with growing pauses (one log line each, the
error's type only); a token Telegram refuses still stops at once, as no wait can mend it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

log = logging.getLogger(__name__)

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0


async def initialize_with_retry(application: Application, *,
                                sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                                attempts: int | None = None) -> None:
    """`application.initialize()` until it works (or `attempts` run out: the last error)."""
    pause = FIRST_PAUSE
    tried = 0
    while True:
        try:
            await application.initialize()
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
