"""check-ins, safety timers, quiet hours and risk flags

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-28 15:25:41.943215
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checkin_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('pattern', sa.String(length=10), nullable=False),
    sa.Column('days', sa.JSON(), nullable=False),
    sa.Column('times', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['set_by_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id')
    )
    op.create_table('checkin_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=True),
    sa.Column('due_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('mood', sa.Integer(), nullable=True),
    sa.Column('safe', sa.String(length=8), nullable=True),
    sa.Column('answered_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['schedule_id'], ['checkin_schedules.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checkin_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_answers_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_answers_person_id'), ['person_id'], unique=False)

    op.create_table('safety_timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('due_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('where_who', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('asked_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', bot.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('safety_timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_timers_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_timers_status'), ['status'], unique=False)

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_start', sa.String(length=5), server_default='22:00', nullable=False))
        batch_op.add_column(sa.Column('quiet_end', sa.String(length=5), server_default='07:00', nullable=False))
        batch_op.add_column(sa.Column('high_risk', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('missing_history', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('missing_history')
        batch_op.drop_column('high_risk')
        batch_op.drop_column('quiet_end')
        batch_op.drop_column('quiet_start')

    with op.batch_alter_table('safety_timers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_timers_status'))
        batch_op.drop_index(batch_op.f('ix_safety_timers_person_id'))

    op.drop_table('safety_timers')
    with op.batch_alter_table('checkin_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_answers_person_id'))
        batch_op.drop_index(batch_op.f('ix_checkin_answers_outcome'))

    op.drop_table('checkin_answers')
    op.drop_table('checkin_schedules')
