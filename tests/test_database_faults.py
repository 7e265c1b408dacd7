from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.i18n import _, use_locale
from bot.settings import Settings
from tests.conftest import make_settings
from tests.helpers import ChatDriver


async def _app(settings: Settings) -> App:
    return await build_app(settings)


@pytest.fixture
async def seeded_db(tmp_path: Path) -> AsyncIterator[Path]:
    """A database where alice exists and chose German; the app is closed again."""
    settings = make_settings(tmp_path)
    app = await _app(settings)
    await ChatDriver(app, "alice").send("/language de")
    await app.close()
    yield settings.data_dir / "wego.sqlite3"


READ_ONLY = (
    "I can't save anything right now (the database is read-only), so nothing was changed. The team has been told."
)


async def test_read_only_database_is_reported_in_the_users_language_and_nothing_changes(
    tmp_path: Path, seeded_db: Path
) -> None:
    url = f"sqlite+aiosqlite:///file:{seeded_db}?mode=ro&uri=true"
    app = await _app(make_settings(tmp_path, database_url=url))
    try:
        alice = ChatDriver(app, "alice")
        await alice.send("/language en")
        with use_locale("de"):
            assert alice.text == _(READ_ONLY)
        # A newcomer cannot be stored either, and is told so instead of seeing a traceback.
        newcomer = ChatDriver(app, "newcomer")
        await newcomer.send("/start")
        assert newcomer.text == READ_ONLY
    finally:
        await app.close()
    with sqlite3.connect(seeded_db) as conn:
        assert conn.execute("select locale from users").fetchall() == [("de",)]
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)


async def test_locked_database_is_retried_then_refused_and_the_chat_goes_on(tmp_path: Path, seeded_db: Path) -> None:
    app = await _app(make_settings(tmp_path, database_busy_timeout=0.05))
    blocker = sqlite3.connect(seeded_db, isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        alice = ChatDriver(app, "alice")
        await alice.send("/language fr")
        assert alice.text == ("The assistant is busy right now and nothing was changed. Please try again in a moment.")
        blocker.execute("ROLLBACK")
        await alice.send("/language fr")
        assert alice.last[0].lang == "fr"
    finally:
        blocker.close()
        await app.close()
    with sqlite3.connect(seeded_db) as conn:
        assert conn.execute("select locale from users").fetchall() == [("fr",)]
