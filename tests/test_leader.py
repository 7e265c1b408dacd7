"""The clock leader: exactly one process runs the clock on PostgreSQL, another takes over within seconds when the
leader's connection ends, a standby's commit wakes the leader's clock; on SQLite the clock simply runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from scheduler.leader import ClockLeadership
from storage.uow import Storage

RETRY = 0.2


class FakeClock:
    def __init__(self, owner: str, log: list[str]) -> None:
        self.owner = owner
        self.log = log
        self.wakes = 0
        self.stopped = False

    def wake_all(self) -> None:
        self.wakes += 1

    async def stop(self) -> None:
        self.stopped = True
        self.log.append(f"{self.owner} stop")


class Candidate:
    def __init__(self, name: str, storage: Storage, log: list[str], leading: dict[str, float]) -> None:
        self.clocks: list[FakeClock] = []

        async def start_clock() -> FakeClock:
            clock = FakeClock(name, log)
            self.clocks.append(clock)
            log.append(f"{name} start")
            return clock

        def changed(leader: bool) -> None:
            # When each process started or stopped leading, to measure any overlap.
            leading[f"{name} {'leads' if leader else 'stands by'}"] = time.monotonic()

        self.leadership = ClockLeadership(storage, start_clock, retry_seconds=RETRY, on_change=changed, name=name)


async def until(condition: object, seconds: float) -> float:
    began = time.monotonic()
    while not condition():  # type: ignore[operator]
        if time.monotonic() - began > seconds:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
    return time.monotonic() - began


@pytest.fixture
async def storages(postgres_url: str) -> AsyncIterator[tuple[Storage, Storage, Storage]]:
    made = [Storage(postgres_url) for _ in range(3)]
    try:
        yield made[0], made[1], made[2]
    finally:
        for storage in made:
            await storage.close()


async def a_leads_b_stands_by(
    a_storage: Storage, b_storage: Storage
) -> tuple[Candidate, Candidate, list[str], dict[str, float]]:
    """Two candidates, a started first (so it leads), b campaigning beside it; a shared log of starts and stops."""
    log: list[str] = []
    leading: dict[str, float] = {}
    a = Candidate("a", a_storage, log, leading)
    b = Candidate("b", b_storage, log, leading)
    await a.leadership.start()
    await until(lambda: a.leadership.is_leader, 5)
    await b.leadership.start()
    return a, b, log, leading


async def test_one_leader_then_a_takeover_within_seconds(storages: tuple[Storage, Storage, Storage]) -> None:
    a_storage, b_storage, admin = storages
    a, b, _log, leading = await a_leads_b_stands_by(a_storage, b_storage)
    try:
        await asyncio.sleep(5 * RETRY)
        assert (a.leadership.is_leader, b.leadership.is_leader) == (True, False)
        assert a.leadership.status() == {"clock": "leader", "process": "a"}
        assert b.leadership.status() == {"clock": "standby", "process": "b"}

        # A standby's commit wakes the leader's clock through NOTIFY.
        b.leadership.wake()
        await until(lambda: a.clocks[0].wakes == 1, 5)

        # The leader's session ends as at a crash (the server drops it): b leads within seconds, and a, which
        # can no longer know it is alone, stops its clock.
        async with admin.engine.connect() as conn:
            ended = await conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'a'")
            )
            assert ended.scalars().all() == [True]
        took = await until(lambda: b.leadership.is_leader, 10)
        assert took < 3
        await until(lambda: a.clocks[0].stopped, 5)
        # a learns at once that the server ended its session: at most a moment of overlap with b.
        assert leading["a stands by"] - leading["b leads"] < 0.1, leading
        # a campaigns again and stays standby while b leads.
        await asyncio.sleep(5 * RETRY)
        assert (a.leadership.is_leader, b.leadership.is_leader) == (False, True)
    finally:
        # The standby first: stopped the other way round, it would take over (rightly) before its own stop.
        await a.leadership.stop()
        await b.leadership.stop()
    assert b.clocks[0].stopped and a.clocks[0].stopped and len(a.clocks) == 1


async def test_a_stopping_leader_hands_over(storages: tuple[Storage, Storage, Storage]) -> None:
    a_storage, b_storage, _admin = storages
    a, b, log, _leading = await a_leads_b_stands_by(a_storage, b_storage)
    try:
        await a.leadership.stop()
        assert log == ["a start", "a stop"]
        await until(lambda: b.leadership.is_leader, 3)
    finally:
        await b.leadership.stop()
    assert log == ["a start", "a stop", "b start", "b stop"]


async def test_on_sqlite_the_clock_just_runs(tmp_path: Path) -> None:
    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'one.sqlite3'}")
    log: list[str] = []
    candidate = Candidate("solo", storage, log, {})
    try:
        await candidate.leadership.start()
        assert candidate.leadership.is_leader and log == ["solo start"]
        candidate.leadership.wake()
        assert candidate.clocks[0].wakes == 1
        await candidate.leadership.stop()
        assert log == ["solo start", "solo stop"]
    finally:
        await storage.close()
