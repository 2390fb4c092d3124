"""State of the fake Telegram: people, chats, messages, recorded calls, faults.

Plain data, no HTTP. The server modules build Bot API JSON from these objects, so what a
test reads (``ChatMessage``) and what the bot was told (the JSON) cannot drift apart.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

Buttons = list[list[tuple[str, str]]]
FaultKind = Literal["429", "500", "timeout", "delay"]

#: Bot API methods that count as "sending a message" for Telegram's flood limits.
SEND_METHODS = frozenset(
    m.lower()
    for m in (
        "sendMessage", "sendPhoto", "sendDocument", "sendSticker", "sendVoice", "sendVideo",
        "sendAudio", "sendAnimation", "sendLocation", "sendContact", "sendVideoNote",
        "sendMediaGroup", "sendDice", "sendPoll", "copyMessage", "forwardMessage",
    )
)

#: Update types getUpdates delivers when ``allowed_updates`` was never set (Telegram's default).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {"message", "edited_message", "callback_query", "my_chat_member", "inline_query",
     "chosen_inline_result", "channel_post", "edited_channel_post", "shipping_query",
     "pre_checkout_query", "poll", "poll_answer", "chat_join_request"}
)


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False, "error_code": self.code, "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class FakeUser:
    """A Telegram account the test (or the demo page) acts as."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    label: str | None = None  # role shown on the demo page, e.g. "young person"
    blocked_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = "en"
        return data

    def to_control(self) -> dict[str, Any]:
        return {
            "id": self.id, "first_name": self.first_name, "last_name": self.last_name,
            "username": self.username, "label": self.label, "blocked_bot": self.blocked_bot,
        }


@dataclass
class ChatMessage:
    """One message in a chat, as a person looking at the phone would see it (edits applied)."""

    message_id: int
    from_bot: bool
    text: str | None
    buttons: Buttons = field(default_factory=list)
    photo: bytes | None = None
    deleted: bool = False
    edited: bool = False
    date: int = 0
    # Beyond what a phone shows: useful to tests and to build the Bot API JSON.
    chat_id: int = 0
    user_id: int | None = None  # sender, None for the bot
    kind: str = "text"  # text | photo | document | sticker | voice | video_note | location | ...
    caption: str | None = None
    raw_text: str | None = None  # text as the bot sent it, before parse_mode was applied
    parse_mode: str | None = None
    photo_id: str | None = None  # key of the stored photo (control API: /control/photos/<id>.png)
    payload: dict[str, Any] = field(default_factory=dict)  # kind-specific Bot API fields
    reply_markup: dict[str, Any] | None = None  # inline keyboard as sent
    edit_date: int | None = None

    @property
    def shown_text(self) -> str | None:
        """Text or caption: what the bubble shows."""
        return self.text if self.text is not None else self.caption

    def button_labels(self) -> list[str]:
        return [label for row in self.buttons for label, _ in row]

    def to_control(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id, "from_bot": self.from_bot, "user_id": self.user_id,
            "kind": self.kind, "text": self.text, "caption": self.caption,
            "buttons": [[{"label": lbl, "data": data} for lbl, data in row]
                        for row in self.buttons],
            "photo_url": f"/control/photos/{self.photo_id}.png" if self.photo_id else None,
            "deleted": self.deleted, "edited": self.edited, "date": self.date,
        }


@dataclass
class ChatState:
    """A chat and its history; message ids increase per chat, as in Telegram."""

    id: int
    type: Literal["private", "group", "supergroup"]
    title: str | None = None
    user_id: int | None = None  # the other person, for private chats
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    next_message_id: int = 1
    bot_messages_sent: int = 0  # never decreases: marks for wait_for_bot_messages count these
    reply_keyboard: list[list[str]] | None = None
    bot_is_member: bool = True
    members: set[int] = field(default_factory=set)

    def new_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid

    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages.values() if m.from_bot]


@dataclass
class StoredFile:
    """A file the bot uploaded or a user sent, kept so tests (and getFile) can read it."""

    file_id: str
    file_unique_id: str
    data: bytes | None
    kind: str
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0


@dataclass
class Call:
    """One Bot API request the bot made (recorded before faults and errors apply)."""

    method: str
    params: dict[str, Any]
    time: float
    files: dict[str, str] = field(default_factory=dict)  # field name -> uploaded file name
    status: int | None = None  # HTTP status answered; None while in flight
    via_webhook: bool = False  # named in the body of a webhook answer, not a request of its own

    def to_control(self) -> dict[str, Any]:
        return {"method": self.method, "params": self.params, "time": self.time,
                "files": self.files, "status": self.status, "via_webhook": self.via_webhook}


@dataclass
class Fault:
    """An injected failure waiting for the next matching call."""

    method: str | None  # None: any method except getUpdates (see FakeTelegram.inject_fault)
    kind: FaultKind
    count: int = 1
    retry_after: int = 1
    seconds: float = 0.0

    def matches(self, method: str) -> bool:
        if self.count <= 0:
            return False
        if self.method is None:
            return method.lower() != "getupdates"
        return self.method.lower() == method.lower()

    def to_control(self) -> dict[str, Any]:
        return {"method": self.method, "kind": self.kind, "count": self.count,
                "retry_after": self.retry_after, "seconds": self.seconds}


@dataclass
class LimitViolation:
    """A send refused with 429 because the bot went over Telegram's flood limits."""

    method: str
    chat_id: int | str | None
    scope: Literal["global", "chat"]
    retry_after: int
    time: float


class Counter:
    """Like ``itertools.count``, but its next value can be read and set: the demo keeps the
    fake server's update, file and button-press numbers going across restarts."""

    def __init__(self, start: int = 1) -> None:
        self.value = start

    def __iter__(self) -> Counter:
        return self

    def __next__(self) -> int:
        value = self.value
        self.value += 1
        return value


class TokenBucket:
    """Telegram-like flood control: ``rate`` per second with room for a ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.capacity = burst
        self.tokens = burst
        self.stamp: float | None = None

    def wait_needed(self, now: float) -> float:
        """Seconds until one token is available (0 if available now). Refills, takes nothing."""
        if self.stamp is not None:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


# --- text helpers ---------------------------------------------------------------------------

_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities, as Telegram adds them to a user's "/start abc"."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        entities.append({
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        })
    return entities


_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
              "a", "code", "pre", "blockquote", "tg-emoji", "br"}


class _HtmlText(HTMLParser):
    """Strips Telegram HTML to the text a person sees; fails like Telegram on bad markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        if tag == "br":
            raise bad_request('can\'t parse entities: Unsupported start tag "br"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise bad_request(
                f'can\'t parse entities: Unmatched end tag "{tag}"'
            )
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _strip_html(text: str) -> str:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.open[-1]}"'
        )
    return "".join(parser.parts)


_MDV2_NEVER_MARKUP = set(".-=+#{}")  # reserved characters that are never formatting
_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _strip_markdown_v2(text: str) -> str:
    out: list[str] = []
    in_code = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        elif not in_code and ch in _MDV2_NEVER_MARKUP:
            raise bad_request(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped "
                "with the preceding '\\'"
            )
        elif in_code or ch not in "*_~|`":
            out.append(ch)
        i += 1
    return _MD_LINK_RE.sub(r"\1", "".join(out))


def plain_text(text: str, parse_mode: str | None) -> str:
    """What the phone shows for ``text`` sent with ``parse_mode``."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _strip_html(text)
    if mode == "markdownv2":
        return _strip_markdown_v2(text)
    if mode == "markdown":
        return _MD_LINK_RE.sub(r"\1", re.sub(r"[*_`]", "", text))
    return text


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header (0, 0 if it is not a PNG)."""
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return 0, 0


__all__ = [
    "ApiError", "Buttons", "Call", "ChatMessage", "ChatState", "Counter", "Fault", "FakeUser",
    "LimitViolation", "StoredFile", "TokenBucket", "command_entities", "plain_text",
    "png_size", "tiny_png",
]


def tiny_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (90, 140, 220)) -> bytes:
    """A valid solid-colour PNG, so tests and the demo have a real image to send."""
    import zlib

    def chunk(tag: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + tag + body
                + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))
