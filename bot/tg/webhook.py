"""`rise-bot webhook`: Telegram POSTs each update to us; we handle it and answer.

Several of these processes can run behind one load balancer, all sharing PostgreSQL. Each
update is handled to the end (saved, safety checked, alert written, replies sent) before we
answer 200: Telegram keeps an update until it is acknowledged and sends it again otherwise, so
a danger message is never acknowledged before its alert is in the database. One person's
updates take turns (a per-person lock in this process and a per-person database lock across
processes); different people are handled side by side.

Routes:
  POST /telegram/<path secret>  the updates; the X-Telegram-Bot-Api-Secret-Token header must
                                equal WEBHOOK_SECRET (403 otherwise); any other path is 404.
                                A button press is answered (answerCallbackQuery) in the body
                                of our 200, as the Bot API allows, instead of a call of its own.
                                A body over 1 MiB is refused with 413 (read in chunks, never
                                held whole); JSON that is malformed, not an object or nested
                                too deep gets 400, logged as one line without a traceback
  GET  /healthz                 200 {"ok": true, ...} when the database answers and the clock
                                beat recently; 503 otherwise (for load balancers, monitoring)
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.db.engine import Database
from bot.safety.shared import shared_detector, shared_reader
from bot.tg.admission import Admission
from bot.tg.app import ANSWERED_BY_WEBHOOK
from bot.tg.retry import RETRY_LATER
from bot.tg.startup import initialize_with_retry
from bot.time import health

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # Telegram's updates are far smaller (a message is at most 4096 chars)
MAX_DEPTH = 32  # an update nests about 6 deep; json.loads recurses, so a deep body must not


class TooLarge(Exception):
    """The body passed MAX_BODY."""


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, read a chunk at a time and given up on as soon as it passes `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON nests deeper than `limit` (brackets outside strings, counted before
    parsing, as json.loads would otherwise recurse into them)."""
    depth, in_string, escaped = 0, False, False
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the common case: too few brackets to nest that deep at all
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def parse_update_json(body: bytes) -> dict[str, Any] | None:
    """The update's JSON object, or None for anything else (malformed, not UTF-8, not an
    object, too deep)."""
    if too_deep(body):
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None


def path_secret(secret: str) -> str:
    """The secret part of the webhook path, derived from WEBHOOK_SECRET so every process agrees
    without another setting, and so the header secret never appears in URLs or logs."""
    return hashlib.sha256(f"rise-webhook-path:{secret}".encode()).hexdigest()[:32]


def webhook_path(secret: str) -> str:
    return f"/telegram/{path_secret(secret)}"


# what the bot reads of the message a pressed button sits on: which chat it is in
_PRESSED_ON_KEEPS = ("message_id", "date", "chat", "is_topic_message", "message_thread_id")


def lean(data: Any) -> Any:
    """The update without the parts of a button press the bot never reads.

    Telegram sends a button press with the whole message the button sits on: its text and
    every button. Turning that into PTB objects cost three times as much as the rest of the
    update, for fields nothing reads (a press is its data, its sender and its chat), and it
    held the bot's own old words in memory for nothing.
    """
    query = data.get("callback_query") if isinstance(data, dict) else None
    message = query.get("message") if isinstance(query, dict) else None
    if not isinstance(message, dict):
        return data
    kept = {key: message[key] for key in _PRESSED_ON_KEEPS if key in message}
    return {**data, "callback_query": {**query, "message": kept}}


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def build_webhook_app(application: Application, db: Database, *, secret: str,
                      now: Callable[[], datetime], stale_after: timedelta = health.STALE_AFTER,
                      on_startup: Callable[[], Awaitable[None]] | None = None,
                      on_shutdown: Callable[[], Awaitable[None]] | None = None) -> Starlette:
    """The ASGI app: feeds PTB's application (initialised and stopped with the app)."""
    expected_path = path_secret(secret)
    admission = Admission(detector=shared_detector())
    application.bot_data[ANSWERED_BY_WEBHOOK] = True

    async def telegram(request: Request) -> Response:
        if not _same(request.path_params["token"], expected_path):
            return Response(status_code=404)
        if not _same(request.headers.get(SECRET_HEADER, ""), secret):
            log.warning("webhook call refused: wrong or missing secret header")
            return Response(status_code=403)
        try:
            body = await read_body(request)
        except TooLarge:
            log.warning("webhook call refused: body over the size limit")
            return Response(status_code=413)
        data = parse_update_json(body)
        if data is None:
            log.warning("webhook call refused: not a JSON object")
            return Response(status_code=400)
        try:
            update = Update.de_json(lean(data), application.bot)
        except Exception as error:  # a shape PTB cannot read: the type only, never the body
            update = None
            log.warning("webhook update unreadable", extra={"error_type": type(error).__name__})
        if update is None:
            # taken, as polling takes it: sending it again could never make it readable, and
            # Telegram would hold the updates behind it while it tried
            return Response(status_code=200)
        async with admission.turn(update):  # a few at a time; worrying messages first
            await application.process_update(update)  # errors are handled (and logged) inside
        if application.bot_data[RETRY_LATER].take_answer(update.update_id) != 200:
            return Response(status_code=500)  # the database was away: Telegram sends it again
        if update.callback_query is not None:
            # stop the button's spinner in our answer itself: one call to Telegram fewer
            return JSONResponse({"method": "answerCallbackQuery",
                                 "callback_query_id": update.callback_query.id})
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        verdict = await health.check(db, now(), stale_after=stale_after)
        if shared_reader().degraded:
            verdict.detector = "degraded"
        return JSONResponse(verdict.as_json(), status_code=200 if verdict.ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await initialize_with_retry(application)  # getMe: a blip at start is waited out
        await application.start()
        if on_startup is not None:
            await on_startup()
        try:
            yield
        finally:
            if on_shutdown is not None:
                await on_shutdown()
            await application.stop()
            await application.shutdown()

    return Starlette(routes=[Route("/telegram/{token}", telegram, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])],
                     lifespan=lifespan)
