"""The production path: the same migrations and conversation on PostgreSQL (skipped where none is reachable,
a failure in CI where WEGO_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.app import build_app
from storage.migrate import current_revision, head_revision
from storage.models import Account, User
from tests.conftest import make_settings
from tests.helpers import ChatDriver


async def test_migrations_and_a_conversation_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    app = await build_app(make_settings(tmp_path, database_url=postgres_url))
    try:
        assert app.storage is not None
        assert await current_revision(app.storage.engine) == head_revision()
        alice = ChatDriver(app, "alice", platform="telegram", locale_hint="de-AT")
        await alice.send("/start")
        await alice.send("/language fr")
        await alice.send("/contact")
        assert "secretariat@we-gov.org" in alice.text
        async with app.storage.unit_of_work() as uow:
            user = await uow.session.scalar(select(User))
            account = await uow.session.scalar(select(Account))
        assert user is not None and account is not None
        assert (user.locale, account.platform, account.platform_user_id) == ("fr", "telegram", "alice")
        assert user.created_at.tzinfo is not None
    finally:
        await app.close()


async def test_two_certificate_requests_at_once_make_one_record(tmp_path: Path, postgres_url: str) -> None:
    import asyncio
    from datetime import UTC, datetime

    from storage.certificates import issue

    app = await build_app(make_settings(tmp_path, database_url=postgres_url))
    try:
        await ChatDriver(app, "ada").send("/start")
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            user_id = (await uow.session.scalars(select(User.id))).one()
        now, secret = datetime(2026, 3, 2, tzinfo=UTC), b"k" * 32
        # Two events of one person, the second arriving while the first has not committed yet.
        async with app.storage.sessions() as first, app.storage.sessions() as second:
            await first.begin()
            await second.begin()
            created = await issue(
                first, user_id=user_id, kind="course", workshop_id=None, name="Ada", now=now, secret=secret
            )
            racing = asyncio.create_task(
                issue(second, user_id=user_id, kind="course", workshop_id=None, name="Ada", now=now, secret=secret)
            )
            await asyncio.sleep(0.3)
            assert not racing.done()  # waits on the user's row lock instead of inserting a second record
            await first.commit()
            found = await racing
            await second.commit()
        assert (found.id, found.code) == (created.id, created.code)
    finally:
        await app.close()


async def _drop_every_connection_of(database_url: str) -> int:
    """What a server restart does to a process's pooled connections: every one of them ended."""
    import asyncpg  # type: ignore[import-untyped]

    from tests.conftest import POSTGRES_URL

    name = database_url.rpartition("/")[2]
    admin = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=5)
    try:
        ended = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await admin.close()
    return len(ended)


async def test_connections_dropped_by_a_restart_right_after_use_cost_the_person_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    """Pooled connections used moments ago are not pinged: the first event after a restart meets a dead one, and
    is answered all the same (the pool is recycled and the event tried again)."""
    app = await build_app(make_settings(tmp_path, database_url=postgres_url))
    try:
        alice = ChatDriver(app, "alice", platform="telegram")
        await alice.send("/start")
        assert await _drop_every_connection_of(postgres_url) >= 1
        await alice.send("/name Alice Liddell")
        assert "Alice Liddell" in alice.text
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            assert await uow.session.scalar(select(User.full_name)) == "Alice Liddell"
    finally:
        await app.close()


async def test_a_connection_idle_in_the_pool_is_pinged_before_use(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.db

    app = await build_app(make_settings(tmp_path, database_url=postgres_url))
    try:
        assert app.storage is not None
        dialect = app.storage.engine.dialect
        pings: list[object] = []
        ping = dialect.do_ping

        def counted(connection: Any) -> bool:
            pings.append(connection)
            return ping(connection)

        monkeypatch.setattr(dialect, "do_ping", counted)
        alice = ChatDriver(app, "alice", platform="telegram")
        await alice.send("/start")
        await alice.send("/help")
        # Just used: handed out as it is.
        assert pings == []
        monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 0.0)
        await alice.send("/help")
        assert len(pings) == 1
        # A dead idle connection is found by its ping and replaced before the event uses it: no failed attempt.
        assert await _drop_every_connection_of(postgres_url) >= 1
        failures: list[str] = []
        monkeypatch.setattr("bot.metrics.update_failed", lambda problem: failures.append(str(problem)))
        await alice.send("/help")
        assert alice.text.startswith("What I can do")
        assert failures == []
        assert len(pings) >= 2
    finally:
        await app.close()


async def test_overflow_connections_stay_open_through_a_peak_then_close(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    import storage.db
    from storage.db import ServerLimits
    from storage.uow import Storage

    monkeypatch.setattr(storage.db, "OVERFLOW_LINGER_SECONDS", 0.3)
    store = Storage(postgres_url, limits=ServerLimits(pool_size=2, max_overflow=3))
    opened: list[object] = []
    event.listen(store.engine.sync_engine, "connect", lambda connection, _record: opened.append(connection))
    pool = store.engine.sync_engine.pool
    try:

        async def peak(n: int) -> None:
            # n units of work holding a connection at once.
            barrier = asyncio.Barrier(n)

            async def one() -> None:
                async with store.engine.connect() as connection:
                    await connection.exec_driver_sql("SELECT 1")
                    await barrier.wait()

            await asyncio.gather(*(one() for _ in range(n)))

        await peak(5)
        assert len(opened) == 5
        # A peak again at once: the five are still open and handed out, none opened.
        await peak(5)
        assert len(opened) == 5
        assert pool.checkedin() == 5
        # Room for pool_size + max_overflow, and no more.
        assert pool.size() == 5
        # Idle for the linger time: closed down to pool_size.
        await asyncio.sleep(0.8)
        assert pool.checkedin() == 2
        assert pool.overflow() == -3
        await peak(3)
        assert len(opened) == 6
    finally:
        await store.close()
