"""Web processes in a test: the real webhook ASGI app (PTB application, router, database), driven
over ASGI by the test acting as Telegram's delivery side, replying through the fake Bot API."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from telegram.ext import Application

from bot.app.services import Services, build_services
from bot.db.engine import Database
from bot.sandbox.fake_telegram import FakeTelegram
from bot.tg.app import build_application
from bot.tg.webhook import SECRET_HEADER, build_webhook_app, webhook_path
from content.loader import Content

SECRET = "test-webhook-secret_0123456789"


@dataclass
class WebInstance:
    """One `rise-bot webhook` process, as far as the bot is concerned."""

    services: Services
    client: httpx.AsyncClient
    server: FakeTelegram
    application: Application

    async def post(self, update: dict[str, Any], *, secret: str | None = SECRET,
                   path: str | None = None) -> int:
        """Deliver like Telegram: a method named in a 200 answer's body is run too."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        headers["Content-Type"] = "application/json"
        # json.dumps escapes as Telegram may: a lone surrogate travels as "\\ud800"
        response = await self.client.post(path or webhook_path(SECRET),
                                          content=json.dumps(update).encode(), headers=headers)
        if response.status_code == 200:
            await self.server.method_in_answer(response.content)
        return response.status_code

    async def deliver(self) -> int:
        """What `rise-bot clock` does: run due jobs, then send the outbox."""
        if self.services.sender is None:
            self.services.attach_bot(self.application.bot)
        await self.services.clock.tick()
        assert self.services.sender is not None
        return await self.services.sender.deliver_due()

    async def health(self) -> tuple[int, dict]:
        response = await self.client.get("/healthz")
        return response.status_code, response.json()


@contextlib.asynccontextmanager
async def web_instance(server: FakeTelegram, db: Database, content: Content,
                       clock: Any) -> AsyncIterator[WebInstance]:
    services = build_services(db, content=content, now=clock)
    application = build_application(server.token, services.router, base_url=server.base_url,
                                    base_file_url=server.base_file_url, updater=False)
    app = build_webhook_app(application, db, secret=SECRET, now=clock)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://web.local") as client:
        yield WebInstance(services, client, server, application)


def take_update(server: FakeTelegram, update_id: int) -> dict[str, Any]:
    """The update the fake made for a user action (no webhook set: taken off its queue)."""
    server.confirm_updates(update_id + 1)
    return next(u for u in server.updates if u["update_id"] == update_id)
