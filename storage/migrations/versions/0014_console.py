"""The staff console: one-time sign-in links, sessions and the audit log; per-part lecture tallies kept by triggers

Revision ID: 0014_console
Revises: 0013_scale_fanout
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014_console"
down_revision: str | None = "0013_scale_fanout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _who() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
    ]


# The part of a lecture key ("3.2" is part 3); -1 for a key of another shape, so that it never counts as part 0.
SQLITE_PART = (
    "(CASE WHEN {key} GLOB '[1-9]*.*' THEN CAST(substr({key}, 1, instr({key}, '.') - 1) AS INTEGER) ELSE -1 END)"
)
POSTGRES_PART = "(CASE WHEN {key} ~ '^[1-9][0-9]*[.]' THEN split_part({key}, '.', 1)::integer ELSE -1 END)"

# Rows per lecture in lecture_tally (storage/console.py TALLY_SHARDS).
SHARDS = 16
SQLITE_LECTURE_UP = f"""INSERT INTO lecture_tally (lecture_key, shard, people) VALUES (NEW.lecture_key, NEW.user_id % {SHARDS}, 1)
            ON CONFLICT (lecture_key, shard) DO UPDATE SET people = people + 1;"""
SQLITE_LECTURE_DOWN = f"""UPDATE lecture_tally SET people = people - 1
            WHERE lecture_key = OLD.lecture_key AND shard = OLD.user_id % {SHARDS};"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER part_tally_insert AFTER INSERT ON lecture_progress BEGIN
        INSERT INTO part_tally (user_id, part, marks) VALUES (NEW.user_id, 0, 1)
            ON CONFLICT (user_id, part) DO UPDATE SET marks = marks + 1;
        INSERT INTO part_tally (user_id, part, marks) VALUES (NEW.user_id, {new}, 1)
            ON CONFLICT (user_id, part) DO UPDATE SET marks = marks + 1;
        {lecture_up}
    END""",
    """CREATE TRIGGER part_tally_delete AFTER DELETE ON lecture_progress BEGIN
        UPDATE part_tally SET marks = marks - 1 WHERE user_id = OLD.user_id AND part IN (0, {old});
        {lecture_down}
    END""",
    """CREATE TRIGGER part_tally_update AFTER UPDATE OF user_id, lecture_key ON lecture_progress BEGIN
        UPDATE part_tally SET marks = marks - 1 WHERE user_id = OLD.user_id AND part IN (0, {old});
        {lecture_down}
        INSERT INTO part_tally (user_id, part, marks) VALUES (NEW.user_id, 0, 1)
            ON CONFLICT (user_id, part) DO UPDATE SET marks = marks + 1;
        INSERT INTO part_tally (user_id, part, marks) VALUES (NEW.user_id, {new}, 1)
            ON CONFLICT (user_id, part) DO UPDATE SET marks = marks + 1;
        {lecture_up}
    END""",
]

POSTGRES_FUNCTION = """CREATE FUNCTION part_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE part_tally SET marks = marks - 1 WHERE user_id = OLD.user_id AND part IN (0, {old});
        UPDATE lecture_tally SET people = people - 1
            WHERE lecture_key = OLD.lecture_key AND shard = OLD.user_id % {shards};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO part_tally (user_id, part, marks) VALUES (NEW.user_id, 0, 1), (NEW.user_id, {new}, 1)
            ON CONFLICT (user_id, part) DO UPDATE SET marks = part_tally.marks + 1;
        INSERT INTO lecture_tally (lecture_key, shard, people) VALUES (NEW.lecture_key, NEW.user_id % {shards}, 1)
            ON CONFLICT (lecture_key, shard) DO UPDATE SET people = lecture_tally.people + 1;
    END IF;
    RETURN NULL;
END $$"""


def backfill(postgres: bool) -> list[str]:
    """The tallies counted from the marks already stored (bench/console uses it after seeding in bulk too)."""
    part = (POSTGRES_PART if postgres else SQLITE_PART).format(key="lecture_key")
    return [
        "INSERT INTO part_tally (user_id, part, marks) SELECT user_id, 0, count(*) FROM lecture_progress GROUP BY user_id",
        f"INSERT INTO part_tally (user_id, part, marks) SELECT user_id, {part}, count(*) FROM lecture_progress "
        f"GROUP BY user_id, {part}",
        f"INSERT INTO lecture_tally (lecture_key, shard, people) SELECT lecture_key, user_id % {SHARDS}, count(*) "
        f"FROM lecture_progress GROUP BY lecture_key, user_id % {SHARDS}",
    ]


def upgrade() -> None:
    op.create_table(
        "part_tally",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("marks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_part_tally_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "part", name=op.f("pk_part_tally")),
    )
    with op.batch_alter_table("part_tally", schema=None) as batch_op:
        batch_op.create_index("ix_part_tally_part_marks", ["part", "marks"], unique=False)
    op.create_table(
        "lecture_tally",
        sa.Column("lecture_key", sa.String(length=16), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("lecture_key", "shard", name=op.f("pk_lecture_tally")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in backfill(postgres):
        op.execute(statement)
    old = (POSTGRES_PART if postgres else SQLITE_PART).format(key="OLD.lecture_key")
    new = (POSTGRES_PART if postgres else SQLITE_PART).format(key="NEW.lecture_key")
    if postgres:
        op.execute(POSTGRES_FUNCTION.format(old=old, new=new, shards=SHARDS))
        op.execute(
            "CREATE TRIGGER part_tally_change AFTER INSERT OR DELETE OR UPDATE OF user_id, lecture_key "
            "ON lecture_progress FOR EACH ROW EXECUTE FUNCTION part_tally_change()"
        )
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(
                trigger.format(old=old, new=new, lecture_up=SQLITE_LECTURE_UP, lecture_down=SQLITE_LECTURE_DOWN)
            )

    op.create_table(
        "console_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        *_who(),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_console_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_links_token_hash")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        *_who(),
        sa.Column("last_seen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_console_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_audit")),
    )
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.create_index("ix_console_audit_at", ["at"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS part_tally_change ON lecture_progress")
        op.execute("DROP FUNCTION IF EXISTS part_tally_change()")
    else:
        for name in ("part_tally_insert", "part_tally_delete", "part_tally_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("lecture_tally")
    with op.batch_alter_table("part_tally", schema=None) as batch_op:
        batch_op.drop_index("ix_part_tally_part_marks")
    op.drop_table("part_tally")
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_console_audit_at")
    op.drop_table("console_audit")
    op.drop_table("console_sessions")
    op.drop_table("console_links")
