"""outbox drawing: a wheel chart the sender draws, instead of PNG bytes drawn in the transaction

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-29 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.crypto

revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drawing', bot.db.crypto.EncryptedJSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('drawing')
