"""`rise-bot demo`: the whole system offline, to try as a young person and as workers.

The fake Bot API server serves the demo page and stands in for Telegram; the real PTB
application talks to it. Demo people are seeded once into `var/demo.db`, and what the phones
show is kept beside it in `var/demo-chats.json` (`bot.sandbox.kept_chats`), so stopping and
starting the demo carries on where you left off, on the page as in the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.app.services import build_services
from bot.db.crypto import keyring, new_key, write_private
from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.db.models import Person, Role
from bot.records import people
from bot.sandbox import kept_chats
from bot.sandbox.fake_telegram import FakeTelegram
from bot.tg.app import build_application, start_polling, stop_polling

DEMO_DB = Path("var/demo.db")
DEMO_KEY = Path("var/demo.key")
DEMO_CHATS = Path("var/demo-chats.json")  # the phones' chats: they belong with demo.db


def demo_key() -> str:
    """The demo makes its own encryption key once and keeps it beside its database."""
    DEMO_KEY.parent.mkdir(exist_ok=True)
    if not DEMO_KEY.exists():
        write_private(DEMO_KEY, new_key().encode())
    return DEMO_KEY.read_text().strip()


@dataclass(frozen=True)
class DemoPerson:
    telegram_id: int
    first_name: str
    label: str
    role: Role | None  # None: not known to the bot until they join


YOUNG_PERSON = DemoPerson(2001, "Alex", "young person", None)
SUPPORT_WORKER = DemoPerson(1001, "Jo", "support worker", Role.SUPPORT_WORKER)
DUTY_WORKER = DemoPerson(1002, "Sam", "duty worker", Role.DUTY_WORKER)
DEMO_PEOPLE = [YOUNG_PERSON, SUPPORT_WORKER, DUTY_WORKER]


async def seed(db: Database, bot_username: str) -> str | None:
    """Workers once; a fresh invite from the support worker until the young person has joined."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        workers: dict[int, Person] = {}
        for demo in DEMO_PEOPLE:
            if demo.role is None:
                continue
            worker = await people.find_by_telegram(session, demo.telegram_id)
            if worker is None:
                worker = await people.create_person(session, demo.role, telegram_id=demo.telegram_id,
                                                    display_name=demo.first_name)
                worker.on_duty = worker.on_duty_list = demo.role == Role.DUTY_WORKER
            workers[demo.telegram_id] = worker
        if await people.find_by_telegram(session, YOUNG_PERSON.telegram_id) is not None:
            return None
        support = workers[SUPPORT_WORKER.telegram_id]
        waiting = await session.scalar(select(Person).where(
            Person.worker_id == support.id, Person.telegram_id.is_(None), Person.active))
        record = waiting or await people.create_person(session, Role.YOUNG_PERSON,
                                                       worker_id=support.id)
        invite = await people.create_invite(session, record, purpose="young_person", now=now,
                                            created_by=support)
        return invite.code


async def serve(host: str, port: int, stop: asyncio.Event) -> None:
    DEMO_DB.parent.mkdir(exist_ok=True)
    if not DEMO_DB.exists():  # a new database: the chats of the old one would make no sense
        DEMO_CHATS.unlink(missing_ok=True)
    keyring.configure(demo_key())
    url = f"sqlite+aiosqlite:///{DEMO_DB}"
    await upgrade_async(url)
    db = Database(url)
    server = FakeTelegram(bot_username="rise_demo_bot")
    kept_chats.load(server, DEMO_CHATS)
    for demo in DEMO_PEOPLE:
        server.add_user(demo.telegram_id, demo.first_name, label=demo.label)
    try:
        await server.start(host, port)
    except OSError as error:
        await server.stop()
        await db.dispose()
        if error.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise PortBusy(host, port) from None
        raise
    keeping = asyncio.Event()
    keeper = asyncio.create_task(kept_chats.keep(server, DEMO_CHATS, keeping))
    code = await seed(db, server.bot_username)
    services = build_services(db)
    application = build_application(server.token, services.router, base_url=server.base_url,
                                    base_file_url=server.base_file_url,
                                    message_log=services.message_log)
    services.attach_bot(application.bot)
    await start_polling(application, poll_timeout=5, db=db)
    await services.start_background()
    if code:
        link = f"https://t.me/{server.bot_username}?start={code}"
        await application.bot.send_message(
            SUPPORT_WORKER.telegram_id,
            f"(Demo) An invite for a new young person:\n{link}\n\n"
            f"In Alex's chat, type:\n/start {code}")
    print(f"\nRISE bot demo is running: open {server.url}\n"
          f"  Alex is a young person; Jo a support worker; Sam a duty worker.\n"
          + (f"  To join as Alex with Jo's invite, type in Alex's chat:  /start {code}\n"
             if code else "  Alex has already joined: type /menu in Alex's chat.\n")
          + "  Sam is on duty: say something worrying as Alex (\"he's outside my house\")\n"
          + "  and Sam's phone gets the alert.\n"
          + "  Press Ctrl-C to stop.\n", flush=True)
    try:
        await stop.wait()
    finally:
        await stop_polling(application)
        await services.stop_background()
        keeping.set()  # the chats are written one last time
        await keeper
        await server.stop()
        await db.dispose()
        print("Demo stopped.")


class PortBusy(Exception):
    """The demo's port is taken (another demo, another program) or not ours to use."""

    def __init__(self, host: str, port: int):
        super().__init__(f"Port {port} on {host} is already in use (another demo may be running). "
                         f"Choose another: rise-bot demo --port {port + 1}  "
                         f"(or: make demo PORT={port + 1})")


def run_demo(host: str = "127.0.0.1", port: int = 8080) -> int:
    """Run until Ctrl-C (or SIGTERM), then stop everything cleanly: one line, no traceback,
    for a busy port or a Ctrl-C that comes while it is still starting."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await serve(host, port, stop)

    try:
        asyncio.run(main())
    except PortBusy as busy:
        print(busy, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # before the demo's own Ctrl-C handling was in place
        print("Demo stopped.")
    return 0
