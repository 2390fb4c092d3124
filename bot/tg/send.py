"""Flow replies out as Bot API calls: the one place that knows how a Reply looks on Telegram."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.tg.message_log import MessageLog, hide_chat
from flows.base import Reply

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
MAX_MESSAGE = 4096
MAX_CAPTION = 1024


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in reply.buttons])


async def _with_retries(call, what: str):
    """Telegram says 'retry after N' when busy: wait exactly that; back off on network errors."""
    delay = 0.5
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await call()
        except (BadRequest, Forbidden):
            raise  # permanent: the same request will fail the same way
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            log.warning("telegram asked us to wait", extra={"method": what, "seconds": seconds})
            await asyncio.sleep(seconds)
        except (TimedOut, NetworkError):
            if attempt == MAX_ATTEMPTS:
                raise
            log.warning("telegram call failed, retrying", extra={"method": what, "attempt": attempt})
            await asyncio.sleep(delay)
            delay *= 2
    raise RuntimeError(f"{what} failed after {MAX_ATTEMPTS} attempts")


async def send_photo(bot: Bot, chat_id: int, reply: Reply) -> list[Message]:
    """A photo with its text as the caption; text too long for a caption follows as a message."""
    assert reply.photo is not None
    fits = len(reply.text) <= MAX_CAPTION
    keyboard = markup(reply)

    async def photo():
        return await bot.send_photo(chat_id, reply.photo, caption=reply.text if fits else None,
                                    reply_markup=keyboard if fits or not reply.text else None)

    sent = [await _with_retries(photo, "sendPhoto")]
    if not fits:
        sent += await send_replies(bot, chat_id, [Reply(reply.text, reply.buttons)])
    return sent


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply],
                       message_log: MessageLog | None = None,
                       incoming: list[int] | None = None) -> list[Message]:
    """Send each reply in order; long text is split so nothing is ever lost to the size limit.

    A reply with the "hide" action first deletes every message the bot still may, then is sent
    as the one neutral line left in the chat. The ids of `incoming` (the person's message) and
    of what was sent are written to the message log together, in one transaction.
    """
    sent: list[Message] = []
    incoming = list(incoming or [])
    for reply in replies:
        if reply.action == "hide" and message_log is not None:
            await hide_chat(bot, message_log, chat_id, also=incoming)
            incoming = []
        if reply.photo is not None:
            sent += await send_photo(bot, chat_id, reply)
            continue
        chunks = [reply.text[i:i + MAX_MESSAGE] for i in range(0, len(reply.text), MAX_MESSAGE)]
        for index, chunk in enumerate(chunks):  # an empty reply sends nothing
            last = index == len(chunks) - 1
            keyboard = markup(reply) if last else None

            async def call(chunk=chunk, keyboard=keyboard):
                return await bot.send_message(chat_id, chunk, reply_markup=keyboard)

            sent.append(await _with_retries(call, "sendMessage"))
    if message_log is not None:
        await message_log.record(chat_id, incoming + [m.message_id for m in sent])
    return sent
