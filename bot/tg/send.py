"""Flow replies out as Bot API calls: the one place that knows how a Reply looks on Telegram."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.pictures.charts import picture
from bot.tg.message_log import MessageLog, hide_chat
from flows.base import Reply
from flows.common import SETTLE

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
MAX_MESSAGE = 4096
MAX_CAPTION = 1024


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in reply.buttons])


def keyboard_json(reply: Reply) -> dict[str, Any] | None:
    """The inline keyboard as the Bot API's JSON, built without PTB's frozen objects."""
    if not reply.buttons:
        return None
    return {"inline_keyboard": [[{"text": b.label, "callback_data": b.data} for b in row]
                                for row in reply.buttons]}


async def send_text(bot: Bot, chat_id: int, text: str,
                    keyboard: dict[str, Any] | None = None) -> int:
    """sendMessage, answering only the new message's id: all the bot needs back (for /hide).

    `bot.send_message` would turn Telegram's answer into a full `Message` object, about as
    much CPU as the rest of sending and some 8% of a web process's time per update, for one
    field. `_post` is the one call every PTB method makes: it still inserts the
    bot's defaults and raises PTB's errors (RetryAfter, Forbidden, ...), so callers and their
    retries are unchanged.
    """
    data: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if keyboard is not None:
        data["reply_markup"] = keyboard
    result = await bot._post("sendMessage", data)  # noqa: SLF001  (see the docstring)
    return int(result["message_id"])


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


async def settle(bot: Bot, chat_id: int, message_id: int) -> None:
    """Take the buttons off a message that has done its job. Called after the replies are
    sent, once and without retries: nothing a person must read waits on it, and a message too
    old to edit, or already without buttons, keeps what it has."""
    try:
        await bot._post("editMessageReplyMarkup",  # noqa: SLF001 (see send_text)
                        {"chat_id": chat_id, "message_id": message_id})
    except TelegramError:
        log.info("buttons not taken off a pressed message", extra={"message_id": message_id})


async def send_photo(bot: Bot, chat_id: int, reply: Reply) -> list[int]:
    """A photo with its text as the caption; text too long for a caption follows as a message."""
    assert reply.photo is not None
    png = await picture(reply.photo)
    fits = len(reply.text) <= MAX_CAPTION
    keyboard = markup(reply)

    async def photo():
        return await bot.send_photo(chat_id, png, caption=reply.text if fits else None,
                                    reply_markup=keyboard if fits or not reply.text else None)

    sent = [(await _with_retries(photo, "sendPhoto")).message_id]
    if not fits:
        sent += await send_replies(bot, chat_id, [Reply(reply.text, reply.buttons)])
    return sent


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply],
                       message_log: MessageLog | None = None,
                       incoming: list[int] | None = None, pressed: int | None = None) -> list[int]:
    """Send each reply in order; long text is split so nothing is ever lost to the size limit.

    A reply with the "hide" action first deletes every message the bot still may, then is sent
    as the one neutral line left in the chat. A reply with the "settle" action then takes the
    buttons off `pressed`, the message whose button was tapped. The ids of `incoming` (the
    person's message) and of what was sent are written to the message log together. Answers
    the ids sent.
    """
    sent: list[int] = []
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
            keyboard = keyboard_json(reply) if last else None

            async def call(chunk=chunk, keyboard=keyboard):
                return await send_text(bot, chat_id, chunk, keyboard)

            sent.append(await _with_retries(call, "sendMessage"))
    if message_log is not None:
        await message_log.record(chat_id, incoming + sent)
    if pressed is not None and any(r.action == SETTLE for r in replies):
        await settle(bot, chat_id, pressed)
    return sent
