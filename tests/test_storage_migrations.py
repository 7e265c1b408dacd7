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
