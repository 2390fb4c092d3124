"""outbox copy: a message a young person sent (photo, voice note, location...) passed on to a
worker with copyMessage, by ids only

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('copy_from_chat_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('copy_message_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('copy_message_id')
        batch_op.drop_column('copy_from_chat_id')
