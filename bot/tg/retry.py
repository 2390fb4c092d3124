"""An update whose handling failed because the database was away is handled again later, so a
danger message typed during an outage still opens its alert once the database is back.

Webhook: the update is answered 500 and Telegram delivers it again (it keeps it until a 200),
which survives a restart of this process too. Polling: Telegram has already handed it over, so
it goes back on this process's own queue, with growing pauses. A failure in our own code is not
retried: the same update would fail the same way. The young person is told once, with the
emergency numbers, not on every attempt; the update id makes a success count once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)
RETRY_LATER = "retry_later"
FIRST_PAUSE = 1.0  # seconds before the first retry (polling); doubled each time
LONGEST_PAUSE = 60.0
ATTEMPTS = 40  # polling: about half an hour of retries before giving up
REMEMBERED = 10_000  # update ids whose failures are counted


def worth_retrying(error: BaseException) -> bool:
    """A database that did not answer (down, restarting, locked, unreachable)."""
    return isinstance(error, DBAPIError | OSError | TimeoutError)


class RetryLater:
    def __init__(self, *, first_pause: float = FIRST_PAUSE) -> None:
        self.first_pause = first_pause
        self.attempts: OrderedDict[int, int] = OrderedDict()
        self.answer_500: set[int] = set()  # webhook: these updates get a 500, not a 200
        self.scheduled: set[int] = set()  # polling: these updates will be handled again
        self._tasks: set[asyncio.Task] = set()

    def failed(self, update: Update, application: Application, error: BaseException) -> bool:
        """Arrange another attempt if the failure was the database's; True the first time
        this update failed (so the young person is told once)."""
        attempt = self.attempts.pop(update.update_id, 0) + 1
        self.attempts[update.update_id] = attempt
        while len(self.attempts) > REMEMBERED:
            self.attempts.popitem(last=False)
        if not worth_retrying(error):
            return attempt == 1
        if application.updater is None:  # webhook: Telegram sends it again after our 500
            self.answer_500.add(update.update_id)
        elif attempt < ATTEMPTS:
            pause = min(self.first_pause * 2 ** (attempt - 1), LONGEST_PAUSE)
            self.scheduled.add(update.update_id)
            task = asyncio.get_running_loop().create_task(self._again(application, update, pause))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            log.error("update given up after repeated database failures",
                      extra={"update_id": update.update_id, "attempts": attempt})
        return attempt == 1

    def take_answer(self, update_id: int) -> int:
        """The webhook's status for this update: 500 once after a database failure, else 200."""
        if update_id in self.answer_500:
            self.answer_500.discard(update_id)
            return 500
        self.attempts.pop(update_id, None)
        return 200

    def will_retry(self, update_id: int) -> bool:
        """Whether another attempt at this update is on its way (so it is not done yet)."""
        return update_id in self.scheduled

    async def _again(self, application: Application, update: Update, pause: float) -> None:
        await asyncio.sleep(pause)
        self.scheduled.discard(update.update_id)
        await application.update_queue.put(update)
