"""escalations (raised once per ticket and due time)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import caseserver.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('escalations',
    sa.Column('ticket_id', sa.String(length=36), nullable=False),
    sa.Column('due_key', sa.String(length=40), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('raised_at', caseserver.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('ticket_id', 'due_key')
    )


def downgrade() -> None:
    op.drop_table('escalations')
