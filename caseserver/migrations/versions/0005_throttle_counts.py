"""throttle counts (sign-in and anonymous Open311 posting limits)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import caseserver.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('throttle_counts',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_at', caseserver.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', caseserver.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('throttle_counts', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_counts_last_at', ['last_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('throttle_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_counts_last_at')

    op.drop_table('throttle_counts')
