"""foundation: people, invites, conversations, module progress

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 15:09:05.950325
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('pseudonym', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=True),
    sa.Column('nickname', sa.String(length=40), nullable=True),
    sa.Column('age_band', sa.String(length=8), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('privacy_accepted_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_active_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pseudonym')
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_telegram_id'), ['telegram_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_people_worker_id'), ['worker_id'], unique=False)

    op.create_table('conversations',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('flow', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('updated_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('person_id')
    )
    op.create_table('invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('module_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=40), nullable=False),
    sa.Column('module_version', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.Column('assigned_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('due_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'module_id')
    )
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_progress_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_progress_person_id'))

    op.drop_table('module_progress')
    op.drop_table('invites')
    op.drop_table('conversations')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_worker_id'))
        batch_op.drop_index(batch_op.f('ix_people_telegram_id'))

    op.drop_table('people')
