"""conflicts travel through the feed; audit events say why a status moved

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_crew_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_foreign_key('fk_conflicts_ticket_crew_id', 'crews', ['ticket_crew_id'], ['id'])
        batch_op.create_index('ix_conflicts_seq', ['seq'], unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))

    # Existing conflicts: the crew their ticket has now; open ones get feed positions
    # after everything devices have seen, so they reach their audience on the next sync.
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE conflicts SET ticket_crew_id = "
            "(SELECT assigned_crew_id FROM tickets WHERE tickets.id = conflicts.ticket_id)"
        )
    )
    open_ids = [r[0] for r in bind.execute(sa.text("SELECT id FROM conflicts WHERE status = 'open' ORDER BY created_at, id"))]
    if open_ids:
        top = bind.execute(sa.text("SELECT value FROM feed_counter WHERE id = 1")).scalar() or 0
        bind.execute(
            sa.text("UPDATE conflicts SET seq = :seq WHERE id = :id"),
            [{"seq": top + n, "id": cid} for n, cid in enumerate(open_ids, start=1)],
        )
        bind.execute(sa.text("UPDATE feed_counter SET value = :top WHERE id = 1"), {"top": top + len(open_ids)})


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('reason')

    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_conflicts_seq')
        batch_op.drop_constraint('fk_conflicts_ticket_crew_id', type_='foreignkey')
        batch_op.drop_column('seq')
        batch_op.drop_column('ticket_crew_id')
