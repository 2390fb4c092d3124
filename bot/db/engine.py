"""Database engine and transactions.

SQLite is the embedded default: WAL so readers never block the writer, and a busy timeout so a
second writer waits instead of failing. PostgreSQL is used the same way through DATABASE_URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, *, schema: str | None = None) -> AsyncEngine:
    """An async engine with the right settings for its backend.

    `schema` (PostgreSQL only) puts every connection in that schema: the tests give each test
    its own, so a suite on one server never sees another test's rows.
    """
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if schema is not None:
        connect_args["server_settings"] = {"search_path": schema}
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True,
                               connect_args=connect_args)


class Database:
    """The engine plus a way to run one unit of work in one transaction."""

    def __init__(self, url: str, *, schema: str | None = None):
        self.url = url
        self.schema = schema
        self.engine = make_engine(url, schema=schema)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits together, or not at all."""
        async with self.sessions() as session, session.begin():
            yield session

    async def lock_person(self, session: AsyncSession, telegram_id: int) -> None:
        """Hold one person's lock until the transaction ends, so their updates are handled one
        at a time even when they land on different processes.

        PostgreSQL: a transaction-level advisory lock on the Telegram id (other people are not
        held up). SQLite has one writer at a time: take the write lock now, with a write that
        changes nothing, so a second process waits (busy timeout) instead of failing later when
        its read transaction tries to become a write.
        """
        if self.is_sqlite:
            await session.execute(text("UPDATE people SET id = id WHERE 0"))
        else:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                  {"key": telegram_id})

    async def ping(self) -> None:
        """Raise if the database does not answer."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def create_all(self) -> None:
        """Create the tables directly (tests); production uses migrations."""
        from bot.db.models import Base

        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()
