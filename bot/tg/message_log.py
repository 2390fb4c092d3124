"""The ids of messages in each private chat, so /hide can delete what Telegram still allows.

Telegram lets a bot delete any message in a private chat, its own and the person's, for 48
hours. Only ids are kept, and only for as long as they are useful.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.db.engine import Database
from bot.db.models import ChatMessage

log = logging.getLogger(__name__)
DELETABLE_FOR = timedelta(hours=48)
BATCH = 100  # deleteMessages takes at most 100 ids


class MessageLog:
    def __init__(self, db: Database, clock: Callable[[], datetime]):
        self.db = db
        self.clock = clock

    async def record(self, chat_id: int, message_ids: Iterable[int]) -> None:
        ids = [m for m in message_ids if m]
        if not ids:
            return
        now = self.clock()
        async with self.db.transaction() as session:
            session.add_all(ChatMessage(chat_id=chat_id, message_id=m, at=now) for m in ids)

    async def deletable(self, chat_id: int) -> list[int]:
        cutoff = self.clock() - DELETABLE_FOR
        async with self.db.transaction() as session:
            return list(await session.scalars(
                select(ChatMessage.message_id).where(ChatMessage.chat_id == chat_id,
                                                     ChatMessage.at > cutoff)
                .order_by(ChatMessage.message_id)))

    async def forget_chat(self, chat_id: int) -> None:
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
