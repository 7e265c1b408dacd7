"""Fan-out in chunks with a cursor, a partial index for the outbox claim, indexes for the clock's scans

Revision ID: 0013_scale_fanout
Revises: 0012_purge_drafts
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013_scale_fanout"
down_revision: str | None = "0012_purge_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fanout_cursor", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("fanned_out_at", storage.types.UTCDateTime(timezone=True), nullable=True))
    # Broadcasts that started before this revision were fanned out in one transaction: they are complete (a row
    # without a start time too, or it would be fanned out a second time).
    op.execute(
        "UPDATE broadcasts SET fanned_out_at = COALESCE(started_at, created_at) WHERE status IN ('sending', 'done')"
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_pending_claim",
            [sa.text("attempts DESC"), "id"],
            unique=False,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index("ix_deliveries_kind_ref_status", ["kind", "ref_id", "status"], unique=False)
    with op.batch_alter_table("lecture_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lecture_progress_user_latest", ["user_id", "completed_at", "lecture_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lecture_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_lecture_progress_user_latest")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_kind_ref_status")
        batch_op.drop_index("ix_deliveries_pending_claim")
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("fanned_out_at")
        batch_op.drop_column("fanout_cursor")
