"""SQLite's writers queue inside the process (storage.db.WriteTurns): first come, first served, and never a wait
that SQLite's own lock would not impose, ending the way SQLite's does ("database is locked", retried by callers)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from bot.services.dbfaults import db_problem
from storage.models import User
from storage.uow import Storage
from tests.conftest import schema_storage


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with schema_storage(f"sqlite+aiosqlite:///{tmp_path / 'turns.sqlite3'}") as store:
        yield store


@pytest.fixture
async def impatient(tmp_path: Path) -> AsyncIterator[Storage]:
    async with schema_storage(f"sqlite+aiosqlite:///{tmp_path / 'impatient.sqlite3'}", busy_timeout=0.2) as store:
        yield store


async def test_writers_take_turns_in_the_order_they_began(storage: Storage) -> None:
    log: list[str] = []

    async def writer(name: str, hold: float) -> None:
        async with storage.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
            log.append(f"{name} in")
            uow.session.add(User(display_name=name))
            await uow.session.flush()
            await asyncio.sleep(hold)
            log.append(f"{name} out")
            await uow.commit()

    first = asyncio.create_task(writer("a", 0.4))
    others = []
    for name in ("b", "c", "d"):
        # Each one asks for its turn well after the one before it (a new connection takes a moment to open).
        await asyncio.sleep(0.08)
        others.append(asyncio.create_task(writer(name, 0.01)))
    await asyncio.gather(first, *others)
    assert log == ["a in", "a out", "b in", "b out", "c in", "c out", "d in", "d out"]
    async with storage.unit_of_work() as uow:
        assert sorted(await uow.session.scalars(select(User.display_name))) == ["a", "b", "c", "d"]


async def test_the_next_writer_begins_as_soon_as_the_one_before_committed(storage: Storage) -> None:
    """SQLite alone makes a waiting writer poll (sleeps of 1 ms growing to 100 ms): after a third of a second of
    waiting, the next poll comes up to 100 ms after the lock is free. A turn is handed over at once."""
    committed = 0.0

    async def holder() -> None:
        nonlocal committed
        async with storage.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
            await asyncio.sleep(0.35)
        committed = time.monotonic()

    task = asyncio.create_task(holder())
    await asyncio.sleep(0.01)
    async with storage.unit_of_work() as uow:
        await uow.session.execute(text("SELECT 1"))
        began = time.monotonic()
    await task
    assert 0 <= began - committed < 0.04


async def test_a_turn_not_had_within_the_busy_timeout_is_the_error_sqlite_gives(impatient: Storage) -> None:
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with impatient.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
            holding.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await holding.wait()
    began = time.monotonic()
    with pytest.raises(OperationalError) as raised:
        async with impatient.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
    waited = time.monotonic() - began
    release.set()
    await task
    assert "database is locked" in str(raised.value)
    # The dispatcher and the other callers retry it, as they retry SQLite's own.
    assert db_problem(raised.value) == "locked"
    assert 0.15 <= waited < 2.0
    # The holder gave its turn back: the next writer gets it at once.
    async with impatient.unit_of_work() as uow:
        uow.session.add(User(display_name="after"))
        await uow.commit()


async def test_a_unit_of_work_that_failed_gives_its_turn_back(impatient: Storage) -> None:
    with pytest.raises(RuntimeError):
        async with impatient.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
            raise RuntimeError("handler failed")
    began = time.monotonic()
    async with impatient.unit_of_work() as uow:
        uow.session.add(User(display_name="next"))
        await uow.commit()
    assert time.monotonic() - began < 0.15


async def test_the_turn_is_taken_at_the_first_statement_as_sqlites_lock_is(storage: Storage) -> None:
    """A unit of work that has not touched the database yet holds nothing: work it waits for may write."""

    async def other_task_writes() -> None:
        async with storage.unit_of_work() as uow:
            uow.session.add(User(display_name="inner"))
            await uow.commit()

    async with storage.unit_of_work() as uow:
        await asyncio.wait_for(asyncio.create_task(other_task_writes()), timeout=2)
        names = list(await uow.session.scalars(select(User.display_name)))
    assert names == ["inner"]


async def test_a_unit_of_work_opened_inside_one_that_writes_fails_as_sqlite_would(impatient: Storage) -> None:
    """Nesting after the outer one began waits for the outer one's turn: SQLite would make it wait for its lock
    just the same; both end with "database is locked" after the busy timeout, never a hang."""
    async with impatient.unit_of_work() as outer:
        await outer.session.execute(text("SELECT 1"))
        with pytest.raises(OperationalError, match="database is locked"):
            async with impatient.unit_of_work() as inner:
                await inner.session.execute(text("SELECT 1"))
        outer.session.add(User(display_name="outer"))
        await outer.commit()
    async with impatient.unit_of_work() as uow:
        assert list(await uow.session.scalars(select(User.display_name))) == ["outer"]


async def test_a_task_started_in_a_unit_of_work_takes_no_turn_for_it_once_it_ended(storage: Storage) -> None:
    """A task copies its starter's context, ticket included: after the unit of work ended, that ticket must not
    take (and keep for ever) a turn for the task's own connection."""
    proceed = asyncio.Event()

    async def later() -> None:
        await proceed.wait()
        async with storage.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await connection.rollback()

    async with storage.unit_of_work() as uow:
        await uow.session.execute(text("SELECT 1"))
        task = asyncio.create_task(later())
    proceed.set()
    await task
    began = time.monotonic()
    async with storage.unit_of_work() as uow:
        uow.session.add(User(display_name="next"))
        await uow.commit()
    assert time.monotonic() - began < 1.0
