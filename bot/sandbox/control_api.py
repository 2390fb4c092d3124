"""Control API of the fake Telegram (``/control/...``) and the demo page (``/``).

JSON in and out, for the demo page and for benchmarks running in another process. The routes
are listed in the module docstring of ``bot.sandbox.fake_telegram`` and in
``docs/fake-telegram.md``.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.sandbox.fake_telegram import FakeTelegram


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "body must be JSON"}',
                                 content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "body must be a JSON object"}',
                                 content_type="application/json")
    return body


def add_routes(app: web.Application, server: FakeTelegram) -> None:
    routes = web.RouteTableDef()

    def user_id(request: web.Request) -> int:
        try:
            uid = int(request.match_info["user_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        if uid not in server.users:
            raise web.HTTPNotFound(text=f'{{"error": "no user {uid}"}}',
                                   content_type="application/json")
        return uid

    @routes.get("/")
    async def page(request: web.Request) -> web.Response:
        html = resources.files("bot.sandbox").joinpath("demo_page.html").read_text("utf-8")
        return web.Response(text=html, content_type="text/html")

    @routes.get("/control/users")
    async def list_users(request: web.Request) -> web.Response:
        return web.json_response([u.to_control() for u in server.users.values()])

    @routes.post("/control/users")
    async def add_user(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            user = server.add_user(int(body["id"]), str(body["first_name"]),
                                   username=body.get("username"),
                                   last_name=body.get("last_name"), label=body.get("label"))
        except (KeyError, TypeError, ValueError):
            return _error(400, "need {id: int, first_name: str}")
        return web.json_response(user.to_control(), status=201)

    @routes.post("/control/users/{user_id}/text")
    async def text(request: web.Request) -> web.Response:
        uid = user_id(request)
        body = await _body(request)
        if not isinstance(body.get("text"), str) or not body["text"]:
            return _error(400, "need {text: str}")
        return web.json_response({"update_id": server.send_text(uid, body["text"])})

    @routes.post("/control/users/{user_id}/press")
    async def press(request: web.Request) -> web.Response:
        uid = user_id(request)
        body = await _body(request)
        target = body.get("label", body.get("data"))
        if not isinstance(target, str):
            return _error(400, "need {label: str} or {data: str}")
        message_id = body.get("message_id")
        try:
            update_id = server.press(uid, target,
                                     message_id=int(message_id) if message_id else None)
        except AssertionError as err:
            return _error(400, str(err))
        return web.json_response({"update_id": update_id})

    @routes.post("/control/users/{user_id}/media")
    async def media(request: web.Request) -> web.Response:
        uid = user_id(request)
        body = await _body(request)
        try:
            update_id = server.send_media(uid, str(body.get("kind")))
        except ValueError as err:
            return _error(400, str(err))
        return web.json_response({"update_id": update_id})

    @routes.post("/control/users/{user_id}/edit")
    async def edit(request: web.Request) -> web.Response:
        uid = user_id(request)
        body = await _body(request)
        try:
            update_id = server.edit_text(uid, int(body["message_id"]), str(body["text"]))
        except (KeyError, ValueError, AssertionError) as err:
            return _error(400, str(err))
        return web.json_response({"update_id": update_id})

    @routes.get("/control/chats/{chat_id}")
    async def chat(request: web.Request) -> web.Response:
        try:
            chat_id = int(request.match_info["chat_id"])
            messages = server.chat(chat_id)
        except (ValueError, LookupError):
            return _error(404, "no such chat")
        return web.json_response({"chat_id": chat_id, "version": server.version,
                                  "messages": [m.to_control() for m in messages]})

    @routes.get("/control/photos/{photo_id}.png")
    async def photo(request: web.Request) -> web.Response:
        data = server.photo_bytes(request.match_info["photo_id"])
        if data is None:
            return _error(404, "no such photo")
        return web.Response(body=data, content_type="image/png")

    @routes.get("/control/calls")
    async def calls(request: web.Request) -> web.Response:
        name = request.query.get("method")
        chosen = server.calls_for(name) if name else server.calls
        return web.json_response([c.to_control() for c in chosen])

    @routes.get("/control/faults")
    async def list_faults(request: web.Request) -> web.Response:
        return web.json_response([f.to_control() for f in server.faults if f.count > 0])

    @routes.post("/control/faults")
    async def add_fault(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            fault = server.inject_fault(
                body.get("method"), str(body.get("kind")),  # type: ignore[arg-type]
                count=int(body.get("count", 1)), retry_after=int(body.get("retry_after", 1)),
                seconds=float(body.get("seconds", 0)),
            )
        except (TypeError, ValueError) as err:
            return _error(400, str(err))
        return web.json_response(fault.to_control(), status=201)

    @routes.delete("/control/faults")
    async def clear_faults(request: web.Request) -> web.Response:
        server.clear_faults()
        return web.json_response({"cleared": True})

    @routes.get("/control/events")
    async def events(request: web.Request) -> web.Response:
        """Long-poll: answer as soon as the version passes ``since`` (or after ``timeout``).

        A ``since`` above the version, or a ``boot`` other than this server's, is from before
        a restart: answered at once."""
        try:
            since = int(request.query.get("since", -1))
            timeout = min(float(request.query.get("timeout", 25)), 60.0)
        except ValueError:
            return _error(400, "since and timeout must be numbers")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if request.query.get("boot", server.boot) != server.boot:
            since = -1
        while since == server.version and not server._closing:
            remaining = deadline - loop.time()
            if remaining <= 0 or not await server._wait_change(remaining):
                break
        return web.json_response({"version": server.version, "boot": server.boot})

    app.add_routes(routes)
