"""unasked draft questions are deleted: a message becomes a question for staff only when the person asks

Revision ID: 0012_purge_drafts
Revises: 0011_abuse_limits
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012_purge_drafts"
down_revision: str | None = "0011_abuse_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Earlier versions kept every message the FAQ could not answer, with the person's id, as a draft for the
    # "Ask the team" button. Nothing creates drafts any more; the ones left hold personal text nobody asked us
    # to keep.
    op.execute("DELETE FROM questions WHERE asked_at IS NULL")


def downgrade() -> None:
    # Deleted text cannot come back; the schema is unchanged.
    pass
