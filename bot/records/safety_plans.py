"""A young person's safety plan, read with the person and saved with one plain statement.

The plan is the flow young people tap through most after the menu. Its row comes with the
person (`people.find_with_conversation`) as the stored ciphertext, and is decrypted only when
the flow asks for the plan; a saved section is one UPDATE (or INSERT), with no ORM flush.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, bindparam, insert, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SafetyPlanRecord

TABLE = SafetyPlanRecord.__table__
HELD = "rise.safety_plans"  # session.info key: person id -> _Held
_MISSING = object()


class _Held:
    """One person's plan for this update: the ciphertext as read, decrypted on first use."""

    def __init__(self, stored: str | None):
        self.exists = stored is not None
        self._stored = stored
        self._sections: Any = _MISSING

    def sections(self, dialect: Any) -> dict[str, Any]:
        if self._sections is _MISSING:
            decrypted = TABLE.c.sections.type.process_result_value(self._stored, dialect)
            self._sections = dict(decrypted or {})
        return dict(self._sections)

    def saved(self, sections: dict[str, Any]) -> None:
        self.exists, self._sections = True, dict(sections)


def stored_column(person_id: ColumnElement[int]) -> ColumnElement[str | None]:
    """The person's plan as stored (still encrypted), to read with the person."""
    return type_coerce(select(TABLE.c.sections).where(TABLE.c.person_id == person_id)
                       .scalar_subquery(), Text)


def hold(session: AsyncSession, person_id: int, stored: str | None) -> None:
    session.info.setdefault(HELD, {})[person_id] = _Held(stored)


_READ = select(stored_column(bindparam("person_id")))


async def _held(session: AsyncSession, person_id: int) -> _Held:
    held = session.info.setdefault(HELD, {})
    if person_id not in held:
        held[person_id] = _Held(await session.scalar(_READ, {"person_id": person_id}))
    return held[person_id]


async def get_plan(session: AsyncSession, person_id: int) -> dict[str, Any]:
    """Section id -> what they wrote; empty when they have no plan yet."""
    return (await _held(session, person_id)).sections(session.bind.dialect)


_UPDATE = update(TABLE).where(TABLE.c.person_id == bindparam("b_person_id")).values(
    sections=bindparam("b_sections"), updated_at=bindparam("b_now"))
_INSERT = insert(TABLE).values(person_id=bindparam("b_person_id"),
                               sections=bindparam("b_sections"), created_at=bindparam("b_now"),
                               updated_at=bindparam("b_now"))


async def save_section(session: AsyncSession, person_id: int, section: str, value: Any,
                       now: datetime) -> None:
    """Set one section of the plan (creating the plan if needed): one statement."""
    held = await _held(session, person_id)
    sections = {**held.sections(session.bind.dialect), section: value}
    await session.execute(_UPDATE if held.exists else _INSERT,
                          {"b_person_id": person_id, "b_sections": sections, "b_now": now})
    held.saved(sections)
