"""work records: time corrections, materials used, checklist ticks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import caseserver.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('work_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ticket_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('crew_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('time_kind', sa.String(length=10), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('material', sa.String(length=40), nullable=True),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('item', sa.String(length=40), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=True),
    sa.Column('device_time', caseserver.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', caseserver.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['crew_id'], ['crews.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_work_records_ticket_id', 'work_records', ['ticket_id'])
    op.create_index('ix_work_records_crew_time', 'work_records', ['crew_id', 'device_time'])


def downgrade() -> None:
    op.drop_table('work_records')
