"""The migrations build exactly the tables the models describe, and 0004 goes down and up again."""

from __future__ import annotations

from alembic import command

from bot.db.migrate import alembic_config, upgrade


def test_migrations_match_the_models_and_0004_can_be_undone(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    upgrade(url)
    command.check(alembic_config(url))  # raises if the models and the migrations differ
    command.downgrade(alembic_config(url), "-1")
    upgrade(url)
    command.check(alembic_config(url))
