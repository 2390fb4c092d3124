"""Putting the pieces together for a real run: settings -> database -> services -> PTB."""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application

from bot.config import Settings
from bot.crypto import KeyMissing, keyring
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.services import Services, build_services
from bot.tg.app import ALLOWED_UPDATES, build_application

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Something that must be fixed before the bot can start; the message says what."""


def configure_encryption(settings: Settings) -> None:
    """Sensitive fields are encrypted at rest: no key, no start."""
    if settings.encryption_keys is None:
        raise StartupError("No encryption key: set ENCRYPTION_KEYS "
                           "(make one with `rise-bot admin new-key`).")
    try:
        keyring.configure(settings.encryption_keys.get_secret_value())
    except KeyMissing as error:
        raise StartupError(f"ENCRYPTION_KEYS: {error}") from None


def run_polling(settings: Settings) -> None:
    """`rise-bot run`: the schema is brought up to date, then PTB polls until Ctrl-C; the
    clock and the outbox sender run alongside in the same loop."""
    configure_encryption(settings)
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    services = build_services(db, settings=settings)
    assert settings.telegram_bot_token is not None
    application = build_application(settings.telegram_bot_token.get_secret_value(),
                                    services.router, base_url=settings.telegram_base_url,
                                    message_log=services.message_log)
    services.attach_bot(application.bot)

    _chain_hooks(application, services)
    log.info("bot starting (long polling)")
    asyncio.set_event_loop(asyncio.new_event_loop())
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


def run_clock(settings: Settings) -> None:
    """`rise-bot clock`: only the clock and the outbox sender, for scale-out (run one of these
    beside any number of `webhook` processes). Safe beside `run` too: claims are atomic."""
    upgrade(settings.database_url)
    asyncio.run(_clock_main(settings))


async def _clock_main(settings: Settings) -> None:
    import signal

    from telegram import Bot

    assert settings.telegram_bot_token is not None
    db = Database(settings.database_url)
    services = build_services(db, settings=settings)
    extra = {"base_url": settings.telegram_base_url} if settings.telegram_base_url else {}
    bot = Bot(settings.telegram_bot_token.get_secret_value(), **extra)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with bot:
        services.attach_bot(bot)
        await services.start_background()
        log.info("clock started: due jobs and the outbox, no updates")
        await stop.wait()
        await services.stop_background()
    await db.dispose()


def _chain_hooks(application: Application, services: Services) -> None:
    """Run our start/stop beside PTB's own post_init/post_shutdown."""
    original_init = application.post_init
    original_shutdown = application.post_shutdown

    async def post_init(app: Application) -> None:
        if original_init:
            await original_init(app)
        await services.start_background()

    async def post_shutdown(app: Application) -> None:
        await services.stop_background()
        if original_shutdown:
            await original_shutdown(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
