"""Putting the pieces together for a real run: settings -> database -> router -> PTB."""

from __future__ import annotations

import asyncio
import logging

from bot.config import Settings
from bot.conversation import ConversationRouter
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.tg.app import ALLOWED_UPDATES, build_application
from bot.workers import default_features
from content.loader import default_content

log = logging.getLogger(__name__)


def build_router(settings: Settings, db: Database) -> ConversationRouter:
    return ConversationRouter(db, default_content(),
                              worker_features=default_features(settings.bot_username))


def run_polling(settings: Settings) -> None:
    """`rise-bot run`: the schema is brought up to date, then PTB polls until Ctrl-C."""
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    router = build_router(settings, db)
    assert settings.telegram_bot_token is not None
    application = build_application(settings.telegram_bot_token.get_secret_value(), router,
                                    base_url=settings.telegram_base_url)
    log.info("bot starting (long polling)")
    asyncio.set_event_loop(asyncio.new_event_loop())
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
