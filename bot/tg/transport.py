"""Outbox delivery over the Bot API, translating Telegram's answers into the outbox's terms."""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.db.models import OutboxMessage
from bot.pictures.charts import picture
from bot.tg.message_log import MessageLog
from bot.tg.send import MAX_CAPTION, MAX_MESSAGE, keyboard_json, markup, send_text
from bot.time.outbox import RetryLater, Undeliverable, as_reply


class TelegramTransport:
    def __init__(self, bot: Bot, message_log: MessageLog | None = None):
        self.bot = bot
        self.message_log = message_log

    async def send(self, message: OutboxMessage) -> int | None:
        assert message.chat_id is not None
        reply = as_reply(message)
        try:
            if message.copy_message_id is not None and message.copy_from_chat_id is not None:
                # what a young person sent (a photo, a voice note, a location) arrives as it is
                sent = (await self.bot.copy_message(message.chat_id, message.copy_from_chat_id,
                                                    message.copy_message_id,
                                                    reply_markup=markup(reply))).message_id
            elif reply.photo is not None:
                # a caption has room for 1024 characters; callers keep photo captions short
                sent = (await self.bot.send_photo(message.chat_id, await picture(reply.photo),
                                                  caption=reply.text[:MAX_CAPTION] or None,
                                                  reply_markup=markup(reply))).message_id
            else:
                sent = await send_text(self.bot, message.chat_id, reply.text[:MAX_MESSAGE],
                                       keyboard_json(reply))
        except RetryAfter as error:
            wait = error.retry_after
            raise RetryLater(wait.total_seconds() if hasattr(wait, "total_seconds")
                             else float(wait)) from error
        except Forbidden as error:
            raise Undeliverable("blocked") from error
        except BadRequest as error:
            words = str(error).lower()
            if "chat not found" in words:
                raise Undeliverable("chat not found") from error
            if "message to copy not found" in words or "can't be copied" in words:
                raise Undeliverable("nothing to copy") from error  # deleted (e.g. /hide) since
            raise
        if self.message_log is not None:
            await self.message_log.record(message.chat_id, [sent])
        return sent
