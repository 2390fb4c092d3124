"""A young person's progress through modules, read and saved by the router as plain rows.

The router reads every progress row of the person whenever a flow shows module statuses (the
menu, a module) and saves one row on most taps inside a module. Plain statements instead of
ORM objects skip the identity map and a unit-of-work flush on each of those updates
(`bench/router.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ModuleProgress
from flows.base import ModuleStatus, SaveProgress

TABLE = ModuleProgress.__table__
HELD = "rise.module_rows"  # session.info key: module id -> row, as last read in this update

_COLUMNS = (TABLE.c.id, TABLE.c.module_id, TABLE.c.module_version, TABLE.c.step,
            TABLE.c.answers, TABLE.c.assigned_at, TABLE.c.started_at, TABLE.c.completed_at)
_OF_PERSON = select(*_COLUMNS).where(TABLE.c.person_id == bindparam("person_id"))
_ONE = _OF_PERSON.where(TABLE.c.module_id == bindparam("module_id"))
_SAVED = ("module_version", "step", "answers", "questions", "score", "started_at",
          "completed_at", "updated_at")
_UPDATE = update(TABLE).where(TABLE.c.id == bindparam("b_id")).values(
    {name: bindparam(f"b_{name}") for name in _SAVED})
_INSERT = insert(TABLE).values(
    {name: bindparam(f"b_{name}") for name in ("person_id", "module_id", *_SAVED)})


async def statuses(session: AsyncSession, person_id: int) -> dict[str, ModuleStatus]:
    """Where the person is in each module they have met; the rows are held for `save`."""
    rows = (await session.execute(_OF_PERSON, {"person_id": person_id})).all()
    session.info[HELD] = {row.module_id: row for row in rows}
    return {row.module_id: ModuleStatus(step=row.step, completed=row.completed_at is not None,
                                        assigned=row.assigned_at is not None,
                                        started=row.started_at is not None,
                                        version=row.module_version)
            for row in rows}


async def save(session: AsyncSession, person_id: int, effect: SaveProgress,
               now: datetime) -> None:
    """Record a step (and any quiz answer, and completion) of one module: one statement when
    the row was read for the profile, which it is on every tap inside a module."""
    row: Row | None = session.info.get(HELD, {}).pop(effect.module_id, None)
    if row is None:
        row = (await session.execute(_ONE, {"person_id": person_id,
                                            "module_id": effect.module_id})).first()
    answers: dict[str, Any] = dict(row.answers or {}) if row is not None else {}
    if effect.answer is not None:
        step_id, option = effect.answer
        answers[step_id] = {"option": option, "correct": effect.correct}
    quiz = [a for a in answers.values() if a.get("correct") is not None]
    started_at = row.started_at if row is not None else None
    completed_at = row.completed_at if row is not None else None
    values = {"b_module_version": effect.version, "b_step": effect.step, "b_answers": answers,
              "b_questions": len(quiz), "b_score": sum(1 for a in quiz if a["correct"]),
              "b_started_at": started_at or now,
              "b_completed_at": completed_at or (now if effect.completed else None),
              "b_updated_at": now}
    if row is None:
        await session.execute(_INSERT, {**values, "b_person_id": person_id,
                                        "b_module_id": effect.module_id})
    else:
        await session.execute(_UPDATE, {**values, "b_id": row.id})
