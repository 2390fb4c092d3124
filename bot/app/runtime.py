"""Putting the pieces together for a real run: settings -> database -> services -> PTB."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
from datetime import timedelta

from telegram import Bot
from telegram.ext import Application

from bot.app.config import Settings, require_webhook
from bot.app.services import Services, build_services
from bot.db.crypto import KeyMissing, keyring
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.sqlite_wake import listen_for_wakes
from bot.pictures.charts import stop_chart_helper
from bot.tg.app import (
    ALLOWED_UPDATES,
    build_application,
    commands,
    set_profile,
    start_polling,
    stop_poller,
    stop_polling,
)
from bot.tg.request import AiohttpRequest
from bot.tg.startup import initialize_with_retry, retry_at_start
from bot.time.health import DeadMansSwitch
from bot.time.outbox import listen_for_outbox

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
    """`rise-bot run`: the schema is brought up to date, then the bot polls until Ctrl-C or
    SIGTERM; the clock and the outbox sender run alongside in the same loop.

    Polling goes through the inbox (`bot.tg.inbox`), not PTB's `run_polling`: an update is
    kept in the database before Telegram is told we have it, so a crash loses none."""
    configure_encryption(settings)
    upgrade(settings.database_url)
    asyncio.run(_polling_main(settings))


def _stop_on_signals(stop: asyncio.Event | None) -> asyncio.Event:
    """The event a long-running command waits on: set by SIGINT (Ctrl-C) or SIGTERM (a
    platform stopping the process), so either one stops it cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def _wired(settings: Settings) -> tuple[Database, Services, str]:
    """The database, the services and the bot token `run` and `clock` both start from."""
    db = Database(settings.database_url)
    services = build_services(db, settings=settings)
    assert settings.telegram_bot_token is not None
    return db, services, settings.telegram_bot_token.get_secret_value()


async def _polling_main(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    stop = _stop_on_signals(stop)
    db, services, token = _wired(settings)
    application = build_application(token, services.router, base_url=settings.telegram_base_url,
                                    message_log=services.message_log)
    services.attach_bot(application.bot)
    settle_memory()
    log.info("bot starting (long polling)")
    await initialize_with_retry(application)  # getMe: a blip at start is waited out
    await start_polling(application, db=db)
    try:
        await set_profile(application.bot, settings.bot_display_name, settings.bot_description)
        await services.start_background()
        await stop.wait()
    finally:
        await stop_poller(application)  # first: nothing new comes in while the rest stops
        await services.stop_background()  # the outbox's pages in flight finish
        await stop_polling(application)
        await db.dispose()


def _chain_hooks(application: Application, services: Services, settings: Settings) -> None:
    """Run our start/stop beside PTB's own post_init/post_shutdown; set the bot's neutral name
    and description."""
    original_init = application.post_init
    original_shutdown = application.post_shutdown

    async def post_init(app: Application) -> None:
        if original_init:
            await original_init(app)
        await set_profile(app.bot, settings.bot_display_name, settings.bot_description)
        await services.start_background()

    async def post_shutdown(app: Application) -> None:
        await services.stop_background()
        if original_shutdown:
            await original_shutdown(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown


def run_webhook(settings: Settings, *, set_webhook: bool = True, reuse_port: bool = False,
                host: str | None = None, port: int | None = None) -> None:
    """`rise-bot webhook`: an ASGI app under uvicorn that Telegram POSTs updates to.

    No clock and no outbox sender here: the one `rise-bot clock` process sends the outbox, so
    Telegram's per-bot cap is respected however many web processes run; on PostgreSQL it is
    woken the moment an alert commits. `reuse_port` lets several processes share one port.
    """
    import uvicorn

    from bot.tg.webhook import build_webhook_app, webhook_path

    base_url, secret = require_webhook(settings)
    configure_encryption(settings)
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    services = build_services(db, settings=settings)
    assert settings.telegram_bot_token is not None
    application = build_application(settings.telegram_bot_token.get_secret_value(),
                                    services.router, base_url=settings.telegram_base_url,
                                    updater=False, message_log=services.message_log)

    async def register() -> None:
        await application.bot.set_webhook(base_url + webhook_path(secret), secret_token=secret,
                                          allowed_updates=ALLOWED_UPDATES, max_connections=100)
        await application.bot.set_my_commands(commands(services.router))
        await set_profile(application.bot, settings.bot_display_name, settings.bot_description)

    async def on_startup() -> None:
        if set_webhook:
            await retry_at_start(register)
            log.info("webhook registered with Telegram")

    async def on_shutdown() -> None:
        if services.message_log is not None:
            await services.message_log.close()
        stop_chart_helper()
        await db.dispose()

    app = build_webhook_app(application, db, secret=secret, now=services.now,
                            stale_after=timedelta(seconds=settings.clock_stale_after),
                            on_startup=on_startup, on_shutdown=on_shutdown)
    config = uvicorn.Config(app, host=host or settings.webhook_host,
                            port=port or settings.webhook_port, access_log=False, log_config=None,
                            log_level="warning", lifespan="on", backlog=2048)
    server = uvicorn.Server(config)
    settle_memory()
    log.info("web process listening on %s:%s", config.host, config.port)
    if reuse_port:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((config.host, config.port))
        sock.set_inheritable(True)
        server.run(sockets=[sock])
    else:
        server.run()


def settle_memory() -> None:
    """Once everything is loaded (content, lexicon, libraries): keep those objects out of the
    garbage collector's way, and collect the young generation less often. An update makes many
    short-lived objects: 3,000 updates through the router in one process spent about 1 s in
    some 550 collections with Python's defaults, 0.2 s in 17 with these (bench/router.py)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


GC_THRESHOLDS = (20_000, 20, 20)  # Python's defaults: (700, 10, 10)


def run_clock(settings: Settings) -> None:
    """`rise-bot clock`: due jobs (escalations, check-ins), the outbox sender, the heartbeat and
    the dead-man's switch. No updates are received here. Exactly one should run."""
    configure_encryption(settings)
    upgrade(settings.database_url)
    asyncio.run(_clock_main(settings))


async def _clock_main(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    stop = _stop_on_signals(stop)
    db, services, token = _wired(settings)
    bot = Bot(token, base_url=settings.telegram_base_url or "https://api.telegram.org/bot",
              request=AiohttpRequest(16))
    await initialize_with_retry(bot)  # getMe: a blip at start is waited out
    sender = services.attach_bot(bot)
    await services.start_background(
        outbox_poll=OUTBOX_POLL_POSTGRES if not db.is_sqlite else OUTBOX_POLL_SQLITE)
    extra: list[asyncio.Task] = []
    listen = listen_for_wakes if db.is_sqlite else listen_for_outbox
    extra.append(asyncio.create_task(listen(settings.database_url, sender.kick, stop)))
    if settings.deadman_url:
        switch = DeadMansSwitch(settings.deadman_url, lambda: services.clock.last_tick)
        extra.append(asyncio.create_task(switch.run(stop)))
    log.info("clock running (jobs, outbox sender, heartbeat)")
    try:
        await stop.wait()
    finally:
        await services.stop_background()
        for task in extra:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, 5)
        await bot.shutdown()
        await db.dispose()


OUTBOX_POLL_SQLITE = 0.1  # woken by a datagram (bot/db/sqlite_wake.py); look often anyway
OUTBOX_POLL_POSTGRES = 1.0  # woken by NOTIFY; the poll only covers a lost listener
