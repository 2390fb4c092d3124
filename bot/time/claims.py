"""Claiming due rows atomically, on SQLite and PostgreSQL alike.

One UPDATE marks a batch of due rows with a fresh token; only the process whose token landed
works on them. On PostgreSQL the inner SELECT skips rows another process has locked
(`FOR UPDATE SKIP LOCKED`), so several processes share the work without waiting on each other.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

# a claim is a lease: its holder renews it every RENEW_EVERY seconds while it works; one not
# renewed for LEASE (its process died) is claimed again by whoever looks next
LEASE = timedelta(seconds=6)
RENEW_EVERY = 2.0


async def claim(session: AsyncSession, model: Any, *, due: ColumnElement[bool],
                order_by: Any, limit: int, now: datetime, claimed_status: str) -> list[Any]:
    """Mark up to `limit` due rows as ours and return them, oldest first."""
    token = uuid.uuid4().hex
    order = order_by if isinstance(order_by, tuple | list) else (order_by,)
    inner = select(model.id).where(due).order_by(*order).limit(limit)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        inner = inner.with_for_update(skip_locked=True)
    values: dict[str, Any] = {"claim_token": token, "status": claimed_status}
    if hasattr(model, "claimed_at"):
        values["claimed_at"] = now
    await session.execute(
        update(model).where(model.id.in_(inner.scalar_subquery())).values(**values)
        .execution_options(synchronize_session=False))
    rows = await session.scalars(select(model).where(model.claim_token == token).order_by(*order))
    return list(rows)
