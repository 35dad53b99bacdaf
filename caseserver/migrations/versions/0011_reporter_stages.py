"""reporter stages: language, satisfaction, reopening by the reporter, message stages, contacts, link keys

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import caseserver.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = caseserver.models.UTCDateTime(timezone=True)
    op.add_column('tickets', sa.Column('reporter_locale', sa.String(length=5), nullable=True))
    op.add_column('tickets', sa.Column('satisfaction', sa.String(length=12), nullable=True))
    op.add_column('tickets', sa.Column('satisfaction_at', utc, nullable=True))
    op.add_column('tickets', sa.Column('reopened_by_reporter_at', utc, nullable=True))
    op.add_column('tickets', sa.Column('follow_up_of', sa.String(length=36), nullable=True))
    op.add_column('notifications', sa.Column('stage', sa.String(length=20), nullable=True))
    op.create_table('reporter_contacts',
    sa.Column('reporter_ticket_id', sa.String(length=36), nullable=False),
    sa.Column('last_sent_at', utc, nullable=True),
    sa.Column('sending_until', utc, nullable=True),
    sa.PrimaryKeyConstraint('reporter_ticket_id')
    )
    op.create_table('server_secrets',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('used_links',
    sa.Column('nonce', sa.String(length=40), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('used_at', utc, nullable=False),
    sa.PrimaryKeyConstraint('nonce')
    )


def downgrade() -> None:
    op.drop_table('used_links')
    op.drop_table('server_secrets')
    op.drop_table('reporter_contacts')
    op.drop_column('notifications', 'stage')
    for name in ('follow_up_of', 'reopened_by_reporter_at', 'satisfaction_at', 'satisfaction', 'reporter_locale'):
        op.drop_column('tickets', name)
