"""A fake Telegram Bot API server, so the real python-telegram-bot application runs offline.

The bot is pointed at it with PTB's ``base_url``/``base_file_url``; nothing else in the bot
changes. Tests (in the same asyncio loop) and people (through the demo page) act as users.

Python use::

    server = FakeTelegram()                      # token "123456:TEST"
    await server.start()                         # ephemeral port on 127.0.0.1
    app = (ApplicationBuilder().token(server.token).base_url(server.base_url)
           .base_file_url(server.base_file_url).build())
    server.add_user(1001, "Sam", label="young person")
    mark = server.mark(1001)
    server.send_text(1001, "/start abc")
    [reply] = await server.wait_for_bot_messages(1001, 1, since=mark)
    server.press(1001, "Yes")
    await server.stop()

Stand-alone: ``python -m bot.sandbox --port 8081 --user 1001:Sam:"young person"``.

Bot API: ``POST|GET /bot<token>/<method>`` with query string, form, multipart or JSON body,
exactly as PTB's HTTPXRequest sends them (strings raw, other values JSON-encoded). Wrong token:
401; unknown method: 404; errors answer ``{"ok": false, "error_code", "description"}`` with the
same HTTP status, as Telegram does. Files: ``GET /file/bot<token>/<file_path>`` (see getFile).

Control API (JSON in and out; for the demo page and out-of-process benchmarks; also in
``docs/fake-telegram.md``):

==========================================  ==================================================
``GET /``                                   the demo page (every user's chat side by side)
``GET /control/users``                      ``[{id, first_name, last_name, username, label}]``
``POST /control/users``                     ``{id, first_name, username?, last_name?, label?}``
``POST /control/users/{id}/text``           ``{text}`` -> ``{update_id}``
``POST /control/users/{id}/press``          ``{label | data, message_id?}`` -> ``{update_id}``
``POST /control/users/{id}/media``          ``{kind: sticker|photo|voice|video_note|video|
                                            location|contact|document}`` -> ``{update_id}``
``POST /control/users/{id}/edit``           ``{message_id, text}`` -> ``{update_id}``
``GET /control/chats/{chat_id}``            ``{chat_id, version, messages: [...]}``; photos as
                                            ``/control/photos/<id>.png``
``GET /control/photos/{id}.png``            the stored image bytes
``GET /control/calls?method=``              recorded Bot API calls ``[{method, params, ...}]``
``GET|POST|DELETE /control/faults``         list / inject ``{method?, kind, count?,
                                            retry_after?, seconds?}`` / clear faults
``GET /control/events?since=V&boot=B&       long-poll: answers ``{version, boot}`` once the
timeout=S``                                 state version is not V (or after S seconds); at
                                            once if B is not this server's boot
==========================================  ==================================================

Errors from the control API are ``{"error": "..."}`` with status 400 or 404.

Privacy: this module never logs message text; it logs method names and counts at DEBUG.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
from aiohttp import web

from bot.sandbox import bot_api, control_api
from bot.sandbox.model import (
    DEFAULT_ALLOWED_UPDATES,
    SEND_METHODS,
    ApiError,
    Call,
    ChatMessage,
    ChatState,
    Counter,
    FakeUser,
    Fault,
    FaultKind,
    LimitViolation,
    StoredFile,
    TokenBucket,
    command_entities,
    png_size,
    tiny_png,
)

log = logging.getLogger(__name__)

HOURS_48 = 48 * 3600


@dataclass
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class FakeTelegram:
    """Fake Bot API server plus the users who talk to the bot. One instance per test."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "rise_demo_bot",
        *,
        enforce_limits: bool = False,
        bot_name: str = "RISE (demo)",
        now: Callable[[], float] = time.time,
        limit_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.enforce_limits = enforce_limits
        #: Wall clock for message dates and the 48-hour delete rule; tests replace it to age
        #: messages. Flood limits use time.monotonic and are unaffected.
        self.now = now
        #: Monotonic clock of the flood limits; tests freeze it to make limits exact.
        self.limit_clock = limit_clock

        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.limit_violations: list[LimitViolation] = []
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.profile: dict[str, str] = {"name": bot_name, "description": "",
                                         "short_description": ""}
        self.webhook = WebhookState()
        self.webhook_deliveries: list[tuple[int, int | str]] = []  # (update_id, status/error)
        self.webhook_status: dict[int, int | str] = {}  # update_id -> its latest delivery's
        self.updates: list[dict[str, Any]] = []  # every update ever created, for tests
        self.version = 0  # bumps on every change; the demo page long-polls on it
        self.boot = secrets.token_hex(4)  # new each start: the page knows a restarted server

        self._pending: list[dict[str, Any]] = []  # for getUpdates, until confirmed by offset
        self._webhook_queue: list[dict[str, Any]] = []
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._update_ids = Counter(1)
        self._file_ids = Counter(1)
        self._callback_ids = Counter(1)
        self._event = asyncio.Event()
        self._stopped = asyncio.Event()
        self._closing = False
        self._inflight = 0  # Bot API requests being answered, getUpdates excluded
        self._global_bucket = TokenBucket(rate=30, burst=30)
        self._chat_buckets: dict[int | str, TokenBucket] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_wake = asyncio.Event()
        self.port: int = 0
        self.host: str = "127.0.0.1"

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends ``<token>/<method>``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def url(self) -> str:
        """Root of the server: the demo page."""
        return f"http://{self.host}:{self.port}/"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        bot_api.add_routes(app, self)
        control_api.add_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0 = a free port; read ``.port`` afterwards)."""
        self._runner = web.AppRunner(self.make_app(), access_log=None, handler_cancellation=True,
                                     shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        log.debug("fake telegram listening on port %s", self.port)

    async def stop(self) -> None:
        """Wake every held request (long polls, faults), stop webhook delivery, close."""
        self._closing = True
        self._stopped.set()
        self._changed()
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()
        log.debug("fake telegram stopped after %d calls", len(self.calls))

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- change notification ------------------------------------------------------------------

    def _changed(self) -> None:
        """Wake everyone waiting for a change. Sync, so user actions can stay sync.

        (An asyncio.Condition would need its lock held to notify, which sync callers cannot
        do; swapping an Event gives the same no-lost-wakeup guarantee in a single loop.)
        """
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def _wait_change(self, timeout: float) -> bool:
        """Wait for the next change; False if ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self._event.wait(), max(timeout, 0))
        except TimeoutError:
            return False
        return True

    async def _sleep(self, seconds: float) -> None:
        """Sleep that stop() cuts short, so held requests never delay shutdown."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)

    # --- waiting (for tests) ------------------------------------------------------------------

    def mark(self, chat_id: int) -> int:
        """How many messages the bot has sent to this chat so far (deleted ones included)."""
        return self._chat(chat_id).bot_messages_sent

    async def wait_for_bot_messages(
        self, chat_id: int, count: int, timeout: float = 5.0, *, since: int | None = None
    ) -> list[ChatMessage]:
        """Wait until the bot has sent ``count`` messages to the chat since ``since``.

        ``since`` defaults to now. Returns exactly those messages (as they are now). Raises
        TimeoutError naming what did arrive.
        """
        chat = self._chat(chat_id)
        start = chat.bot_messages_sent if since is None else since
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while chat.bot_messages_sent - start < count:
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self._wait_change(remaining):
                if chat.bot_messages_sent - start >= count:
                    break
                got = [m.shown_text for m in chat.bot_messages()[start:]]
                raise TimeoutError(
                    f"waited {timeout}s for {count} bot message(s) in chat {chat_id}, "
                    f"got {len(got)}: {got!r}"
                )
        return chat.bot_messages()[start : start + count]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0,
                       what: str = "condition") -> None:
        """Wait until ``predicate()`` is true, re-checking on every change (edits, answers...)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self._wait_change(remaining):
                if predicate():
                    return
                raise TimeoutError(f"waited {timeout}s for {what}")

    async def wait_for_call(self, method: str, count: int = 1, timeout: float = 5.0) -> Call:
        """Wait until the bot has made ``count`` calls of ``method``; returns the last one."""
        await self.wait_for(lambda: len(self.calls_for(method)) >= count, timeout,
                            f"{count} {method} call(s)")
        return self.calls_for(method)[count - 1]

    async def wait_until_idle(self, quiet: float = 0.05, timeout: float = 5.0) -> None:
        """Wait until no Bot API call is in flight and nothing changed for ``quiet`` seconds.

        A fallback for when a test cannot say how many messages to expect.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if loop.time() >= deadline:
                raise TimeoutError(f"not idle after {timeout}s ({self._inflight} calls in flight)")
            changed = await self._wait_change(min(quiet, deadline - loop.time()))
            if not changed and self._inflight == 0:
                return

    # --- reading chats ------------------------------------------------------------------------

    def _chat(self, chat_id: int) -> ChatState:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise LookupError(
                f"no chat {chat_id}; known chats: {sorted(self.chats)} (add_user first?)"
            ) from None

    def chat(self, chat_id: int) -> list[ChatMessage]:
        """Every message in the chat in order, deleted ones included (``deleted=True``)."""
        return list(self._chat(chat_id).messages.values())

    def bot_texts(self, chat_id: int) -> list[str]:
        """Texts (or captions) of the bot's live messages, in order."""
        return [m.shown_text for m in self.chat(chat_id)
                if m.from_bot and not m.deleted and m.shown_text is not None]

    def last_bot_message(self, chat_id: int) -> ChatMessage | None:
        """The newest message from the bot that is not deleted."""
        live = [m for m in self.chat(chat_id) if m.from_bot and not m.deleted]
        return live[-1] if live else None

    def calls_for(self, method: str) -> list[Call]:
        """Recorded calls of one Bot API method (case-insensitive, like Telegram)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def photo_bytes(self, photo_id: str) -> bytes | None:
        for f in self.files.values():
            if f.file_unique_id == photo_id:
                return f.data
        return None

    # --- faults and limits --------------------------------------------------------------------

    def inject_fault(
        self,
        method: str | None,
        kind: FaultKind,
        *,
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 0,
    ) -> Fault:
        """Make the next ``count`` calls of ``method`` fail.

        ``method=None`` matches every method except getUpdates (a polling application would
        otherwise swallow the fault); name getUpdates to fault it. Kinds: "429" (RetryAfter),
        "500", "delay" (sleep ``seconds`` then answer normally), "timeout" (the call is not
        performed; the connection is held for ``seconds``, default 60, or until stop()).
        """
        if kind not in ("429", "500", "timeout", "delay"):
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(method, kind, count=count, retry_after=retry_after, seconds=seconds)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method):
                fault.count -= 1
                return fault
        return None

    def _check_limits(self, method: str, chat_id: int | str | None) -> None:
        """Telegram's flood limits: ~30 sends/s overall, ~1/s per chat with a small burst."""
        if not self.enforce_limits or method.lower() not in SEND_METHODS:
            return
        now = self.limit_clock()
        chat_bucket = None
        if chat_id is not None:
            chat_bucket = self._chat_buckets.setdefault(chat_id, TokenBucket(rate=1, burst=3))
        for scope, bucket in (("chat", chat_bucket), ("global", self._global_bucket)):
            if bucket is None:
                continue
            wait = bucket.wait_needed(now)
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                self.limit_violations.append(
                    LimitViolation(method, chat_id, scope, retry_after, now)  # type: ignore[arg-type]
                )
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                               {"retry_after": retry_after})
        if chat_bucket is not None:
            chat_bucket.take()
        self._global_bucket.take()

    # --- Bot API JSON -------------------------------------------------------------------------

    def bot_user_json(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name,
                "username": self.bot_username}

    def chat_json(self, chat: ChatState) -> dict[str, Any]:
        if chat.type == "private" and chat.user_id in self.users:
            user = self.users[chat.user_id]
            data: dict[str, Any] = {"id": chat.id, "type": "private",
                                    "first_name": user.first_name}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            return data
        return {"id": chat.id, "type": chat.type, "title": chat.title or str(chat.id)}

    def message_json(self, chat: ChatState, msg: ChatMessage) -> dict[str, Any]:
        """The Bot API Message object for ``msg`` as it is now."""
        data: dict[str, Any] = {"message_id": msg.message_id, "date": msg.date,
                                "chat": self.chat_json(chat)}
        if msg.from_bot:
            data["from"] = self.bot_user_json()
        elif msg.user_id is not None:
            data["from"] = self.users[msg.user_id].to_api()
        data.update(msg.payload)
        if msg.text is not None:
            data["text"] = msg.text
        if msg.caption is not None:
            data["caption"] = msg.caption
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            data["reply_markup"] = msg.reply_markup
        return data

    def add_message(self, chat: ChatState, **fields: Any) -> ChatMessage:
        """Append a message to the chat's history with the next id and the current date."""
        msg = ChatMessage(message_id=chat.new_message_id(), chat_id=chat.id,
                          date=int(self.now()), **{"text": None, **fields})
        chat.messages[msg.message_id] = msg
        if msg.from_bot:
            chat.bot_messages_sent += 1
        self._changed()
        return msg

    def store_file(self, kind: str, data: bytes | None, *, file_name: str | None = None,
                   mime_type: str | None = None) -> StoredFile:
        n = next(self._file_ids)
        digest = hashlib.sha1(f"{kind}:{n}".encode()).hexdigest()[:20]
        stored = StoredFile(file_id=f"{kind[:2].upper()}AC{n:04d}{digest}",
                            file_unique_id=f"AQ{n:04d}{digest[:8]}", data=data, kind=kind,
                            file_name=file_name, mime_type=mime_type)
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
        width, height = png_size(stored.data or b"")
        return [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "width": width, "height": height, "file_size": stored.size}]

    # --- updates ------------------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> int:
        """Create an update; queue it for getUpdates, or for the webhook if one is set."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: payload}
        self.updates.append(update)
        if self.webhook.url:
            self._webhook_queue.append(update)
            self._kick_webhook()
        else:
            self._pending.append(update)
        log.debug("update %s queued (%s)", update_id, kind)
        self._changed()
        return update_id

    def confirm_updates(self, offset: int | None) -> None:
        """getUpdates' offset: forget updates below it (negative: keep only the last -offset)."""
        if not offset:
            return
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        else:
            self._pending = self._pending[offset:]

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        """Telegram remembers allowed_updates across calls; an empty list means the default."""
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = [u for u in self._pending
                   if next(k for k in u if k != "update_id") in self._allowed_updates]
        return allowed[:limit]

    def pending_update_count(self) -> int:
        return len(self._webhook_queue) if self.webhook.url else len(self._pending)

    def set_webhook(self, url: str, secret_token: str | None, *, drop_pending: bool,
                    allowed_updates: list[str] | None, max_connections: int) -> None:
        if not url:
            self.delete_webhook(drop_pending=drop_pending)
            return
        queued = [] if drop_pending else self._pending + self._webhook_queue
        self._pending = []
        self._webhook_queue = queued
        self.webhook = WebhookState(url=url, secret_token=secret_token,
                                    max_connections=max_connections,
                                    allowed_updates=allowed_updates)
        self.set_allowed_updates(allowed_updates)
        self._kick_webhook()
        self._changed()

    def delete_webhook(self, *, drop_pending: bool) -> None:
        if drop_pending:
            self._pending = []
            self._webhook_queue = []
        else:
            self._pending = self._webhook_queue + self._pending
            self._webhook_queue = []
        self.webhook = WebhookState()
        self._changed()

    def _kick_webhook(self) -> None:
        self._webhook_wake.set()
        if self._webhook_task is None or self._webhook_task.done():
            with contextlib.suppress(RuntimeError):  # no running loop: delivered on next kick
                self._webhook_task = asyncio.get_running_loop().create_task(
                    self._deliver_webhook()
                )

    @staticmethod
    def _update_chat(update: dict[str, Any]) -> Any:
        """The chat an update belongs to (Telegram delivers one chat's updates in order)."""
        body = next(v for k, v in update.items() if k != "update_id")
        message = body.get("message", body) if isinstance(body, dict) else {}
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict):
            return chat.get("id")
        sender = body.get("from") if isinstance(body, dict) else None
        return sender.get("id") if isinstance(sender, dict) else update["update_id"]

    async def _deliver_webhook(self) -> None:
        """POST queued updates, up to ``max_connections`` at once but one chat at a time, so
        each chat's updates arrive in order; failures are retried with backoff, as Telegram
        does."""
        inflight: dict[asyncio.Task[None], Any] = {}
        started: set[int] = set()
        while self.webhook.url and not self._closing and (self._webhook_queue or inflight):
            self._webhook_wake.clear()
            busy = set(inflight.values())
            for update in list(self._webhook_queue):
                if len(inflight) >= max(1, self.webhook.max_connections):
                    break
                if update["update_id"] in started:
                    continue
                kind = next(k for k in update if k != "update_id")
                if kind not in self._allowed_updates:
                    self._webhook_queue.remove(update)
                    continue
                chat = self._update_chat(update)
                if chat in busy:
                    continue
                busy.add(chat)
                started.add(update["update_id"])
                inflight[asyncio.ensure_future(self._post_update(update))] = chat
            wake = asyncio.ensure_future(self._webhook_wake.wait())
            done, _ = await asyncio.wait({*inflight, wake}, return_when=asyncio.FIRST_COMPLETED)
            wake.cancel()
            for task in done:
                if task in inflight:
                    del inflight[task]
        for task in inflight:
            task.cancel()

    async def _post_update(self, update: dict[str, Any]) -> None:
        backoff = 0.05
        while self.webhook.url and not self._closing:
            headers = {}
            if self.webhook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook.secret_token
            try:
                if self._session is None:
                    raise RuntimeError("server not started")
                async with self._session.post(self.webhook.url, json=update, headers=headers,
                                              timeout=aiohttp.ClientTimeout(total=60)) as resp:
                    status: int | str = resp.status
                    answer = await resp.read() if resp.content_type == "application/json" else b""
            except (aiohttp.ClientError, TimeoutError, RuntimeError) as err:
                status = type(err).__name__
            self.webhook_deliveries.append((update["update_id"], status))
            self.webhook_status[update["update_id"]] = status
            if isinstance(status, int) and 200 <= status < 300:
                if update in self._webhook_queue:
                    self._webhook_queue.remove(update)
                self._changed()
                await self.method_in_answer(answer)
                return
            self.webhook.last_error_date = int(self.now())
            self.webhook.last_error_message = (
                f"Wrong response from the webhook: {status}" if isinstance(status, int)
                else f"Connection failed: {status}"
            )
            await self._sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    async def method_in_answer(self, body: bytes) -> None:
        """A webhook may answer with one Bot API call ({"method": ..., params}); Telegram runs
        it and the bot never learns the result."""
        try:
            values = json.loads(body) if body else None
        except ValueError:
            return
        if isinstance(values, dict) and isinstance(values.get("method"), str):
            name = values.pop("method")
            await bot_api.perform(self, name, values, via_webhook=True)

    # --- acting as users ----------------------------------------------------------------------

    def add_user(self, user_id: int, first_name: str, *, username: str | None = None,
                 last_name: str | None = None, label: str | None = None) -> FakeUser:
        """A Telegram account with a private chat to the bot (chat id == user id)."""
        user = FakeUser(user_id, first_name, username=username, last_name=last_name,
                        label=label)
        self.users[user_id] = user
        self.chats.setdefault(user_id, ChatState(id=user_id, type="private", user_id=user_id))
        self._changed()
        return user

    def _user(self, user_id: int) -> FakeUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise LookupError(f"no user {user_id}; call add_user({user_id}, ...) first") from None

    def _user_message(self, user_id: int, chat_id: int | None = None, **fields: Any) -> int:
        user = self._user(user_id)
        chat = self._chat(user_id if chat_id is None else chat_id)
        msg = self.add_message(chat, from_bot=False, user_id=user.id, **fields)
        return self.push_update("message", self.message_json(chat, msg))

    def send_text(self, user_id: int, text: str) -> int:
        """The user types ``text`` in their chat with the bot. Returns the update_id."""
        entities = command_entities(text)
        return self._user_message(user_id, kind="text", text=text,
                                  payload={"entities": entities} if entities else {})

    def press(self, user_id: int, label_or_data: str, *, message_id: int | None = None) -> int:
        """The user taps an inline button (matched by label or callback_data).

        Looks at the newest bot message with such a button, or only at ``message_id``. A
        label on the current reply keyboard is sent as text, as the phone would.
        """
        chat = self._chat(user_id)
        candidates = [m for m in reversed(chat.messages.values())
                      if m.from_bot and not m.deleted and m.buttons]
        if message_id is not None:
            candidates = [m for m in candidates if m.message_id == message_id]
        for msg in candidates:
            for row in (msg.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if label_or_data not in (button.get("text"), data):
                        continue
                    if data is None:
                        raise AssertionError(
                            f"button {label_or_data!r} in message {msg.message_id} is not a "
                            f"callback button ({sorted(k for k in button if k != 'text')})"
                        )
                    return self._callback(user_id, chat, msg, data)
        if message_id is None and chat.reply_keyboard and any(
            label_or_data in row for row in chat.reply_keyboard
        ):
            return self.send_text(user_id, label_or_data)
        available = {m.message_id: m.button_labels() for m in candidates}
        keyboard = chat.reply_keyboard or []
        raise AssertionError(
            f"no button {label_or_data!r} in chat {user_id}"
            + (f" message {message_id}" if message_id is not None else "")
            + f"; inline buttons by message id: {available}; reply keyboard: {keyboard}"
        )

    def press_data(self, user_id: int, data: str, *, message_id: int | None = None) -> int:
        """A tap that sends ``data`` whatever the buttons say: a stale or forged client. It
        seems to come from ``message_id``, or the newest bot message in the chat."""
        chat = self._chat(user_id)
        mine = [m for m in chat.messages.values() if m.from_bot and not m.deleted
                and (message_id is None or m.message_id == message_id)]
        if not mine:
            raise AssertionError(f"no bot message in chat {user_id} to press on")
        return self._callback(user_id, chat, mine[-1], data)

    def _callback(self, user_id: int, chat: ChatState, msg: ChatMessage, data: str) -> int:
        query_id = f"{self.bot_id}{next(self._callback_ids):06d}"
        self.callback_queries[query_id] = {"user_id": user_id, "chat_id": chat.id,
                                           "message_id": msg.message_id, "data": data,
                                           "answer": None}
        instance = hashlib.sha1(f"{self.bot_id}:{chat.id}".encode()).hexdigest()[:16]
        return self.push_update("callback_query", {
            "id": query_id, "from": self._user(user_id).to_api(), "chat_instance": instance,
            "message": self.message_json(chat, msg), "data": data,
        })

    def callback_answer(self, update_id: int) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery params for the press that made ``update_id``."""
        for update in self.updates:
            if update["update_id"] == update_id and "callback_query" in update:
                return self.callback_queries[update["callback_query"]["id"]]["answer"]
        raise LookupError(f"update {update_id} is not a button press")

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> int:
        """The user edits one of their messages: an ``edited_message`` update."""
        chat = self._chat(user_id)
        msg = chat.messages.get(message_id)
        if msg is None or msg.from_bot or msg.text is None:
            raise AssertionError(f"user {user_id} has no text message {message_id} to edit")
        msg.text = new_text
        msg.edited = True
        msg.edit_date = int(self.now())
        entities = command_entities(new_text)
        msg.payload = {"entities": entities} if entities else {}
        self._changed()
        return self.push_update("edited_message", self.message_json(chat, msg))

    def send_photo(self, user_id: int, data: bytes | None = None, *,
                   caption: str | None = None) -> int:
        stored = self.store_file("photo", data if data is not None else tiny_png(64, 48))
        return self._user_message(user_id, kind="photo", photo=stored.data, caption=caption,
                                  photo_id=stored.file_unique_id,
                                  payload={"photo": self.photo_sizes(stored)})

    def send_sticker(self, user_id: int, emoji: str = "🙂") -> int:
        stored = self.store_file("sticker", b"RIFF-webp-sticker", mime_type="image/webp")
        return self._user_message(user_id, kind="sticker", payload={"sticker": {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "emoji": emoji}})

    def send_voice(self, user_id: int, duration: int = 3) -> int:
        stored = self.store_file("voice", b"OggS-voice", mime_type="audio/ogg")
        return self._user_message(user_id, kind="voice", payload={"voice": {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "duration": duration, "mime_type": "audio/ogg", "file_size": stored.size}})

    def send_video_note(self, user_id: int, duration: int = 5) -> int:
        stored = self.store_file("video_note", b"mp4-video-note", mime_type="video/mp4")
        return self._user_message(user_id, kind="video_note", payload={"video_note": {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "length": 240, "duration": duration, "file_size": stored.size}})

    def send_video(self, user_id: int, duration: int = 4) -> int:
        stored = self.store_file("video", b"mp4-video", mime_type="video/mp4")
        return self._user_message(user_id, kind="video", payload={"video": {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "width": 320, "height": 240, "duration": duration, "mime_type": "video/mp4",
            "file_size": stored.size}})

    def send_location(self, user_id: int, latitude: float = 51.5072,
                      longitude: float = -0.1276) -> int:
        return self._user_message(user_id, kind="location", payload={
            "location": {"latitude": latitude, "longitude": longitude}})

    def send_contact(self, user_id: int, phone_number: str = "+447700900123",
                     first_name: str = "Alex") -> int:
        return self._user_message(user_id, kind="contact", payload={
            "contact": {"phone_number": phone_number, "first_name": first_name}})

    def send_document(self, user_id: int, data: bytes = b"hello", *,
                      file_name: str = "notes.txt", mime_type: str = "text/plain") -> int:
        stored = self.store_file("document", data, file_name=file_name, mime_type=mime_type)
        return self._user_message(user_id, kind="document", payload={"document": {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_name": file_name, "mime_type": mime_type, "file_size": stored.size}})

    MEDIA_KINDS = ("sticker", "photo", "voice", "video_note", "video", "location", "contact",
                   "document")

    def send_media(self, user_id: int, kind: str) -> int:
        """Send one of MEDIA_KINDS with demo content (used by the control API)."""
        if kind not in self.MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}; one of {self.MEDIA_KINDS}")
        sender: Callable[[int], int] = getattr(self, f"send_{kind}")
        return sender(user_id)

    def block_bot(self, user_id: int, blocked: bool = True) -> int:
        """The user blocks (or unblocks) the bot: sends then fail with 403, as in Telegram."""
        user = self._user(user_id)
        user.blocked_bot = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        return self._member_update(self._chat(user_id), user, old, new)

    def _member_update(self, chat: ChatState, by: FakeUser, old: str, new: str) -> int:
        bot = self.bot_user_json()

        def member(status: str) -> dict[str, Any]:  # Telegram's "kicked" always has until_date
            return ({"status": status, "user": bot} if status != "kicked"
                    else {"status": "kicked", "user": bot, "until_date": 0})

        return self.push_update("my_chat_member", {
            "chat": self.chat_json(chat), "from": by.to_api(), "date": int(self.now()),
            "old_chat_member": member(old), "new_chat_member": member(new),
        })

    # --- groups -------------------------------------------------------------------------------

    def add_group(self, chat_id: int, title: str,
                  type: Literal["group", "supergroup"] = "group") -> ChatState:  # noqa: A002
        """A group chat (negative id, as in Telegram); the bot is not in it until added."""
        chat = ChatState(id=chat_id, type=type, title=title, bot_is_member=False)
        self.chats[chat_id] = chat
        self._changed()
        return chat

    def add_bot_to_group(self, chat_id: int, by_user_id: int) -> int:
        """A user adds the bot to the group: a ``my_chat_member`` update."""
        chat = self._chat(chat_id)
        chat.bot_is_member = True
        chat.members.add(by_user_id)
        return self._member_update(chat, self._user(by_user_id), "left", "member")

    def add_user_to_group(self, chat_id: int, user_id: int) -> int:
        """A user joins the group: a service message with ``new_chat_members``."""
        chat = self._chat(chat_id)
        user = self._user(user_id)
        chat.members.add(user_id)
        msg = self.add_message(chat, from_bot=False, user_id=user_id, kind="new_chat_members",
                               payload={"new_chat_members": [user.to_api()]})
        if not chat.bot_is_member:
            return 0
        return self.push_update("message", self.message_json(chat, msg))

    def send_group_text(self, chat_id: int, user_id: int, text: str) -> int:
        """A user writes in a group (delivered only while the bot is a member)."""
        chat = self._chat(chat_id)
        if not chat.bot_is_member:
            raise AssertionError(f"the bot is not in group {chat_id}; add_bot_to_group first")
        chat.members.add(user_id)
        entities = command_entities(text)
        return self._user_message(user_id, chat_id, kind="text", text=text,
                                  payload={"entities": entities} if entities else {})


# --- stand-alone ------------------------------------------------------------------------------


def _parse_user(spec: str) -> tuple[int, str, str | None]:
    parts = spec.split(":", 2)
    return int(parts[0]), parts[1] if len(parts) > 1 else f"User {parts[0]}", (
        parts[2] if len(parts) > 2 else None)


async def _serve(args: argparse.Namespace) -> None:
    server = FakeTelegram(args.token, args.username, enforce_limits=args.enforce_limits)
    for spec in args.user:
        user_id, name, label = _parse_user(spec)
        server.add_user(user_id, name, label=label)
    await server.start(args.host, args.port)
    print(f"fake Telegram on {server.url}  base_url={server.base_url}  token={server.token}",
          flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server + demo page")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--username", default="rise_demo_bot")
    parser.add_argument("--enforce-limits", action="store_true")
    parser.add_argument("--user", action="append", default=[], metavar="ID:NAME[:LABEL]")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
