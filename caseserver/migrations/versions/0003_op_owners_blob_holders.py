"""op ids owned by their sender, blob holders

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:30:00

Existing photos whose bytes are stored count as shown by their authors (uploads have
been tied to their photo records and creators since 0002's uploads).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import caseserver.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applied_ops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))
    op.create_table('blob_holders',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('since', caseserver.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', 'user_id')
    )
    op.execute(
        "INSERT INTO blob_holders (sha256, user_id, since) "
        "SELECT DISTINCT photos.sha256, photos.author_id, blobs.stored_at "
        "FROM photos JOIN blobs ON blobs.sha256 = photos.sha256"
    )


def downgrade() -> None:
    op.drop_table('blob_holders')
    with op.batch_alter_table('applied_ops', schema=None) as batch_op:
        batch_op.drop_column('content_hash')
        batch_op.drop_column('user_id')
