"""Alembic, driven from Python: `rise-bot db upgrade`, and the demo's own upgrade on start."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str, schema: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if schema:
        config.set_main_option("schema", schema)
    return config


def upgrade(url: str, revision: str = "head", *, schema: str | None = None) -> None:
    """Bring the database schema up to date (call outside a running event loop)."""
    command.upgrade(alembic_config(url, schema), revision)


async def upgrade_async(url: str, revision: str = "head", *, schema: str | None = None) -> None:
    """The same, from inside an event loop (alembic's env runs its own loop, so use a thread)."""
    await asyncio.to_thread(upgrade, url, revision, schema=schema)


def new_revision(url: str, message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
