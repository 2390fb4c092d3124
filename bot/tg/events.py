"""Telegram updates in, transport-free events out. Pure functions, so any update a phone can
send can be property-tested without a network."""

from __future__ import annotations

from dataclasses import replace

from telegram import Message, Update
from telegram.constants import ChatType

from bot.router import Identity
from flows.base import Event

MAX_TEXT = 4096  # Telegram's own limit; anything longer is cut before it reaches a flow


def valid_text(text: str | None) -> str:
    """`text` as valid Unicode: a lone UTF-16 surrogate (JSON may carry "\\ud800") becomes
    U+FFFD, a pair written as two halves becomes its character. Every text and button datum of
    an update passes here once, where it enters, so nothing downstream (the detector, the
    database, encryption, logs) ever holds a string that cannot be encoded."""
    if not text:
        return ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _text_event(message: Message) -> Event:
    text = valid_text(message.text)[:MAX_TEXT]
    if text.startswith("/"):
        head, _, args = text[1:].partition(" ")
        command = head.split("@", 1)[0].lower()
        if command.isascii() and command.replace("_", "").isalnum():
            return Event.slash(command, args.strip())
    return Event.typed(text)


def fingerprint(update: Update) -> str:
    """What an update is, apart from its number: the button press's id, or the chat, message id
    and date (and edit date) of a message. A redelivery repeats it; a new update that reuses an
    old update id (a new id sequence after a quiet week, a restarted fake server) does not."""
    if update.callback_query is not None:
        return f"c:{update.callback_query.id}"[:96]
    message = update.edited_message or update.message
    if message is None:
        return ""
    chat = message.chat.id if message.chat is not None else 0
    edited = int(message.edit_date.timestamp()) if message.edit_date else 0
    kind = "e" if update.edited_message is not None else "m"
    return f"{kind}:{chat}:{message.message_id}:{int(message.date.timestamp())}:{edited}"


def to_event(update: Update) -> tuple[Identity, Event] | None:
    """The person and what they did, with the update's fingerprint; None for updates that are
    not a person talking to us."""
    parsed = _to_event(update)
    if parsed is None:
        return None
    who, event = parsed
    return who, replace(event, fingerprint=fingerprint(update))


def _to_event(update: Update) -> tuple[Identity, Event] | None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    who = Identity(telegram_id=user.id, chat_id=chat.id)
    if update.callback_query is not None:
        return who, Event.button(valid_text(update.callback_query.data)[:64])
    if update.edited_message is not None:
        edited = update.edited_message
        if edited.location is not None:
            return None  # a live location moving: its first pin was the message
        return who, Event("edit", text=valid_text(edited.text or edited.caption)[:MAX_TEXT])
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        return who, _text_event(message)
    # stickers, photos, voice notes, locations...: a caption still counts as something they said
    return who, Event("media", text=valid_text(message.caption)[:MAX_TEXT],
                      media=media_kind(message), message_id=message.message_id)


# the first that a message has names it (an animation also carries a document; a venue a location)
MEDIA_KINDS = ("location", "voice", "video_note", "video", "photo", "animation", "audio",
               "document", "sticker", "contact")


def media_kind(message: Message) -> str:
    """What kind of media a message holds; "" for anything else (a poll, a dice...)."""
    return next((kind for kind in MEDIA_KINDS if getattr(message, kind, None)), "")


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE
