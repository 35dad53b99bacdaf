"""shared uploads: the state of unfinished tus uploads in the database, for every server process

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import caseserver.models

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = caseserver.models.UTCDateTime(timezone=True)
    op.create_table('uploads',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('photo_id', sa.String(length=36), nullable=False),
    sa.Column('upload_metadata', sa.Text(), nullable=False),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('received', sa.BigInteger(), nullable=False),
    sa.Column('parts', sa.Text(), nullable=False),
    sa.Column('receiving_until', utc, nullable=True),
    sa.Column('finished_at', utc, nullable=True),
    sa.Column('created_at', utc, nullable=False),
    sa.Column('expires_at', utc, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_uploads_expires_at'), 'uploads', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_uploads_expires_at'), table_name='uploads')
    op.drop_table('uploads')
