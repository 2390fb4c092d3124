"""`rise-bot safety report`: resolved alerts' outcomes per category and channel, no text."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app.cli import main
from bot.db.engine import Database
from bot.db.models import Alert, Role
from bot.records import people

OPENED = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


@pytest.fixture
def report(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'report.db'}"
    monkeypatch.setenv("DATABASE_URL", url)

    def run() -> tuple[int, str, str]:
        code = main(["safety", "report"])
        out = capsys.readouterr()
        return code, out.out, out.err

    run.url = url
    return run


def add_alerts(url: str, alerts: list[dict]) -> None:
    async def go():
        db = Database(url)
        try:
            async with db.transaction() as session:
                young = await people.create_person(session, Role.YOUNG_PERSON, telegram_id=5001)
                await session.flush()
                for fields in alerts:
                    session.add(Alert(person_id=young.id, severity=3, opened_at=OPENED,
                                      updated_at=OPENED, **fields))
        finally:
            await db.dispose()

    asyncio.run(go())


def test_an_empty_database_has_nothing_to_report(report):
    assert report() == (0, "No resolved alerts yet.\n", "")


def test_the_report_counts_each_outcome_per_category_and_channel_and_shows_no_text(report):
    assert report()[0] == 0  # the command brings the database up to date first
    said, note = "he's outside my house", "Police attended at 21:10"
    add_alerts(report.url, [
        dict(categories={"names": ["immediate_danger"], "channels": ["lexicon", "model"]},
             status="resolved", concern="real_concern", excerpt=f"“{said}”", outcome=note),
        dict(categories={"names": ["grooming"], "channels": ["model"]}, status="resolved",
             concern="not_concern", outcome="Her brother at the door"),
        dict(categories={"names": ["grooming", "online_grooming"], "channels": ["lexicon"]},
             status="resolved", concern="unsure"),
        dict(categories={"names": ["missed_checkins"]}, source="checkin", status="resolved"),
        dict(categories={"names": ["asked_for_worker"]}, source="question", status="resolved",
             concern="real_concern"),
        dict(categories={"names": ["grooming"], "channels": ["model"]}, status="acknowledged"),
    ])
    code, out, err = report()
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Outcomes of 5 resolved alerts, as the workers who resolved them recorded them.",
        "An alert counts once under each of its categories and each of its channels.",
        "",
        "category          real concern  not a concern  unsure  not recorded",
        "asked_for_worker             1              0       0             0",
        "grooming                     0              1       1             0",
        "immediate_danger             1              0       0             0",
        "missed_checkins              0              0       0             1",
        "online_grooming              0              0       1             0",
        "",
        "channel           real concern  not a concern  unsure  not recorded",
        "checkin                      0              0       0             1",
        "lexicon                      1              0       1             0",
        "model                        1              1       0             0",
        "question                     1              0       0             0",
        "",
        "Nothing is retrained from these figures automatically.",
    ]
    for text in (said, note, "Her brother"):
        assert text not in out
