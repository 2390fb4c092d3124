"""The whole stack, end to end: the real PTB application polling our fake Bot API server.

Tests act as people through the fake server and wait for the bot to finish each update (the
bot's update tracker), so they never sleep and never guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import Application

from bot.app.services import Services, build_services
from bot.db.engine import Database
from bot.router import ConversationRouter
from bot.sandbox.fake_telegram import FakeTelegram
from bot.tg.app import build_application, start_polling, stop_polling
from bot.tg.tracking import UpdateTracker
from content.loader import Content


@dataclass
class Stack:
    """Fake Telegram + database + the bot, restartable in the middle of a conversation."""

    server: FakeTelegram
    db: Database
    content: Content
    clock: object
    app: Application | None = None
    services: Services | None = None

    @property
    def router(self) -> ConversationRouter:
        assert self.services is not None
        return self.services.router

    async def start_bot(self) -> None:
        self.services = build_services(self.db, content=self.content, now=self.clock)
        self.app = build_application(self.server.token, self.services.router,
                                     base_url=self.server.base_url,
                                     base_file_url=self.server.base_file_url,
                                     message_log=self.services.message_log)
        self.services.attach_bot(self.app.bot)
        await start_polling(self.app, poll_timeout=1, db=self.db)

    async def deliver(self) -> int:
        """What the background tasks do, done now: run due jobs, then send the outbox."""
        assert self.services is not None and self.services.sender is not None
        await self.services.clock.tick()
        return await self.services.sender.deliver_due()

    async def stop_bot(self) -> None:
        if self.app is None:
            return
        await stop_polling(self.app)
        if self.services is not None and self.services.message_log is not None:
            await self.services.message_log.close()
        self.app = None

    async def restart_bot(self) -> None:
        """A process restart: a new application and router, the same database."""
        await self.stop_bot()
        await self.start_bot()

    @property
    def tracker(self) -> UpdateTracker:
        assert self.app is not None
        return self.app.bot_data["tracker"]

    def person(self, user_id: int, first_name: str = "Sam") -> Phone:
        self.server.add_user(user_id, first_name)
        return Phone(self, user_id)


@dataclass
class Phone:
    """One person's Telegram chat with the bot."""

    stack: Stack
    user_id: int

    async def _act(self, update_id: int) -> list[str]:
        await self.stack.tracker.wait_for(update_id)
        return self.new_texts()

    def new_texts(self) -> list[str]:
        """Bot messages that arrived since the last look."""
        texts = self.stack.server.bot_texts(self.user_id)
        seen = getattr(self, "_seen", 0)
        self._seen = len(texts)
        return texts[seen:]

    async def send(self, text: str) -> list[str]:
        self.new_texts()
        return await self._act(self.stack.server.send_text(self.user_id, text))

    async def press(self, label: str) -> list[str]:
        self.new_texts()
        return await self._act(self.stack.server.press(self.user_id, label))

    async def press_data(self, data: str) -> list[str]:
        """A tap carrying any data at all: a stale or forged client."""
        self.new_texts()
        return await self._act(self.stack.server.press_data(self.user_id, data))

    async def send_media(self, kind: str) -> list[str]:
        self.new_texts()
        return await self._act(self.stack.server.send_media(self.user_id, kind))

    async def edit(self, message_id: int, text: str) -> list[str]:
        self.new_texts()
        return await self._act(self.stack.server.edit_text(self.user_id, message_id, text))

    def buttons(self) -> list[str]:
        message = self.stack.server.last_bot_message(self.user_id)
        return [label for row in (message.buttons if message else []) for label, _ in row]
