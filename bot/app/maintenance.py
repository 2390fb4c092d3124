"""Jobs an administrator runs by hand: re-encrypting after a key change."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.crypto import EncryptedJSON, EncryptedShortText, EncryptedText, rotate
from bot.db.engine import Database
from bot.db.models import Base


def encrypted_columns() -> list[tuple[str, str, str]]:
    """Every (table, key column, column) stored encrypted, found from the models themselves."""
    found = []
    for table in Base.metadata.sorted_tables:
        key = next(iter(table.primary_key.columns)).name
        for column in table.columns:
            if isinstance(column.type, EncryptedText | EncryptedShortText | EncryptedJSON):
                found.append((table.name, key, column.name))
    return found


async def rotate_encryption(db: Database) -> dict[str, int]:
    """Read each encrypted value raw, re-encrypt it with the newest key, write it back, all in
    one transaction."""
    counts: dict[str, int] = {}
    async with db.transaction() as session:
        for table, key, column in encrypted_columns():
            counts[f"{table}.{column}"] = await _rotate_column(session, table, key, column)
    return counts


async def _rotate_column(session: AsyncSession, table: str, key: str, column: str) -> int:
    rows = (await session.execute(text(
        f'SELECT "{key}", "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'))).all()
    for row_id, value in rows:
        await session.execute(
            text(f'UPDATE "{table}" SET "{column}" = :value WHERE "{key}" = :id'),
            {"value": rotate(value), "id": row_id})
    return len(rows)



