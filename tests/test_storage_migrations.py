from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from storage.migrate import current_revision, head_revision, upgrade
from storage.uow import Storage


async def test_migrations_build_every_table_on_a_new_sqlite_file(tmp_path: Path) -> None:
    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        assert await current_revision(storage.engine) is None
        await upgrade(storage.engine)
        assert await current_revision(storage.engine) == head_revision()
        async with storage.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"users", "accounts", "deliveries", "workshops", "registrations", "lecture_progress"} <= tables
        # Upgrading an up-to-date database is a no-op, not an error.
        await upgrade(storage.engine)
    finally:
        await storage.close()


async def test_the_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    # A model change without its migration fails here, not on a production database.
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base

    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'compare.sqlite3'}")
    try:
        await upgrade(storage.engine)
        async with storage.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
        assert diff == []
    finally:
        await storage.close()


async def test_upgrading_deletes_the_drafts_nobody_asked_the_team_and_keeps_the_questions(tmp_path: Path) -> None:
    from sqlalchemy import text

    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'drafts.sqlite3'}")
    try:
        await upgrade(storage.engine, "0011_abuse_limits")
        async with storage.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO users (id, display_name, created_at) VALUES (1, 'maria', '2026-01-01')")
            )
            for question_id, asked in ((1, None), (2, "2026-01-02"), (3, None)):
                await conn.execute(
                    text(
                        "INSERT INTO questions (id, user_id, text, language, platform, created_at, asked_at) "
                        "VALUES (:id, 1, 'is there parking?', 'en', 'console', '2026-01-01', :asked)"
                    ),
                    {"id": question_id, "asked": asked},
                )
        await upgrade(storage.engine)
        async with storage.engine.connect() as conn:
            left = (await conn.execute(text("SELECT id FROM questions ORDER BY id"))).scalars().all()
        assert left == [2]
    finally:
        await storage.close()
