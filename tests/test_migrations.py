"""`alembic upgrade head` on a fresh database gives exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bot.db.migrate import upgrade
from bot.db.models import Base


def test_migrations_match_the_models(tmp_path):
    path = tmp_path / "fresh.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_migrations_go_down_and_up_again(tmp_path):
    from alembic import command

    from bot.db.migrate import alembic_config

    url = f"sqlite+aiosqlite:///{tmp_path / 'updown.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "0002")  # every later migration undone
    upgrade(url)
