"""Discord members are reached by DM at their user id; unreachable people are told once; answers know their author

Revision ID: 0009_reachability
Revises: 0008_broadcast_announced
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_reachability"
down_revision: str | None = "0008_broadcast_announced"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unreachable_notice_due", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_questions_answered_by_user_id_users"), "users", ["answered_by_user_id"], ["id"],
            ondelete="SET NULL",
        )
    # Members who only used the bot in a server were stored without an address; on Discord a DM is addressed by
    # the user id, so every one of them can be reached.
    op.execute("UPDATE accounts SET chat_id = platform_user_id WHERE platform = 'discord' AND chat_id = ''")


def downgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_questions_answered_by_user_id_users"), type_="foreignkey")
        batch_op.drop_column("answered_by_user_id")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("unreachable_notice_due")
