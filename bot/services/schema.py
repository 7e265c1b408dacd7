"""The database's schema version, for `wego-bot db`: where it stands, and bringing it to the latest migration.

The migrations themselves are storage's (storage/migrations, storage/migrate.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.migrate import current_revision, head_revision, upgrade

if TYPE_CHECKING:
    from storage.uow import Storage


async def revisions(storage: Storage) -> tuple[str | None, str | None]:
    """The revision the database is at (None: empty) and the latest one this code knows."""
    return await current_revision(storage.engine), head_revision()


async def upgrade_to_latest(storage: Storage) -> None:
    await upgrade(storage.engine)
