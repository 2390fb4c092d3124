"""Pseudonyms are random: a new person never gets one somebody already has."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from bot.db.models import Role
from bot.records import people
from bot.router import Identity
from flows.base import Event


async def test_a_taken_pseudonym_is_never_given_twice(db, monkeypatch):
    async with db.transaction() as session:
        first = await people.create_person(session, Role.YOUNG_PERSON, telegram_id=801)
    drawn = iter([first.pseudonym, first.pseudonym, "YP-NEW22"])
    monkeypatch.setattr(people, "new_pseudonym", lambda role: next(drawn))

    async with db.transaction() as session:
        second = await people.create_person(session, Role.YOUNG_PERSON, telegram_id=802)

    assert second.pseudonym == "YP-NEW22"
    assert next(drawn, None) is None  # both taken draws were refused


async def test_a_failing_constraint_is_an_error_never_a_dropped_duplicate(system, monkeypatch):
    """Only the update's claim may say "seen before": any later constraint failure is raised,
    so the update is retried (and the person told) instead of silently dropped."""
    async with system.services.db.transaction() as session:
        taken = (await people.create_person(session, Role.YOUNG_PERSON, telegram_id=811)).pseudonym
    monkeypatch.setattr(people, "free_pseudonym", lambda session, role: _now(taken))

    with pytest.raises(IntegrityError):
        await system.services.router.handle(Identity(812, 812), Event.slash("start"), update_id=5)


async def _now(value):
    return value
