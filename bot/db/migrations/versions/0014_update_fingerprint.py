"""processed updates are known by id and fingerprint: a new update that reuses an old update id
(Telegram's new id sequence after a quiet week, a restarted fake server) is handled, not dropped

The table only holds the last days' ids, for telling redeliveries apart; it is made again with
the new key (rows already there are kept, with an empty fingerprint).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _table(name: str, key: list[str], fingerprint: bool) -> None:
    columns = [sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False)]
    if fingerprint:
        columns.append(sa.Column('fingerprint', sa.String(length=96), nullable=False))
    columns.append(sa.Column('at', bot.db.models.UTCDateTime(timezone=True), nullable=False))
    op.create_table(name, *columns, sa.PrimaryKeyConstraint(*key))


def _swap(fingerprint: bool) -> None:
    """Build the table with its new key beside the old one, copy the rows, put it in place."""
    _table('processed_updates_new', ['update_id', 'fingerprint'] if fingerprint else ['update_id'],
           fingerprint)
    if fingerprint:
        op.execute("INSERT INTO processed_updates_new (update_id, fingerprint, at) "
                   "SELECT update_id, '', at FROM processed_updates")
    else:  # an id seen with several fingerprints is kept once
        op.execute("INSERT INTO processed_updates_new (update_id, at) "
                   "SELECT update_id, MAX(at) FROM processed_updates GROUP BY update_id")
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_updates_at'))
    op.drop_table('processed_updates')
    op.rename_table('processed_updates_new', 'processed_updates')
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_updates_at'), ['at'], unique=False)


def upgrade() -> None:
    _swap(fingerprint=True)


def downgrade() -> None:
    _swap(fingerprint=False)
