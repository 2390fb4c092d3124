"""Database engine and transactions.

SQLite is the embedded default: WAL so readers never block the writer, and a busy timeout so a
second writer waits instead of failing. PostgreSQL is used the same way through DATABASE_URL.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.models import ProcessedUpdate
from bot.db.write_turn import WriteTurn, beside_database, lock_path

_LOCK_AND_RECORD = text(
    "WITH held AS (SELECT pg_advisory_xact_lock(:key)) "
    "INSERT INTO processed_updates (update_id, fingerprint, at) "
    "SELECT :update_id, :fingerprint, :at FROM held",
).bindparams(bindparam("at", type_=ProcessedUpdate.__table__.c.at.type))

BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_private(url: str) -> None:
    """Create a SQLite database file readable by its owner alone (0600) before SQLite does, as
    SQLite would follow the umask (world-readable, usually). Its -wal and -shm files take the
    same mode from it. An existing file is left as it is; a missing folder is not made."""
    path = beside_database(url, "")
    if path is None or path.exists() or not path.parent.is_dir():
        return
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def make_engine(url: str, *, schema: str | None = None) -> AsyncEngine:
    """An async engine with the right settings for its backend.

    `schema` (PostgreSQL only) puts every connection in that schema: the tests give each test
    its own, so a suite on one server never sees another test's rows. A database error never
    carries the statement's values (`hide_parameters`): errors are logged, and the values are
    Telegram ids and people's data.
    """
    if url.startswith("sqlite"):
        create_private(url)
        engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
                                     hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if schema is not None:
        connect_args["server_settings"] = {"search_path": schema}
    # No pre-ping (a round trip on every checkout): a connection the server dropped fails its
    # first statement instead, the pool is refreshed, and the router runs the update again
    # (`ConversationRouter.handle`, CONNECTION_ATTEMPTS).
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_recycle=3600,
                               connect_args=connect_args, hide_parameters=True)


class Database:
    """The engine plus a way to run one unit of work in one transaction."""

    def __init__(self, url: str, *, schema: str | None = None):
        self.url = url
        self.schema = schema
        self.engine = make_engine(url, schema=schema)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_turn = (WriteTurn(lock_path(url), wait=BUSY_TIMEOUT_MS / 1000)
                            if self.is_sqlite else None)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits together, or not at all. On SQLite it first waits
        its turn to write (`write_turn`), so writers go first come, first served."""
        if self._write_turn is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._write_turn(), self.sessions() as session, session.begin():
            yield session

    async def claim_update(self, session: AsyncSession, telegram_id: int,
                           update_id: int | None, at: datetime, fingerprint: str = "") -> None:
        """Start handling one update: hold its person's lock until the transaction ends, and
        record its id and fingerprint (`bot.tg.events.fingerprint`), so each person's updates
        are handled one at a time even on different processes, and a repeated delivery (same
        id, same fingerprint) fails here with IntegrityError. One round trip.

        PostgreSQL: a transaction-level advisory lock on the Telegram id (other people are not
        held up), taken in the same statement as the insert. SQLite has one writer at a time:
        the first statement writes, so a second process waits for the write lock (busy
        timeout) instead of failing later when its read transaction tries to become a write.
        """
        if self.is_sqlite:
            if update_id is None:
                await session.execute(text("UPDATE people SET id = id WHERE 0"))
            else:
                await session.execute(insert(ProcessedUpdate).values(
                    update_id=update_id, fingerprint=fingerprint, at=at))
        elif update_id is None:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": telegram_id})
        else:
            await session.execute(_LOCK_AND_RECORD, {"key": telegram_id, "update_id": update_id,
                                                     "fingerprint": fingerprint, "at": at})

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
        if self._write_turn is not None:
            self._write_turn.close()
