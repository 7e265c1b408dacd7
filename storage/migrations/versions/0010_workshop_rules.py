"""Check-in: wrong codes counted per person; check-in secrets long enough for an HMAC key; year-of-birth questions

Revision ID: 0010_workshop_rules
Revises: 0009_reachability
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010_workshop_rules"
down_revision: str | None = "0009_reachability"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkin_attempts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paused_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_checkin_attempts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_checkin_attempts")),
    )
    op.create_table(
        "birth_year_prompts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_birth_year_prompts_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_birth_year_prompts_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_birth_year_prompts")),
    )
    # The old six-letter codes were shown to staff and printed on posters: as the key of the daily code they could
    # be found from one day's code by trying them all. Each workshop gets a fresh 32-character secret.
    workshops = sa.table("workshops", sa.column("id", sa.Integer()), sa.column("checkin_code", sa.String(32)))
    connection = op.get_bind()
    for (workshop_id,) in connection.execute(sa.select(workshops.c.id)).all():
        connection.execute(
            workshops.update().where(workshops.c.id == workshop_id).values(checkin_code=secrets.token_hex(16))
        )


def downgrade() -> None:
    op.drop_table("birth_year_prompts")
    op.drop_table("checkin_attempts")
