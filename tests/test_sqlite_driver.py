"""The SQLite driver (storage/sqlite_driver.py): one call on SQLite's thread per statement, and what SQLAlchemy
reads of a cursor (rows, columns, counts, new ids) as its own adapter gives it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import OperationalError

from storage.models import User
from storage.sqlite_driver import OneTripCursor
from storage.uow import Storage
from tests.conftest import schema_storage


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with schema_storage(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}") as store:
        yield store


@pytest.fixture
async def calls(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The trips to SQLite's thread from here on, after one user is stored."""
    async with storage.unit_of_work() as uow:
        uow.session.add(User(display_name="warm"))
        await uow.commit()
    made: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return made


async def test_each_statement_is_one_call_on_sqlites_thread(storage: Storage, calls: list[str]) -> None:
    async with storage.unit_of_work() as uow:
        await uow.session.execute(select(User.id))
        await uow.session.execute(update(User).values(display_name="w"))
        await uow.commit()
    # BEGIN IMMEDIATE with the SELECT, the UPDATE, the COMMIT; the pool's reset on return finds nothing open.
    assert len(calls) == 3, calls
    calls.clear()
    async with storage.unit_of_work() as uow:
        await uow.session.execute(select(User.id))
    # A read: the SELECT and the unit of work's ROLLBACK.
    assert len(calls) == 2, calls
    calls.clear()
    async with storage.unit_of_work() as uow:
        await uow.session.connection()
        await uow.commit()
    # A transaction begun and ended with no statement opened nothing on SQLite's side.
    assert calls == []


async def test_a_chat_events_statements_after_the_first_make_no_trip(
    storage: Storage, calls: list[str], tmp_path: Path
) -> None:
    async with storage.unit_of_work(short=True) as uow:
        assert (await uow.session.execute(select(User.display_name))).scalars().all() == ["warm"]
        await uow.session.execute(update(User).values(display_name="w"))
        assert (await uow.session.execute(select(User.display_name))).scalars().all() == ["w"]
        await uow.commit()
    # BEGIN IMMEDIATE with the first SELECT, and the COMMIT: the UPDATE and the second SELECT ran here.
    assert len(calls) == 2, calls
    calls.clear()
    # The next unit of work is an ordinary one: the SELECT and its ROLLBACK.
    async with storage.unit_of_work() as uow:
        await uow.session.execute(select(User.id))
    assert len(calls) == 2, calls
    calls.clear()
    with pytest.raises(LookupError):
        async with storage.unit_of_work(short=True) as uow:
            await uow.session.execute(select(User.id))
            await uow.session.execute(update(User).values(display_name="undone"))
            raise LookupError("a handler failed")
    # A read, and a write rolled back: the SELECT (with its BEGIN IMMEDIATE) only.
    assert len(calls) == 1, calls
    other = sqlite3.connect(tmp_path / "driver.sqlite3", timeout=0, isolation_level=None)
    try:
        # Rolled back, and the lock given back.
        other.execute("BEGIN IMMEDIATE")
        assert other.execute("SELECT display_name FROM users").fetchall() == [("w",)]
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_unit_of_work_holds_the_write_lock_from_its_first_statement(storage: Storage, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "driver.sqlite3", timeout=0, isolation_level=None)
    try:
        async with storage.unit_of_work() as uow:
            # A read, with BEGIN IMMEDIATE in the same trip: another writer is kept out from here, so the event's
            # later writes cannot fail on a lock upgrade.
            assert (await uow.session.execute(select(User.id))).all() == []
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        # Held elsewhere: the first statement reports SQLite's own error, and nothing is left open behind it.
        locked = Storage(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}", busy_timeout=0.05)
        try:
            with pytest.raises(OperationalError, match="database is locked"):
                async with locked.unit_of_work() as uow:
                    await uow.session.execute(select(User.id))
        finally:
            await locked.close()
        other.execute("ROLLBACK")
        async with storage.unit_of_work() as uow:
            uow.session.add(User(display_name="after"))
            await uow.commit()
        assert other.execute("SELECT display_name FROM users").fetchall() == [("after",)]
    finally:
        other.close()


async def test_rows_columns_counts_and_new_ids_are_what_sqlalchemy_expects(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        connection = await uow.session.connection()
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, aiosqlite.Connection)
        assert isinstance(raw.dbapi_connection.cursor(), OneTripCursor)  # type: ignore[union-attr]
        ada = User(display_name="Ada")
        uow.session.add(ada)
        await uow.session.flush()
        assert ada.id == 1
        await uow.session.execute(insert(User), [{"display_name": f"p{i}"} for i in range(3)])
        changed = await uow.session.execute(update(User).where(User.id > 1).values(locale="it"))
        assert getattr(changed, "rowcount", None) == 3
        rows = (await uow.session.execute(text("SELECT id, display_name AS name FROM users ORDER BY id"))).all()
        assert [tuple(row) for row in rows] == [(1, "Ada"), (2, "p0"), (3, "p1"), (4, "p2")]
        assert list(rows[0]._mapping) == ["id", "name"]
        assert (await uow.session.execute(text("SELECT 1 WHERE 0"))).all() == []
        await uow.commit()
