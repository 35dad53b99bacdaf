"""duplicates: merged tickets, possible duplicates, outcome emails for merged reporters

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('duplicate_of', sa.String(length=36), nullable=True))
    op.add_column('tickets', sa.Column('possible_duplicates', sa.Text(), server_default='[]', nullable=False))
    op.create_index('ix_tickets_service_lat', 'tickets', ['service_code', 'lat'])
    op.create_index('ix_tickets_duplicate_of', 'tickets', ['duplicate_of'])
    op.add_column('notifications', sa.Column('reporter_ticket_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    op.drop_column('notifications', 'reporter_ticket_id')
    op.drop_index('ix_tickets_duplicate_of', 'tickets')
    op.drop_index('ix_tickets_service_lat', 'tickets')
    op.drop_column('tickets', 'possible_duplicates')
    op.drop_column('tickets', 'duplicate_of')
