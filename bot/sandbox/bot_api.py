"""Bot API routes of the fake Telegram: ``/bot<token>/<method>`` and ``/file/bot<token>/...``.

Parameters arrive the way PTB's HTTPXRequest sends them: form fields (or multipart when a file
is uploaded) where strings are raw and everything else is JSON-encoded; a JSON body or a query
string also works. Answers and errors mirror Telegram's, so PTB raises the same exceptions.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from bot.sandbox.model import (
    ApiError,
    Buttons,
    Call,
    ChatMessage,
    ChatState,
    StoredFile,
    bad_request,
    plain_text,
    utf16_len,
)

if TYPE_CHECKING:
    from bot.sandbox.fake_telegram import FakeTelegram

log = logging.getLogger("bot.sandbox.fake_telegram")

HOURS_48 = 48 * 3600

# Parameters PTB JSON-encodes in form bodies (a str value here is JSON text).
JSON_PARAMS = frozenset({
    "reply_markup", "entities", "caption_entities", "message_ids", "commands", "scope",
    "allowed_updates", "link_preview_options", "reply_parameters", "media",
})


@dataclass
class Upload:
    filename: str
    content_type: str | None
    data: bytes


class Params:
    """Typed access to one request's parameters, with Telegram-style 400s."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload]) -> None:
        self.values = values
        self.files = files

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name, default)
        return None if value is None else str(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(float(value))
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def float(self, name: str, default: float = 0.0) -> float:
        value = self.values.get(name)
        try:
            return default if value in (None, "") else float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str) -> bool:
        value = self.values.get(name)
        return value is True or str(value).lower() in ("true", "1")

    def required_int(self, name: str) -> int:
        value = self.int(name)
        if value is None:
            raise bad_request(f"{name} is empty" if name != "message_id"
                              else "message identifier is not specified")
        return value


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    ctype = request.content_type
    if request.method == "POST" and request.can_read_body:
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                values.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    files[part.name] = Upload(part.filename,
                                              part.headers.get("Content-Type"),
                                              bytes(await part.read(decode=False)))
                else:
                    values[part.name] = await part.text()
        else:
            values.update(await request.post())
    for name in JSON_PARAMS & values.keys():
        if isinstance(values[name], str):
            try:
                values[name] = json.loads(values[name])
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
    return values, files


def ok(result: Any, status: int = 200) -> web.Response:
    return web.json_response({"ok": True, "result": result}, status=status)


Handler = Callable[["FakeTelegram", Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method (names are case-insensitive, as in Telegram)."""

    def register(func: Handler) -> Handler:
        METHODS[name.lower()] = func
        return func

    return register


def add_routes(app: web.Application, server: FakeTelegram) -> None:
    async def handle(request: web.Request) -> web.Response:
        return await dispatch(server, request)

    async def download(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != server.token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        for stored in server.files.values():
            if file_path(stored) == path and stored.data is not None:
                return web.Response(body=stored.data,
                                    content_type=stored.mime_type or "application/octet-stream")
        raise web.HTTPNotFound()

    app.router.add_route("*", "/bot{token}/{method}", handle)
    app.router.add_route("GET", "/file/bot{token}/{path:.+}", download)


async def dispatch(server: FakeTelegram, request: web.Request) -> web.Response:
    token, name = request.match_info["token"], request.match_info["method"]
    if token != server.token:
        return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
    try:
        values, files = await read_params(request)
    except ApiError as err:
        return web.json_response(err.payload(), status=err.code)
    return await perform(server, name, values, files)


async def perform(server: FakeTelegram, name: str, values: dict[str, Any],
                  files: dict[str, Upload] | None = None, *,
                  via_webhook: bool = False) -> web.Response:
    """One Bot API method call, recorded in ``server.calls``: from an HTTP request, or from the
    body of a webhook answer (Telegram runs a method named there, and tells nobody the result)."""
    files = files or {}
    call = Call(name, values, time.time(), {k: f.filename for k, f in files.items()},
                via_webhook=via_webhook)
    server.calls.append(call)
    server._changed()
    log.debug("bot api call %s (%d so far)", name, len(server.calls))
    handler = METHODS.get(name.lower())
    if handler is None:
        call.status = 404
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)
    polling = name.lower() == "getupdates"
    if not polling:
        server._inflight += 1
    try:
        response = await _answer(server, call, handler, Params(values, files))
    finally:
        if not polling:
            server._inflight -= 1
            server._changed()
    call.status = response.status
    return response


async def _answer(server: FakeTelegram, call: Call, handler: Handler,
                  params: Params) -> web.Response:
    fault = server._take_fault(call.method)
    try:
        if fault is not None:
            log.debug("injected fault %s on %s", fault.kind, call.method)
            if fault.kind == "429":
                raise ApiError(429, f"Too Many Requests: retry after {fault.retry_after}",
                               {"retry_after": fault.retry_after})
            if fault.kind == "500":
                raise ApiError(500, "Internal Server Error")
            if fault.kind == "timeout":
                await server._sleep(fault.seconds or 60)
                raise ApiError(504, "Gateway Timeout")
            await server._sleep(fault.seconds)  # "delay"
        chat_id = params.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # form bodies carry "42", JSON bodies 42: one bucket
        server._check_limits(call.method, chat_id)
        return ok(await handler(server, params))
    except ApiError as err:
        return web.json_response(err.payload(), status=err.code)
    except Exception:  # a bug in the fake: answer like Telegram would, keep serving
        log.exception("fake telegram failed on %s", call.method)
        return web.json_response(ApiError(500, "Internal Server Error").payload(), status=500)


# --- helpers ----------------------------------------------------------------------------------


def target_chat(server: FakeTelegram, params: Params, *, sending: bool = True,
                field: str = "chat_id") -> ChatState:
    """The chat named by chat_id (an id or "@username"), checked the way Telegram checks it."""
    raw = params.get(field)
    if raw in (None, ""):
        raise bad_request("chat_id is empty")
    chat: ChatState | None = None
    if isinstance(raw, str) and raw.startswith("@"):
        for user in server.users.values():
            if user.username and user.username.lower() == raw[1:].lower():
                chat = server.chats.get(user.id)
    else:
        try:
            chat = server.chats.get(int(raw))
        except ValueError:
            chat = None
    if chat is None:
        raise bad_request("chat not found")
    if sending:
        user = server.users.get(chat.user_id) if chat.user_id is not None else None
        if user is not None and user.blocked_bot:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type != "private" and not chat.bot_is_member:
            raise ApiError(403, "Forbidden: bot is not a member of the group chat")
    return chat


def target_message(chat: ChatState, params: Params, what: str) -> ChatMessage:
    message_id = params.required_int("message_id")
    msg = chat.messages.get(message_id)
    if msg is None or msg.deleted:
        raise bad_request(f"message to {what} not found")
    return msg


def apply_markup(chat: ChatState, markup: Any) -> tuple[dict[str, Any] | None, Buttons]:
    """Validate reply_markup; remember reply keyboards; return the inline keyboard if any."""
    if markup in (None, ""):
        return None, []
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("can't parse inline keyboard button: field \"inline_keyboard\" "
                              "must be an Array of Array")
        buttons: Buttons = []
        for row in rows:
            out_row = []
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("can't parse inline keyboard button: Text is empty")
                data = button.get("callback_data")
                actions = set(button) - {"text", "style"}
                if not actions:
                    raise bad_request("can't parse inline keyboard button: Text buttons are "
                                      "unallowed in the inline keyboard")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
                out_row.append((str(button["text"]), str(data if data is not None
                                                           else button.get("url", ""))))
            buttons.append(out_row)
        return {"inline_keyboard": rows}, buttons
    if "keyboard" in markup:
        chat.reply_keyboard = [[b["text"] if isinstance(b, dict) else str(b) for b in row]
                               for row in markup["keyboard"]]
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None
    return None, []


def formatted(params: Params, field: str, *, required: bool) -> tuple[str | None, str | None]:
    """(plain text, raw text) of ``text``/``caption`` after parse_mode, with Telegram's limits."""
    raw = params.str(field)
    if raw is None or raw == "":
        if required:
            raise bad_request("message text is empty")
        return None, None
    shown = plain_text(raw, params.str("parse_mode"))
    if required and not shown.strip():
        raise bad_request("message text is empty")
    limit = 4096 if field == "text" else 1024
    if utf16_len(shown) > limit:
        raise bad_request("message is too long" if field == "text"
                          else "message caption is too long")
    return shown, raw


def file_path(stored: StoredFile) -> str:
    ext = {"photo": "png", "document": (stored.file_name or "f.bin").rsplit(".", 1)[-1],
           "voice": "oga", "sticker": "webp", "video_note": "mp4",
           "video": "mp4"}.get(stored.kind, "bin")
    return f"{stored.kind}s/file_{stored.file_unique_id}.{ext}"


def incoming_file(server: FakeTelegram, params: Params, field: str, kind: str) -> StoredFile:
    """An uploaded file (multipart) or a reused file_id / URL string."""
    upload = params.files.get(field)
    if upload is not None:
        return server.store_file(kind, upload.data, file_name=upload.filename,
                                 mime_type=upload.content_type)
    ref = params.str(field)
    if not ref:
        raise bad_request(f"there is no {field} in the request")
    if ref.startswith("attach://"):
        name = ref.removeprefix("attach://")
        if name not in params.files:
            raise bad_request(f"file {ref} not found in the request")
        up = params.files[name]
        return server.store_file(kind, up.data, file_name=up.filename,
                                 mime_type=up.content_type)
    if ref in server.files:
        return server.files[ref]
    if re.match(r"https?://", ref):
        return server.store_file(kind, None, file_name=ref.rsplit("/", 1)[-1])
    raise bad_request("wrong file identifier/HTTP URL specified")


def can_delete(server: FakeTelegram, chat: ChatState, msg: ChatMessage) -> bool:
    """Telegram: under 48 hours old; in groups only the bot's own messages (not an admin)."""
    if server.now() - msg.date >= HOURS_48:
        return False
    return chat.type == "private" or msg.from_bot


# --- methods ----------------------------------------------------------------------------------


@method("getMe")
async def get_me(server: FakeTelegram, p: Params) -> Any:
    return {**server.bot_user_json(), "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False}


@method("logOut")
@method("close")
async def accept(server: FakeTelegram, p: Params) -> Any:
    return True


@method("getUpdates")
async def get_updates(server: FakeTelegram, p: Params) -> Any:
    """Long polling: hold the request until an update arrives or ``timeout`` passes."""
    conflict = ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                             "use deleteWebhook to delete the webhook first")
    if server.webhook.url:
        raise conflict
    limit = min(max(p.int("limit", 100) or 100, 1), 100)
    timeout = max(p.float("timeout", 0.0), 0.0)
    allowed = p.get("allowed_updates")
    server.set_allowed_updates(allowed if isinstance(allowed, list) else None)
    server.confirm_updates(p.int("offset"))
    loop_time = time.monotonic
    deadline = loop_time() + timeout
    while True:
        batch = server.deliverable(limit)
        remaining = deadline - loop_time()
        if batch or server._closing or remaining <= 0:
            log.debug("getUpdates returns %d update(s)", len(batch))
            return batch
        await server._wait_change(remaining)
        if server.webhook.url:
            raise conflict


@method("sendMessage")
async def send_message(server: FakeTelegram, p: Params) -> Any:
    chat = target_chat(server, p)
    text, raw = formatted(p, "text", required=True)
    markup, buttons = apply_markup(chat, p.get("reply_markup"))
    payload = {"entities": p.get("entities")} if p.get("entities") else {}
    msg = server.add_message(chat, from_bot=True, kind="text", text=text, raw_text=raw,
                             parse_mode=p.str("parse_mode"), buttons=buttons,
                             reply_markup=markup, payload=payload)
    return server.message_json(chat, msg)


def _send_file(server: FakeTelegram, p: Params, field: str) -> Any:
    chat = target_chat(server, p)
    stored = incoming_file(server, p, field, field)
    caption, raw = formatted(p, "caption", required=False)
    markup, buttons = apply_markup(chat, p.get("reply_markup"))
    if field == "photo":
        payload: dict[str, Any] = {"photo": server.photo_sizes(stored)}
        extra = {"photo": stored.data, "photo_id": stored.file_unique_id}
    else:
        payload = {"document": {"file_id": stored.file_id,
                                "file_unique_id": stored.file_unique_id,
                                "file_name": stored.file_name, "mime_type": stored.mime_type,
                                "file_size": stored.size}}
        payload["document"] = {k: v for k, v in payload["document"].items() if v is not None}
        extra = {}
    msg = server.add_message(chat, from_bot=True, kind=field, caption=caption, raw_text=raw,
                             parse_mode=p.str("parse_mode"), buttons=buttons,
                             reply_markup=markup, payload=payload, **extra)
    return server.message_json(chat, msg)


@method("sendPhoto")
async def send_photo(server: FakeTelegram, p: Params) -> Any:
    return _send_file(server, p, "photo")


@method("sendDocument")
async def send_document(server: FakeTelegram, p: Params) -> Any:
    return _send_file(server, p, "document")


@method("copyMessage")
async def copy_message(server: FakeTelegram, p: Params) -> Any:
    """A copy of any message (a photo, a voice note, a location...) without a link to the
    original; the same file ids. Answers only the new message's id, as Telegram does."""
    chat = target_chat(server, p)
    source = target_chat(server, p, sending=False, field="from_chat_id")
    original = source.messages.get(p.required_int("message_id"))
    if original is None or original.deleted:
        raise bad_request("message to copy not found")
    if original.kind not in COPYABLE:
        raise bad_request("message can't be copied")
    caption, raw = formatted(p, "caption", required=False)
    markup, buttons = apply_markup(chat, p.get("reply_markup"))
    payload = {k: v for k, v in original.payload.items() if k != "entities"}
    if original.kind == "text" and "entities" in original.payload:
        payload["entities"] = original.payload["entities"]
    msg = server.add_message(chat, from_bot=True, kind=original.kind, text=original.text,
                             caption=caption if caption is not None else original.caption,
                             raw_text=raw if caption is not None else original.raw_text,
                             photo=original.photo, photo_id=original.photo_id, payload=payload,
                             buttons=buttons, reply_markup=markup)
    return {"message_id": msg.message_id}


COPYABLE = frozenset({"text", "photo", "document", "sticker", "voice", "video", "video_note",
                      "location", "contact", "audio", "animation"})


@method("getFile")
async def get_file(server: FakeTelegram, p: Params) -> Any:
    stored = server.files.get(p.str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_size": stored.size, "file_path": file_path(stored)}


def _not_modified() -> ApiError:
    return bad_request("message is not modified: specified new message content and reply "
                       "markup are exactly the same as a current content and reply markup "
                       "of the message")


def _edit_target(server: FakeTelegram, p: Params) -> tuple[ChatState, ChatMessage]:
    if p.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the fake server")
    chat = target_chat(server, p, sending=False)
    msg = target_message(chat, p, "edit")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return chat, msg


def _finish_edit(server: FakeTelegram, chat: ChatState, msg: ChatMessage) -> Any:
    msg.edited = True
    msg.edit_date = int(server.now())
    server._changed()
    return server.message_json(chat, msg)


@method("editMessageText")
async def edit_message_text(server: FakeTelegram, p: Params) -> Any:
    """Like Telegram, an edit without reply_markup removes the inline keyboard."""
    chat, msg = _edit_target(server, p)
    if msg.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text, raw = formatted(p, "text", required=True)
    markup, buttons = apply_markup(chat, p.get("reply_markup"))
    if text == msg.text and markup == msg.reply_markup:
        raise _not_modified()
    msg.text, msg.raw_text, msg.parse_mode = text, raw, p.str("parse_mode")
    msg.reply_markup, msg.buttons = markup, buttons
    return _finish_edit(server, chat, msg)


@method("editMessageCaption")
async def edit_message_caption(server: FakeTelegram, p: Params) -> Any:
    chat, msg = _edit_target(server, p)
    caption, raw = formatted(p, "caption", required=False)
    markup, buttons = apply_markup(chat, p.get("reply_markup"))
    if caption == msg.caption and markup == msg.reply_markup:
        raise _not_modified()
    msg.caption, msg.raw_text, msg.reply_markup, msg.buttons = caption, raw, markup, buttons
    return _finish_edit(server, chat, msg)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(server: FakeTelegram, p: Params) -> Any:
    chat, msg = _edit_target(server, p)
    markup, buttons = apply_markup(chat, p.get("reply_markup"))
    if markup == msg.reply_markup:
        raise _not_modified()
    msg.reply_markup, msg.buttons = markup, buttons
    return _finish_edit(server, chat, msg)


@method("answerCallbackQuery")
async def answer_callback_query(server: FakeTelegram, p: Params) -> Any:
    query = server.callback_queries.get(p.str("callback_query_id") or "")
    if query is None or query["answer"] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is "
                          "invalid")
    text = p.str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query["answer"] = {"text": text, "show_alert": p.bool("show_alert"),
                       "url": p.str("url"), "cache_time": p.int("cache_time")}
    server._changed()
    return True


@method("deleteMessage")
async def delete_message(server: FakeTelegram, p: Params) -> Any:
    chat = target_chat(server, p, sending=False)
    msg = target_message(chat, p, "delete")
    if not can_delete(server, chat, msg):
        raise bad_request("message can't be deleted")
    msg.deleted = True
    server._changed()
    return True


@method("deleteMessages")
async def delete_messages(server: FakeTelegram, p: Params) -> Any:
    """Missing ids are skipped; 400 "can't be deleted" only if none could be deleted."""
    chat = target_chat(server, p, sending=False)
    ids = p.get("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a list of 1-100 message identifiers")
    found = [m for i in ids if (m := chat.messages.get(int(i))) is not None and not m.deleted]
    deletable = [m for m in found if can_delete(server, chat, m)]
    if found and not deletable:
        raise bad_request("message can't be deleted")
    for msg in deletable:
        msg.deleted = True
    server._changed()
    return True


@method("sendChatAction")
async def send_chat_action(server: FakeTelegram, p: Params) -> Any:
    target_chat(server, p)
    if not p.str("action"):
        raise bad_request("action is empty")
    return True


def _commands_key(p: Params) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.str("language_code") or ""


@method("setMyCommands")
async def set_my_commands(server: FakeTelegram, p: Params) -> Any:
    commands = p.get("commands")
    if not isinstance(commands, list):
        raise bad_request("commands must be an Array")
    for cmd in commands:
        if not isinstance(cmd, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}",
                                                         str(cmd.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(cmd.get("description", ""))) <= 256:
            raise bad_request("command description is empty or too long")
    server.commands[_commands_key(p)] = [
        {"command": c["command"], "description": c["description"]} for c in commands]
    return True


@method("getMyCommands")
async def get_my_commands(server: FakeTelegram, p: Params) -> Any:
    return server.commands.get(_commands_key(p), [])


@method("deleteMyCommands")
async def delete_my_commands(server: FakeTelegram, p: Params) -> Any:
    server.commands.pop(_commands_key(p), None)
    return True


def _profile(field: str, limit: int) -> tuple[Handler, Handler]:
    async def setter(server: FakeTelegram, p: Params) -> Any:
        value = p.str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        server.profile[field] = value
        return True

    async def getter(server: FakeTelegram, p: Params) -> Any:
        return {field: server.profile.get(field, "")}

    return setter, getter


for _field, _name, _limit in (("name", "Name", 64), ("description", "Description", 512),
                              ("short_description", "ShortDescription", 120)):
    _set, _get = _profile(_field, _limit)
    method(f"setMy{_name}")(_set)
    method(f"getMy{_name}")(_get)


@method("setWebhook")
async def set_webhook(server: FakeTelegram, p: Params) -> Any:
    secret = p.str("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    url = p.str("url") or ""
    if url and not re.match(r"https?://", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    allowed = p.get("allowed_updates")
    server.set_webhook(url, secret, drop_pending=p.bool("drop_pending_updates"),
                       allowed_updates=allowed if isinstance(allowed, list) else None,
                       max_connections=p.int("max_connections", 40) or 40)
    return True


@method("deleteWebhook")
async def delete_webhook(server: FakeTelegram, p: Params) -> Any:
    server.delete_webhook(drop_pending=p.bool("drop_pending_updates"))
    return True


@method("getWebhookInfo")
async def get_webhook_info(server: FakeTelegram, p: Params) -> Any:
    hook = server.webhook
    info: dict[str, Any] = {"url": hook.url, "has_custom_certificate": False,
                            "pending_update_count": server.pending_update_count()}
    if hook.url:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


@method("getChat")
async def get_chat(server: FakeTelegram, p: Params) -> Any:
    chat = target_chat(server, p, sending=False)
    return {**server.chat_json(chat), "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                    "unique_gifts": False, "premium_subscription": False,
                                    "gifts_from_channels": False}}


@method("leaveChat")
async def leave_chat(server: FakeTelegram, p: Params) -> Any:
    chat = target_chat(server, p, sending=False)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    if not chat.bot_is_member:
        raise ApiError(403, "Forbidden: bot is not a member of the group chat")
    chat.bot_is_member = False
    server._changed()
    return True
