"""Where each person is in their conversation, held as a plain record for one update.

Almost every update reads the conversation row and most change it. As an ORM object that cost a
unit-of-work flush per update, the largest single share of the router's CPU (`bench/router.py`
under py-spy). Here it is a record read with the person (`people.find_with_conversation`) and
written back with one plain UPDATE, or INSERT for a new one, only when it changed, just before
the update's transaction commits (`save_held`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation

TABLE = Conversation.__table__
HELD = "rise.conversations"  # session.info key: person id -> record (None: they have none)

_READ = select(TABLE.c.flow, TABLE.c.state, TABLE.c.context).where(
    TABLE.c.person_id == bindparam("person_id"))
_UPDATE = update(TABLE).where(TABLE.c.person_id == bindparam("b_person_id")).values(
    flow=bindparam("b_flow"), state=bindparam("b_state"), context=bindparam("b_context"),
    updated_at=bindparam("b_at"))
_INSERT = insert(TABLE).values(
    person_id=bindparam("b_person_id"), flow=bindparam("b_flow"), state=bindparam("b_state"),
    context=bindparam("b_context"), updated_at=bindparam("b_at"))


@dataclass
class ConversationRecord:
    """One person's flow, state and small context (never free text)."""

    person_id: int
    flow: str
    state: str
    context: dict[str, Any] = field(default_factory=dict)
    # as last read or written; None until the row exists
    saved: tuple[str, str, dict[str, Any]] | None = None

    def changed(self) -> bool:
        return self.saved != (self.flow, self.state, self.context)

    def mark_saved(self) -> None:
        # a deep copy: a flow that changed the context in place still counts as a change
        self.saved = (self.flow, self.state, copy.deepcopy(self.context))


def hold(session: AsyncSession, person_id: int, flow: str | None, state: str | None,
         context: dict[str, Any] | None) -> ConversationRecord | None:
    """Keep what the database holds for this person for the rest of the update."""
    record = None
    if flow is not None:
        record = ConversationRecord(person_id, flow, state or "", dict(context or {}))
        record.mark_saved()
    session.info.setdefault(HELD, {})[person_id] = record
    return record


async def conversation_of(session: AsyncSession, person_id: int) -> ConversationRecord | None:
    """The person's conversation: the held record, or read once and held."""
    held = session.info.setdefault(HELD, {})
    if person_id in held:
        return held[person_id]
    row = (await session.execute(_READ, {"person_id": person_id})).first()
    return hold(session, person_id, *(row if row is not None else (None, None, None)))


def begin_conversation(session: AsyncSession, person_id: int, flow: str, state: str = "",
                       context: dict[str, Any] | None = None) -> ConversationRecord:
    """A new conversation for someone who has none; saved with the update."""
    record = ConversationRecord(person_id, flow, state, dict(context or {}))
    session.info.setdefault(HELD, {})[person_id] = record
    return record


async def save_held(session: AsyncSession, now: datetime) -> None:
    """Write every held conversation that changed; call last, inside the transaction."""
    for record in session.info.get(HELD, {}).values():
        if record is None or not record.changed():
            continue
        values = {"b_person_id": record.person_id, "b_flow": record.flow,
                  "b_state": record.state, "b_context": record.context, "b_at": now}
        await session.execute(_INSERT if record.saved is None else _UPDATE, values)
        record.mark_saved()
