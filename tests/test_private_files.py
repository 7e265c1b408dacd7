"""The data folder, the database and its journal files are private to the bot's own user."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_app
from tests.conftest import make_settings
from tests.helpers import ChatDriver


@pytest.fixture
def usual_umask() -> Iterator[None]:
    # With the common umask 022 a file made without care is readable by everyone: the test must see that.
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_data_folder_is_0700_and_database_files_0600(tmp_path: Path, usual_umask: None) -> None:
    settings = make_settings(tmp_path, secret_key="")
    app = await build_app(settings)
    try:
        await ChatDriver(app, "alice").send("/start")
        data_dir = settings.data_dir
        assert _mode(data_dir) == 0o700
        files = {path.name: _mode(path) for path in data_dir.iterdir() if path.is_file()}
        assert files == {
            "secret.key": 0o600,
            "wego.sqlite3": 0o600,
            "wego.sqlite3-wal": 0o600,
            "wego.sqlite3-shm": 0o600,
        }
    finally:
        await app.close()


async def test_an_existing_database_is_opened_as_it_is(tmp_path: Path, usual_umask: None) -> None:
    settings = make_settings(tmp_path)
    app = await build_app(settings)
    await ChatDriver(app, "alice").send("/start")
    await app.close()
    database = settings.data_dir / "wego.sqlite3"
    # An operator may have chosen a group for backups: the bot does not change an existing file's mode.
    database.chmod(0o640)
    app = await build_app(settings)
    try:
        await ChatDriver(app, "alice").send("/help")
        assert _mode(database) == 0o640
    finally:
        await app.close()
