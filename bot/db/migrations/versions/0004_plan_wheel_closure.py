"""safety plans, outcome wheels, closure; photos in the outbox

Revision ID: 0004
Revises: 0002 (on this branch; re-point to 0003 when the branches are merged)
Create Date: 2026-11-28 15:21:34.038581
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('safety_plans',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('sections', sa.Text(), nullable=False),
    sa.Column('created_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('person_id')
    )
    op.create_table('wheel_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', bot.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('asked_by', sa.String(length=12), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asked_by_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wheel_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wheel_results_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wheel_results_taken_at'), ['taken_at'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo', sa.LargeBinary(), nullable=True))

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wheel_every_weeks', sa.Integer(), server_default='6', nullable=True))
        batch_op.add_column(sa.Column('closure_started_at', bot.db.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', bot.db.models.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closure_started_at')
        batch_op.drop_column('wheel_every_weeks')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('photo')

    with op.batch_alter_table('wheel_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wheel_results_taken_at'))
        batch_op.drop_index(batch_op.f('ix_wheel_results_person_id'))

    op.drop_table('wheel_results')
    op.drop_table('safety_plans')
