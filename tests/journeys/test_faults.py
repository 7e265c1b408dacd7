"""The database fails under each door: locked and read-only (SQLite), and the server dropping the connection in
the middle of a transaction (PostgreSQL). Each time the person gets a clear message in their language, or the
event is retried and answered, and nothing is half-saved; nothing escapes as a crash on any platform."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from storage.db import sqlite_path
from storage.models import User
from tests.journeys.conftest import door_world, doors_world
from tests.journeys.world import World, tr

DOORS = ["console", "telegram", "discord"]
BUSY = "The assistant is busy right now and nothing was changed. Please try again in a moment."
READ_ONLY = (
    "I can't save anything right now (the database is read-only), so nothing was changed. The team has been told."
)
SAVED = "Your records will show the name: <b>{name}</b>"


async def full_names(world: World) -> list[str | None]:
    assert world.app.storage is not None
    async with world.app.storage.unit_of_work() as uow:
        return sorted((await uow.session.scalars(select(User.full_name))).all(), key=str)


@contextlib.contextmanager
def write_lock_held(world: World) -> Iterator[None]:
    """Another process holds SQLite's write lock (a long report, a backup)."""
    path = sqlite_path(world.settings.resolved_database_url)
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextlib.asynccontextmanager
async def read_only(world: World) -> Any:
    """Every new connection refuses writes, as a database on a read-only disk does."""
    assert world.app.storage is not None
    engine = world.app.storage.engine.sync_engine

    def query_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.cursor().execute("PRAGMA query_only = ON")

    event.listen(engine, "connect", query_only)
    await world.app.storage.engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", query_only)
        await world.app.storage.engine.dispose()


@pytest.mark.parametrize("platform", DOORS)
async def test_a_locked_then_read_only_database_is_explained_in_the_persons_language(
    platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short busy timeout from the start (the engine and SQLite's write turns take it when the app is built): the
    # held lock is then met at once, not after 5 seconds on each of the dispatcher's tries.
    monkeypatch.setenv("DATABASE_BUSY_TIMEOUT", "0.05")
    async with door_world(platform, "sqlite", tmp_path, monkeypatch) as (world, door):
        assert world.app.settings.database_busy_timeout == 0.05
        anna = door.person("anna", "de")
        await door.say(anna, "/start")

        with write_lock_held(world):
            seen = await door.say(anna, "/name Anna Schmidt")
        assert [s.text for s in seen] == [tr("de", BUSY)]
        assert await full_names(world) == [None]

        async with read_only(world):
            seen = await door.say(anna, "/name Anna Schmidt")
        assert [s.text for s in seen] == [tr("de", READ_ONLY)]
        assert await full_names(world) == [None]

        # Once the database is back, the same message works.
        seen = await door.say(anna, "/name Anna Schmidt")
        assert any(
            tr("de", SAVED).format(name="Anna Schmidt").replace("<b>", "").replace("</b>", "") in s.text for s in seen
        )
        assert await full_names(world) == ["Anna Schmidt"]
        assert door.misdirected() == []


@pytest.mark.parametrize("platform", DOORS)
async def test_a_connection_dropped_mid_transaction_is_retried_and_nothing_is_half_saved(
    platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with doors_world([platform], "postgres", tmp_path, monkeypatch) as (world, doors):
        door = doors[platform]
        anna = door.person("anna", "de")
        await door.say(anna, "/start")
        assert world.app.storage is not None
        engine = world.app.storage.engine.sync_engine
        dropped: list[int] = []

        def drop_once(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            # The server ends our session right as the name is written (a restart, a failover, an admin): the
            # transaction goes with the connection.
            if dropped or not statement.lstrip().upper().startswith("UPDATE USERS"):
                return
            dropped.append(1)
            with contextlib.suppress(Exception):
                conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")

        event.listen(engine, "before_cursor_execute", drop_once)
        try:
            seen = await door.say(anna, "/name Anna Schmidt")
        finally:
            event.remove(engine, "before_cursor_execute", drop_once)
        assert dropped == [1]
        assert any("Anna Schmidt" in s.text for s in seen), [s.text for s in seen]
        assert await full_names(world) == ["Anna Schmidt"]
