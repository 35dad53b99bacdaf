"""crew positions: opt-in sharing per device, the last position, and the audit of sharing

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import caseserver.models

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('devices', sa.Column('shares_position', sa.Boolean(), server_default='0', nullable=False))
    op.create_table('device_positions',
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('crew_id', sa.Integer(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('fixed_at', caseserver.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', caseserver.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crew_id'], ['crews.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('device_id')
    )
    op.create_index('ix_device_positions_crew_id', 'device_positions', ['crew_id'])
    op.create_table('position_sharing_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('device_time', caseserver.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('at', caseserver.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_position_sharing_changes_device_id', 'position_sharing_changes', ['device_id'])


def downgrade() -> None:
    op.drop_table('position_sharing_changes')
    op.drop_table('device_positions')
    op.drop_column('devices', 'shares_position')
