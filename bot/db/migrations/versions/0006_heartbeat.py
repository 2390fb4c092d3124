"""heartbeats (the clock's liveness for /healthz); alert_events.kind widened to 40

Revision ID: 0006
Revises: 0005
them when merging)
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('heartbeats',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('beat_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    # "young_person_told_to_call" is 25 characters: PostgreSQL refused it, SQLite never checked
    with op.batch_alter_table('alert_events') as batch:
        batch.alter_column('kind', existing_type=sa.String(length=24), type_=sa.String(length=40),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_events') as batch:
        batch.alter_column('kind', existing_type=sa.String(length=40), type_=sa.String(length=24),
                           existing_nullable=False)
    op.drop_table('heartbeats')
