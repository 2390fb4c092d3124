"""Shared fixtures: a fresh database per test, the real content, a controllable clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app.catalogue import registry
from bot.db.crypto import keyring, new_key
from bot.db.engine import Database
from bot.features.registry import YOUNG_PERSON, Kit, Side
from bot.router import ConversationRouter
from bot.safety.gate import CountingGate
from content.loader import Content, default_content, load_module_file
from tests.transcript import Chat


class FakeClock:
    """Time that only moves when a test says so."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 3, 2, 16, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


_LEXICON_ONLY = None


@pytest.fixture(autouse=True)
def detector_channels(request, monkeypatch):
    """Tests of the plumbing (alerts, escalation, relays, flows) run the lexicon alone, so what
    they assert does not move when a safeguarding lead retrains the model. Tests marked
    ``semantic`` (what the bot hears, fuzzing, health) run both channels, as the bot does."""
    global _LEXICON_ONLY
    if request.node.get_closest_marker("semantic") is not None:
        yield
        return
    from bot.safety import shared
    from bot.safety.detector import Detector
    from bot.safety.reader import SafetyReader

    if _LEXICON_ONLY is None:
        _LEXICON_ONLY = SafetyReader(Detector.load(), None, "lexicon only: a plumbing test")
    monkeypatch.setattr(shared, "_READER", _LEXICON_ONLY)
    yield


POSTGRES_URL = os.environ.get("RISE_TEST_POSTGRES_URL",
                              "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def on_postgres() -> bool:
    """`RISE_TEST_DATABASE=postgres` runs the suite against the PostgreSQL server."""
    return os.environ.get("RISE_TEST_DATABASE", "sqlite").lower() in ("postgres", "postgresql")


@asynccontextmanager
async def fresh_database(tmp_path: Path) -> AsyncIterator[str | None]:
    """Somewhere empty for one test: a SQLite file, or a PostgreSQL schema dropped afterwards.

    Yields the schema name (PostgreSQL) or None; `database_url_for_test` gives the URL.
    """
    if not on_postgres():
        yield None
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(POSTGRES_URL)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


def database_url_for_test(tmp_path: Path) -> str:
    return POSTGRES_URL if on_postgres() else f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
async def db_place(tmp_path):
    """(url, schema) of this test's empty database; several Database objects may share it."""
    async with fresh_database(tmp_path) as schema:
        yield database_url_for_test(tmp_path), schema


@pytest.fixture
async def db(db_place):
    url, schema = db_place
    database = Database(url, schema=schema)
    await database.create_all()
    yield database
    await database.dispose()


FIXTURES = Path(__file__).parent / "fixtures"
keyring.configure(new_key())  # every test encrypts sensitive fields, as production does


@pytest.fixture
def content():
    return default_content()


@pytest.fixture
def practice_content(content) -> Content:
    """The real copy and contacts with one small practice module, for runner tests."""
    module = load_module_file(FIXTURES / "modules" / "practice.yaml")
    return replace(content, modules={module.id: module})


def router_for(db, content: Content, clock, *, sides: tuple[Side, ...] = (YOUNG_PERSON,),
               safety=None) -> ConversationRouter:
    """A router with the features of these sides that need no running services (no alerts, no
    check-ins): by default the young person's flows alone, with a gate that only counts what
    it read (a router is never built without a gate)."""
    return ConversationRouter(db, registry(Kit(content, clock), sides=sides),
                              safety=safety or CountingGate(), clock=clock)


@pytest.fixture
def practice_router(db, practice_content, clock) -> ConversationRouter:
    return router_for(db, practice_content, clock)


@pytest.fixture
def router(db, content, clock) -> ConversationRouter:
    return router_for(db, content, clock)


@pytest.fixture
def young_person(router) -> Chat:
    return Chat(router, telegram_id=5001)


@pytest.fixture
def system(db, practice_content, clock):
    """The whole system without Telegram: deliveries land in `system.phones`."""
    from bot.app.services import build_services
    from bot.time.outbox import OutboxSender
    from tests.workers_fixture import Phones, System

    services = build_services(db, content=practice_content, now=clock)
    phones = Phones()
    services.transports.update({"telegram": phones, "email": phones})
    sender = OutboxSender(db, services.transports, clock)
    sender.on_settled.append(services.escalation.delivery_settled)
    services.router.on_commit.append(sender.kick)
    return System(services=services, phones=phones, sender=sender)


@pytest.fixture
def unused_tcp_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
