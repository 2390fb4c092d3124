"""Alembic, driven from Python: `rise-bot db upgrade`, and the demo's own upgrade on start."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.db.write_turn import beside_database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str, schema: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if schema:
        config.set_main_option("schema", schema)
    return config


@contextmanager
def _migrating(url: str) -> Iterator[None]:
    """One process migrates at a time. SQLite: an `flock` on a file beside the database (made
    0600), so a webhook and a clock started together on a fresh database do not both create
    the tables (the second died with "table people already exists"); the one that waited then
    finds the schema at head. PostgreSQL takes an advisory lock inside the migration (env.py)."""
    path = beside_database(url, ".migrate-lock") if url.startswith("sqlite") else None
    if path is None or not path.parent.is_dir():
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def upgrade(url: str, revision: str = "head", *, schema: str | None = None) -> None:
    """Bring the database schema up to date (call outside a running event loop); safe when
    several processes start at once."""
    with _migrating(url):
        command.upgrade(alembic_config(url, schema), revision)


async def upgrade_async(url: str, revision: str = "head", *, schema: str | None = None) -> None:
    """The same, from inside an event loop (alembic's env runs its own loop, so use a thread)."""
    await asyncio.to_thread(upgrade, url, revision, schema=schema)


def new_revision(url: str, message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
