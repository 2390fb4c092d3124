"""The ids of messages in each private chat, so /hide can delete what Telegram still allows.

Telegram lets a bot delete any message in a private chat, its own and the person's, for 48
hours. Only ids are kept, and only for as long as they are useful.

Ids are written in batches, a moment after the messages are sent (one insert for every chat's
ids of the last tenth of a second, not a transaction per update): under load that halves the
database work of an update. /hide in this process also sees the ids still waiting (in memory);
a crash loses at most that tenth of a second of ids, which only means those few messages are
not deleted by /hide.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.db.engine import Database
from bot.db.models import ChatMessage

log = logging.getLogger(__name__)
DELETABLE_FOR = timedelta(hours=48)
BATCH = 100  # deleteMessages takes at most 100 ids
FLUSH_AFTER = 0.1  # seconds an id may wait before its batch is written
MAX_WAITING = 20_000  # ids kept while the database is away; beyond that the oldest are dropped


class MessageLog:
    def __init__(self, db: Database, clock: Callable[[], datetime], *,
                 flush_after: float = FLUSH_AFTER):
        self.db = db
        self.clock = clock
        self.flush_after = flush_after
        self._waiting: list[dict] = []
        self._writing_now: list[dict] = []  # the batch in its transaction right now
        self._flusher: asyncio.Task | None = None
        self._writing = asyncio.Lock()
        self._now = asyncio.Event()  # set by close(): write without waiting out the batch

    async def record(self, chat_id: int, message_ids: Iterable[int]) -> None:
        """Note ids to delete later; written with the next batch."""
        now = self.clock()
        self._waiting.extend({"chat_id": chat_id, "message_id": m, "at": now}
                             for m in message_ids if m)
        if len(self._waiting) > MAX_WAITING:
            log.warning("message log behind: oldest ids dropped",
                        extra={"dropped": len(self._waiting) - MAX_WAITING})
            del self._waiting[:len(self._waiting) - MAX_WAITING]
        if self._waiting and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._now.wait(), self.flush_after)
        try:
            await self.flush()
        except Exception as error:  # the database is away: the ids wait for the next batch
            log.warning("message log not written yet", extra={"error_type": type(error).__name__})

    async def flush(self) -> None:
        """Write every waiting id now, in one transaction; they stay waiting if it fails."""
        async with self._writing:
            rows, self._waiting = self._waiting, []
            if not rows:
                return
            self._writing_now = rows
            try:
                async with self.db.transaction() as session:
                    await session.execute(insert(ChatMessage), rows)
            except BaseException:
                self._waiting[:0] = rows
                raise
            finally:
                self._writing_now = []

    async def close(self) -> None:
        """Write what waits before the process stops. A batch being written is let finish: a
        write cut off half-way could leave its connection holding the database's write lock."""
        self._now.set()
        if self._flusher is not None and not self._flusher.done():
            await self._flusher
        await self.flush()

    def _not_yet_written(self, chat_id: int) -> list[dict]:
        return [row for row in (*self._writing_now, *self._waiting) if row["chat_id"] == chat_id]

    async def deletable(self, chat_id: int) -> list[int]:
        """The chat's ids Telegram still lets us delete: written ones and those still waiting
        (read from memory, so /hide never queues behind a batch being written)."""
        cutoff = self.clock() - DELETABLE_FOR
        waiting = {row["message_id"] for row in self._not_yet_written(chat_id) if row["at"] > cutoff}
        async with self.db.transaction() as session:
            written = set(await session.scalars(
                select(ChatMessage.message_id).where(ChatMessage.chat_id == chat_id,
                                                     ChatMessage.at > cutoff)))
        return sorted(written | waiting)

    async def forget_chat(self, chat_id: int) -> None:
        """Drop the chat's ids, written or waiting. (Ids of a batch being written right now may
        still land: they are only tried again by the next /hide, and purged after 48 hours.)"""
        self._waiting = [row for row in self._waiting if row["chat_id"] != chat_id]
        async with self.db.transaction() as session:
            await session.execute(delete(ChatMessage).where(ChatMessage.chat_id == chat_id))

    async def purge_old(self) -> int:
        """Drop ids Telegram would no longer let us delete anyway."""
        cutoff = self.clock() - DELETABLE_FOR
        async with self.db.transaction() as session:
            result = await session.execute(delete(ChatMessage).where(ChatMessage.at <= cutoff))
            return result.rowcount or 0


async def hide_chat(bot: Bot, message_log: MessageLog, chat_id: int,
                    also: Iterable[int] = ()) -> int:
    """Delete every message of the chat the bot still can (and `also`, not yet logged); returns
    how many it asked to delete."""
    ids = sorted({*await message_log.deletable(chat_id), *also})
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        try:
            await bot.delete_messages(chat_id, batch)
        except BadRequest:
            for message_id in batch:  # one by one, so one old message can't block the rest
                try:
                    await bot.delete_message(chat_id, message_id)
                except TelegramError:
                    continue
    await message_log.forget_chat(chat_id)
    log.info("chat hidden", extra={"deleted": len(ids)})
    return len(ids)
