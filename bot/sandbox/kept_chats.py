"""What the fake Telegram's phones show, kept in a file beside the demo's database.

The bot's own state survives a restart in ``var/demo.db``; without this, every phone on the
demo page would come back empty and "carry on where you left off" would not be what a person
sees. The file holds the chats (messages, buttons, photos), the updates not yet fetched and
the server's counters (update ids, button presses, files), so a restarted server goes on
numbering where it stopped and the bot never takes a new update for one it has handled.

Demo only: the file holds what was typed in the demo, so it is written 0600, like the key.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from bot.db.crypto import write_private
from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.model import ChatMessage, ChatState, StoredFile

log = logging.getLogger(__name__)
FORMAT = 1
SAVE_AFTER = 0.3  # seconds of quiet before a change is written (a burst is written once)


def _bytes_out(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")


def _bytes_in(value: str | None) -> bytes | None:
    return None if value is None else base64.b64decode(value)


def _message_out(message: ChatMessage) -> dict[str, Any]:
    data = asdict(message)
    data["photo"] = _bytes_out(message.photo)
    return data


def _message_in(data: dict[str, Any]) -> ChatMessage:
    known = {f.name for f in fields(ChatMessage)}
    values = {k: v for k, v in data.items() if k in known}
    values["photo"] = _bytes_in(values.get("photo"))
    values["buttons"] = [[tuple(button) for button in row] for row in values.get("buttons", [])]
    return ChatMessage(**values)


def _chat_out(chat: ChatState) -> dict[str, Any]:
    return {"id": chat.id, "type": chat.type, "title": chat.title, "user_id": chat.user_id,
            "messages": [_message_out(m) for m in chat.messages.values()],
            "next_message_id": chat.next_message_id,
            "bot_messages_sent": chat.bot_messages_sent, "reply_keyboard": chat.reply_keyboard,
            "bot_is_member": chat.bot_is_member, "members": sorted(chat.members)}


def _chat_in(data: dict[str, Any]) -> ChatState:
    messages = [_message_in(m) for m in data["messages"]]
    return ChatState(id=data["id"], type=data["type"], title=data["title"],
                     user_id=data["user_id"], messages={m.message_id: m for m in messages},
                     next_message_id=data["next_message_id"],
                     bot_messages_sent=data["bot_messages_sent"],
                     reply_keyboard=data["reply_keyboard"], bot_is_member=data["bot_is_member"],
                     members=set(data["members"]))


def snapshot(server: FakeTelegram) -> dict[str, Any]:
    """Everything a restarted fake server needs to show the same phones and go on from there."""
    return {
        "format": FORMAT,
        "version": server.version,
        "counters": {"update": server._update_ids.value, "file": server._file_ids.value,
                     "callback": server._callback_ids.value},
        "chats": [_chat_out(chat) for chat in server.chats.values()],
        "files": [{**asdict(f), "data": _bytes_out(f.data)} for f in server.files.values()],
        "pending": server._pending,
    }


def restore(server: FakeTelegram, data: dict[str, Any]) -> None:
    """Put a snapshot back into a server that has not started yet."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}")
    counters = data["counters"]
    server._update_ids.value = counters["update"]
    server._file_ids.value = counters["file"]
    server._callback_ids.value = counters["callback"]
    server.chats = {chat.id: chat for chat in map(_chat_in, data["chats"])}
    server.files = {f["file_id"]: StoredFile(**{**f, "data": _bytes_in(f["data"])})
                    for f in data["files"]}
    server._pending = list(data["pending"])
    server.version = int(data["version"])


def save(server: FakeTelegram, path: Path) -> None:
    """Write the snapshot whole or not at all (a new file, then renamed over the old)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".new")
    write_private(partial, json.dumps(snapshot(server), ensure_ascii=False).encode("utf-8"))
    os.replace(partial, path)


def load(server: FakeTelegram, path: Path) -> bool:
    """Restore from ``path`` if it is there; a damaged file is set aside, never fatal."""
    if not path.exists():
        return False
    try:
        restore(server, json.loads(path.read_text("utf-8")))
    except (ValueError, KeyError, TypeError) as error:
        aside = path.with_name(path.name + ".unreadable")
        os.replace(path, aside)
        log.warning("demo chats unreadable: set aside, the phones start empty",
                    extra={"error_type": type(error).__name__})
        return False
    return True


async def keep(server: FakeTelegram, path: Path, stop: asyncio.Event) -> None:
    """Until ``stop`` is set: write the chats a moment after each change, and once more at the
    end. (A stop event, not cancellation: a cancel that lands as a change wakes the wait can be
    swallowed by ``asyncio.wait_for`` on Python 3.11.)"""
    saved = server.version
    while not stop.is_set():
        await server._wait_change(0.5)
        if server.version == saved:
            continue
        with contextlib.suppress(TimeoutError):  # a burst of changes is written once
            await asyncio.wait_for(stop.wait(), SAVE_AFTER)
        saved = server.version
        save(server, path)
    if server.version != saved:
        save(server, path)
