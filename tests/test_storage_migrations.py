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
