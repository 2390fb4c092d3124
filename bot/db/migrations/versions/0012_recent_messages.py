"""recent messages: a young person's last few free-text messages, encrypted, kept for minutes as
context for the detector (the same on every web process, and across restarts)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 19:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.crypto
import bot.db.models

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recent_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', bot.db.crypto.EncryptedText(), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recent_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recent_messages_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recent_messages_person_id'), ['person_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recent_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recent_messages_person_id'))
        batch_op.drop_index(batch_op.f('ix_recent_messages_at'))
    op.drop_table('recent_messages')
