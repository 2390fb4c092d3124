"""Long polling that never loses an update to a crash.

Telegram forgets an update once a `getUpdates` call asks for a later offset. python-telegram-bot's
own updater asks for it as soon as it has fetched a batch, before our transaction commits, so a
process killed in between lost the update for good (a danger message: no alert, no page).

Here each batch is first written to the `inbox` table (encrypted: it holds what was typed) and
committed; only then does the offset move on. Each update is handled from there and deleted
from the inbox once handled (`done`, from the dispatcher); a process that starts handles
whatever is still in the inbox first. An update handled twice (killed after its transaction
committed but before its inbox row went) is dropped the second time by its update id
(`processed_updates`). Nothing fetched is ever logged, only ids and error types.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from telegram import Update
from telegram.ext import Application

from bot.db.engine import Database
from bot.db.models import InboxUpdate
from bot.time.clock import system_clock

log = logging.getLogger(__name__)

INBOX = "inbox"  # the poller, in application.bot_data
LONGEST_PAUSE = 5.0  # seconds between attempts while Telegram or the database is away


def _update_id(raw: Any) -> int | None:
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class InboxPoller:
    """Fetches updates, keeps them durably, then hands them to the application's queue."""

    def __init__(self, application: Application, db: Database, *, timeout: int = 10,
                 allowed_updates: list[str] | None = None, limit: int = 100,
                 clock: Callable[[], datetime] = system_clock) -> None:
        self.application = application
        self.db = db
        self.timeout = timeout
        self.allowed_updates = allowed_updates
        self.limit = limit
        self.clock = clock
        self.offset: int | None = None
        self.queued: set[int] = set()  # update ids handed to the application, not yet done
        application.bot_data[INBOX] = self

    async def resume(self) -> int:
        """Hand over what an earlier process kept but did not finish; returns how many."""
        async with self.db.sessions() as session:
            rows = (await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id))).all()
        count = 0
        for row in rows:
            if row.update_id not in self.queued:
                await self._hand_over(row.update_id, json.loads(row.body))
                count += 1
        if count:
            log.info("updates kept from before the restart handled", extra={"count": count})
        return count

    async def fetch_once(self) -> int:
        """One getUpdates call: keep the batch, commit, then move the offset and hand it over.
        Returns how many updates came."""
        from bot.tg.webhook import lean  # the parts of a button press the bot never reads

        data: dict[str, Any] = {"timeout": self.timeout, "limit": self.limit,
                                "offset": self.offset, "allowed_updates": self.allowed_updates}
        # raw JSON, not PTB's objects: what is kept is what Telegram sent, and one update PTB
        # cannot read neither stops polling nor gets logged whole (as PTB's get_updates would)
        batch = await self.application.bot._post(  # noqa: SLF001 - the raw answer on purpose
            "getUpdates", data, read_timeout=self.timeout + 10)
        if not isinstance(batch, list) or not batch:
            return 0
        fresh: list[tuple[int, dict]] = []
        seen: set[int] = set()
        for raw in batch:
            update_id = _update_id(raw)
            if update_id is None or update_id in seen:
                continue
            seen.add(update_id)
            fresh.append((update_id, lean(raw)))
        if fresh:
            fresh = await self._keep(fresh)  # committed here, before Telegram is told
        if seen:
            self.offset = max(seen) + 1  # the next call confirms the batch to Telegram
        for update_id, raw in fresh:
            await self._hand_over(update_id, raw)
        return len(batch)

    async def _keep(self, fresh: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
        """Write the updates not already in the inbox; returns those (to hand over)."""
        now = self.clock()
        async with self.db.transaction() as session:
            kept = set(await session.scalars(select(InboxUpdate.update_id).where(
                InboxUpdate.update_id.in_([update_id for update_id, _ in fresh]))))
            new = [(update_id, raw) for update_id, raw in fresh
                   if update_id not in kept and update_id not in self.queued]
            for update_id, raw in new:
                # ASCII-escaped: a lone surrogate in the text can neither break encryption
                # nor stop the batch from being kept
                session.add(InboxUpdate(update_id=update_id, received_at=now,
                                        body=json.dumps(raw)))
        return new

    async def _hand_over(self, update_id: int, raw: dict) -> None:
        try:
            update = Update.de_json(raw, self.application.bot)
        except Exception as error:  # a shape PTB cannot read: the type only, never the body
            log.warning("polled update unreadable", extra={"update_id": update_id,
                                                           "error_type": type(error).__name__})
            await self.done(update_id)
            return
        self.queued.add(update_id)
        await self.application.update_queue.put(update)

    async def done(self, update_id: int) -> None:
        """The update has been handled for good: it leaves the inbox. If the database is away
        it stays, and the next start handles it again (then dropped as already handled)."""
        self.queued.discard(update_id)
        try:
            async with self.db.transaction() as session:
                await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id == update_id))
        except Exception as error:
            log.warning("handled update left in the inbox",
                        extra={"update_id": update_id, "error_type": type(error).__name__})

    async def run(self, stop: asyncio.Event) -> None:
        """Resume, then poll until `stop` is set; Telegram or the database being away only
        pauses it (with growing pauses), and nothing is confirmed that was not kept."""
        pause = 0.0
        resumed = False
        while not stop.is_set():
            try:
                if not resumed:
                    await self.application.bot.delete_webhook()  # getUpdates needs none set
                    await self.resume()
                    resumed = True
                fetch = asyncio.ensure_future(self.fetch_once())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if not fetch.done():  # stopping mid long poll: nothing of it was kept
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await fetch
                    break
                fetch.result()
                pause = 0.0
            except asyncio.CancelledError:
                raise
            except Exception as error:
                pause = min(max(pause * 2, 0.5), LONGEST_PAUSE)
                log.warning("polling failed; trying again",
                            extra={"error_type": type(error).__name__, "pause": pause})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
        await self._confirm()

    async def _confirm(self) -> None:
        """On a clean stop, tell Telegram what was kept (a call that returns at once; what it
        returns is not confirmed by it, so is not lost)."""
        if self.offset is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.application.bot._post(  # noqa: SLF001
                "getUpdates", {"offset": self.offset, "limit": 1, "timeout": 0}), 3)
