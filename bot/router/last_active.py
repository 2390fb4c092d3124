"""When each person was last active: at most one write a minute, made last in the update."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.models import Person

ACTIVE_GRANULARITY = timedelta(minutes=1)
ACTIVE_PERSON = "rise.active_person"  # session.info key: whose last_active_at to update


def note_active(session: AsyncSession, person: Person) -> None:
    """This update is `person`'s: `mark_active` writes it down before the commit."""
    session.info[ACTIVE_PERSON] = person


async def mark_active(session: AsyncSession, now: datetime) -> None:
    """Note when the person was last active. When the update changed nothing else of theirs,
    a plain UPDATE (no unit-of-work flush); otherwise it goes out in the same UPDATE as those
    changes."""
    person = session.info.pop(ACTIVE_PERSON, None)
    if person is None or (person.last_active_at is not None
                          and now - person.last_active_at <= ACTIVE_GRANULARITY):
        return
    if person in session.dirty:
        person.last_active_at = now
        return
    await session.execute(_MARK_ACTIVE, {"b_id": person.id, "b_at": now})
    set_committed_value(person, "last_active_at", now)


_MARK_ACTIVE = update(Person.__table__).where(Person.__table__.c.id == bindparam("b_id")).values(
    last_active_at=bindparam("b_at"))
