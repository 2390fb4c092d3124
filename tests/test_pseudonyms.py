"""Pseudonyms are random: a new person never gets one somebody already has."""

from __future__ import annotations

from bot import people
from bot.db.models import Role


async def test_a_taken_pseudonym_is_never_given_twice(db, monkeypatch):
    async with db.transaction() as session:
        first = await people.create_person(session, Role.YOUNG_PERSON, telegram_id=801)
    drawn = iter([first.pseudonym, first.pseudonym, "YP-NEW22"])
    monkeypatch.setattr(people, "new_pseudonym", lambda role: next(drawn))

    async with db.transaction() as session:
        second = await people.create_person(session, Role.YOUNG_PERSON, telegram_id=802)

    assert second.pseudonym == "YP-NEW22"
    assert next(drawn, None) is None  # both taken draws were refused
