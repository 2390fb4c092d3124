"""inbox: updates fetched by long polling, written (encrypted) before Telegram is told we have
them, and deleted once handled

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.crypto
import bot.db.models

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('received_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('body', bot.db.crypto.EncryptedText(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_update_id'), ['update_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_update_id'))
    op.drop_table('inbox')
