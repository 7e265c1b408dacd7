"""A read-only or full disk: /health says so, and people are asked to try later instead of "something went wrong"."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event

from bot.app import App, build_app
from bot.core.dispatcher import _db_problem
from bot.i18n import _, use_locale
from bot.web import build_web_app
from tests.conftest import make_settings
from tests.helpers import ChatDriver

FULL = (
    "I can't save anything right now (the server's disk is full), so nothing was changed. "
    "The team has been told; please try again later."
)


async def _health(app: App) -> tuple[int, dict[str, str]]:
    async with TestClient(TestServer(build_web_app(app))) as client:
        response = await client.get("/health")
        return response.status, await response.json()


@pytest.fixture
async def full_app(tmp_path: Path) -> AsyncIterator[App]:
    """A real SQLite file that may not grow by a single page: SQLite's own "database or disk is full"."""
    app = await build_app(make_settings(tmp_path))
    await ChatDriver(app, "alice").send("/start")
    assert app.storage is not None
    database = app.settings.data_dir / "wego.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(app.storage.engine.sync_engine, "connect")
    def _no_growth(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    await app.storage.engine.dispose()
    try:
        yield app
    finally:
        await app.close()


async def _users(app: App) -> int:
    with sqlite3.connect(app.settings.data_dir / "wego.sqlite3") as conn:
        return int(conn.execute("select count(*) from users").fetchone()[0])


async def test_a_full_database_asks_people_to_try_later_and_keeps_nothing(full_app: App) -> None:
    welcomed = 0
    for number in range(300):
        newcomer = ChatDriver(full_app, f"newcomer{number:03d}")
        await newcomer.send("/start")
        if newcomer.text == FULL:
            break
        assert "something went wrong" not in newcomer.text
        welcomed += 1
    else:
        raise AssertionError("300 newcomers fitted in a database that may not grow")
    # Alice plus everyone welcomed: the newcomer who was told "full" was not half-stored.
    assert await _users(full_app) == 1 + welcomed
    # In the person's own language.
    alice = ChatDriver(full_app, "alice", locale_hint="it")
    await alice.send("/language it")
    with use_locale("it"):
        assert (await ChatDriver(full_app, "late", locale_hint="it").send("/start"))[0].text == _(FULL)
    assert await _health(full_app) == (503, {"status": "error", "database": "full"})


async def test_health_reports_a_read_only_database(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    app = await build_app(settings)
    await app.close()
    database = settings.data_dir / "wego.sqlite3"
    read_only = await build_app(
        make_settings(tmp_path, database_url=f"sqlite+aiosqlite:///file:{database}?mode=ro&uri=true")
    )
    try:
        assert await _health(read_only) == (503, {"status": "error", "database": "read-only"})
    finally:
        await read_only.close()
    writable = await build_app(settings)
    try:
        assert await _health(writable) == (200, {"status": "ok", "database": "ok"})
        # Nothing of the probe is left behind.
        with sqlite3.connect(database) as conn:
            assert conn.execute("select count(*) from sqlite_master where name like 'wego_%'").fetchone() == (0,)
    finally:
        await writable.close()


async def test_health_reports_a_disk_with_no_space_and_a_read_only_file_system(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.statvfs

    class Disk:
        def __init__(self, path: str, *, free_blocks: int, flag: int = 0) -> None:
            self.f_frsize = real(path).f_frsize
            self.f_bavail = free_blocks
            self.f_flag = flag

    monkeypatch.setattr(os, "statvfs", lambda path: Disk(path, free_blocks=1))
    assert await _health(app) == (503, {"status": "error", "database": "full"})
    monkeypatch.setattr(os, "statvfs", lambda path: Disk(path, free_blocks=10**6, flag=os.ST_RDONLY))
    assert await _health(app) == (503, {"status": "error", "database": "read-only"})


async def test_no_space_left_on_device_is_told_as_a_full_disk(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.users import UserRepository

    async def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(UserRepository, "get_or_create", no_space)
    alice = ChatDriver(app, "alice")
    await alice.send("/start")
    assert alice.text == FULL


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (sqlite3.OperationalError("database or disk is full"), "full"),
        (OSError(errno.ENOSPC, "No space left on device"), "full"),
        (OSError(errno.EROFS, "Read-only file system"), "readonly"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "readonly"),
        (sqlite3.OperationalError("database is locked"), "locked"),
        (ConnectionError("sorry, too many clients already"), "busy"),
        (ValueError("invalid literal for int()"), None),
    ],
)
def test_db_problem(error: BaseException, problem: str | None) -> None:
    assert _db_problem(error) == problem
