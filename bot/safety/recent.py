"""A young person's recent messages, kept encrypted in the database for minutes, not days.

The detector reads each message beside the few before it, so context must survive a restart
and be the same on every web process: it lives in ``recent_messages``, never in process memory.
Rows older than ``WINDOW`` are never read, and are deleted as new ones arrive and by the
routine purge.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import RecentMessage
from bot.safety.detector import Severity
from bot.safety.reader import Earlier

KEEP = 4  # messages read beside the next one
WINDOW = timedelta(minutes=30)  # older than this, a message is no longer context


async def earlier(session: AsyncSession, person_id: int, now: datetime) -> list[Earlier]:
    """The person's last few messages of the last half hour, oldest first."""
    rows = (await session.execute(
        select(RecentMessage.text, RecentMessage.severity)
        .where(RecentMessage.person_id == person_id, RecentMessage.at >= now - WINDOW)
        .order_by(RecentMessage.id.desc()).limit(KEEP))).all()
    return [Earlier(text, Severity(severity)) for text, severity in reversed(rows)]


async def remember(session: AsyncSession, person_id: int, text: str, severity: Severity,
                   now: datetime) -> int:
    """Keep this message as context (returns its row id); forget what is now too old."""
    row = RecentMessage(person_id=person_id, at=now, text=text, severity=int(severity))
    session.add(row)
    await session.flush()
    keep = select(RecentMessage.id).where(RecentMessage.person_id == person_id) \
        .order_by(RecentMessage.id.desc()).limit(KEEP).scalar_subquery()
    await session.execute(delete(RecentMessage).where(
        RecentMessage.person_id == person_id,
        (RecentMessage.at < now - WINDOW) | RecentMessage.id.not_in(keep)))
    return row.id


async def text_of(session: AsyncSession, person_id: int, message_id: int) -> str | None:
    """One kept message of this person's, or None (gone, or somebody else's)."""
    row = await session.get(RecentMessage, message_id)
    return row.text if row is not None and row.person_id == person_id else None


async def purge(session: AsyncSession, now: datetime) -> int:
    """Delete every row past the window (routine maintenance)."""
    result = await session.execute(delete(RecentMessage).where(RecentMessage.at < now - WINDOW))
    return result.rowcount or 0
