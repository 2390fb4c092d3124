"""Local-time rules on their own: clock changes, quiet hours, typed times; and the schema."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bot.care.recurrence import QuietHours, Recurrence
from bot.db.migrate import upgrade
from bot.db.models import Base
from content.loader import default_content
from flows.clock_words import parse_time

LONDON = ZoneInfo("Europe/London")


def test_a_time_the_clocks_skip_happens_an_hour_later_and_a_repeated_one_once():
    daily = Recurrence.build("daily", ["01:30"])
    spring = daily.next_after(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), LONDON)
    assert spring == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST: 01:30 did not exist
    autumn = daily.next_after(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), LONDON)
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 01:30 (BST)
    assert daily.next_after(autumn, LONDON) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_quiet_hours_over_midnight_and_within_a_day():
    night = QuietHours.of("22:00", "07:00")
    assert [night.contains(time(h)) for h in (21, 22, 23, 0, 6, 7)] == [
        False, True, True, True, True, False]
    late = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)  # 22:30 BST
    assert night.move_out(late, LONDON) == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)  # 07:00 BST
    school = QuietHours.of("09:00", "15:00")
    assert school.move_out(datetime(2026, 1, 5, 10, 0, tzinfo=UTC), LONDON) == datetime(
        2026, 1, 5, 15, 0, tzinfo=UTC)
    assert QuietHours.of("00:00", "00:00").describe(default_content()) == "none"


def test_typed_times():
    assert [parse_time(t) for t in ("21:30", "9.30pm", "9pm", "12am", "07:05")] == [
        time(21, 30), time(21, 30), time(21), time(0), time(7, 5)]
    assert [parse_time(t) for t in ("9", "25:00", "13pm", "soon", "21:60")] == [None] * 5


def test_the_migrations_make_the_same_schema_as_the_models(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()
