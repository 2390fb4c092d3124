"""A young person's progress through modules, as the router reads and saves it.

The menu and every module show where the person is in each module, and most taps inside a
module save a step. So the rows come with the person (`people.find_with_conversation` reads
them as one JSON column: no query of their own) and are held for the update as plain
`ProgressRow`s; a step is saved with one plain UPDATE (or INSERT), with no ORM identity map or
unit-of-work flush. Measured with `bench/router.py` and `bench/load.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ModuleProgress
from flows.base import ModuleStatus, SaveProgress

TABLE = ModuleProgress.__table__
HELD = "rise.module_rows"  # session.info key: person id -> {module id -> ProgressRow}


@dataclass
class ProgressRow:
    """What the router needs of one progress row: statuses for the flows, answers to add to."""

    id: int
    module_id: str
    module_version: int
    step: int
    answers: dict[str, Any] = field(default_factory=dict)
    assigned: bool = False
    started: bool = False
    completed: bool = False

    def status(self) -> ModuleStatus:
        return ModuleStatus(step=self.step, completed=self.completed, assigned=self.assigned,
                            started=self.started, version=self.module_version)


_NAMES = ("id", "module_id", "module_version", "step", "answers", "assigned", "started",
          "completed")


def _columns(answers: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """The columns of `_NAMES`, in order (`answers` as the dialect needs it)."""
    c = TABLE.c
    return [c.id, c.module_id, c.module_version, c.step, answers, c.assigned_at.is_not(None),
            c.started_at.is_not(None), c.completed_at.is_not(None)]


def _pairs(answers: ColumnElement[Any]) -> list[Any]:
    return [item for pair in zip(_NAMES, _columns(answers), strict=True) for item in pair]


def rows_column(dialect: str, person_id: ColumnElement[int]) -> ColumnElement[Any]:
    """Every progress row of `person_id` as one JSON array (NULL or [] when there are none),
    to read with the person in the same statement."""
    if dialect == "postgresql":
        aggregate = func.json_agg(func.json_build_object(*_pairs(TABLE.c.answers)))
    else:  # SQLite keeps JSON as text: json() nests it as an object, not a string
        aggregate = func.json_group_array(func.json_object(*_pairs(func.json(TABLE.c.answers))))
    return type_coerce(select(aggregate).where(TABLE.c.person_id == person_id)
                       .scalar_subquery(), JSON)


def hold(session: AsyncSession, person_id: int, rows: list[dict[str, Any]] | None) -> None:
    """Keep the person's progress rows, as read with them, for the rest of the update."""
    held = {}
    for row in rows or ():
        held[row["module_id"]] = ProgressRow(
            id=row["id"], module_id=row["module_id"], module_version=row["module_version"],
            step=row["step"], answers=dict(row["answers"] or {}), assigned=bool(row["assigned"]),
            started=bool(row["started"]), completed=bool(row["completed"]))
    session.info.setdefault(HELD, {})[person_id] = held


_ROWS_OF = select(*_columns(TABLE.c.answers)).where(TABLE.c.person_id == bindparam("person_id"))


async def rows_of(session: AsyncSession, person_id: int) -> dict[str, ProgressRow]:
    """The person's rows: those held for this update, or read once and held."""
    held = session.info.setdefault(HELD, {})
    if person_id not in held:
        result = await session.execute(_ROWS_OF, {"person_id": person_id})
        hold(session, person_id, [dict(zip(_NAMES, row, strict=True)) for row in result])
    return held[person_id]


async def statuses(session: AsyncSession, person_id: int) -> dict[str, ModuleStatus]:
    """Where the person is in each module they have met."""
    return {module_id: row.status() for module_id, row in (await rows_of(session, person_id))
            .items()}


_SAVED = {"module_version": bindparam("b_version"), "step": bindparam("b_step"),
          "answers": bindparam("b_answers"), "questions": bindparam("b_questions"),
          "score": bindparam("b_score"), "updated_at": bindparam("b_now")}
_UPDATE = update(TABLE).where(TABLE.c.id == bindparam("b_id")).values(
    **_SAVED,
    started_at=func.coalesce(TABLE.c.started_at, bindparam("b_now")),
    completed_at=case((and_(bindparam("b_completed", type_=Boolean),
                            TABLE.c.completed_at.is_(None)), bindparam("b_now")),
                      else_=TABLE.c.completed_at))
_INSERT = insert(TABLE).values(
    **_SAVED, person_id=bindparam("b_person_id"), module_id=bindparam("b_module_id"),
    started_at=bindparam("b_now"), completed_at=bindparam("b_completed_at"),
).returning(TABLE.c.id)


async def save(session: AsyncSession, person_id: int, effect: SaveProgress,
               now: datetime) -> None:
    """Record a step of one module, any quiz answer, and completion: one statement."""
    rows = await rows_of(session, person_id)
    row = rows.get(effect.module_id)
    answers = dict(row.answers) if row is not None else {}
    if effect.answer is not None:
        step_id, option = effect.answer
        answers[step_id] = {"option": option, "correct": effect.correct}
    quiz = [a for a in answers.values() if a.get("correct") is not None]
    values = {"b_version": effect.version, "b_step": effect.step, "b_answers": answers,
              "b_questions": len(quiz), "b_score": sum(1 for a in quiz if a["correct"]),
              "b_now": now}
    if row is None:
        new_id = (await session.execute(_INSERT, {
            **values, "b_person_id": person_id, "b_module_id": effect.module_id,
            "b_completed_at": now if effect.completed else None})).scalar_one()
        row = rows[effect.module_id] = ProgressRow(new_id, effect.module_id, effect.version,
                                                   effect.step)
    else:
        await session.execute(_UPDATE, {**values, "b_id": row.id,
                                        "b_completed": effect.completed})
    row.module_version, row.step, row.answers = effect.version, effect.step, answers
    row.started = True
    row.completed = row.completed or effect.completed
