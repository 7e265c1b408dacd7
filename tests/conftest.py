"""Shared fixtures: a real app on a real SQLite file in a temp dir, migrated by Alembic."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import App, build_app
from bot.content import load_content
from bot.faq.index import FaqIndex
from bot.places.gazetteer import Gazetteer, workshop_cities
from bot.settings import PROJECT_ROOT, Settings
from tests.helpers import ChatDriver

if TYPE_CHECKING:
    from storage.uow import Storage

# Never let a developer's own .env or environment leak into tests.
for _name in list(os.environ):
    if _name.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_URL", "STAFF_", "SECRET_KEY")):
        del os.environ[_name]

POSTGRES_URL = os.environ.get("WEGO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def index() -> FaqIndex:
    """The FAQ's index over content's entries, built once for the run: nothing changes it."""
    return FaqIndex(load_content(PROJECT_ROOT / "content").faq.entries)


@pytest.fixture(scope="session")
def places() -> Gazetteer:
    """Place names (the workshop cities, territories, other cities), built once for the run."""
    return Gazetteer(workshop_cities(load_content(PROJECT_ROOT / "content").workshops.workshops))


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "content_dir": PROJECT_ROOT / "content",
        "staff_console_users": ["staffer"],
        "secret_key": "test-secret-key-of-at-least-32-bytes",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


class FrozenClock:
    """A clock tests can move: `clock.now = ...` or `clock.advance(hours=2)`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock) -> AsyncIterator[App]:
    application = await build_app(settings)
    application.dispatcher.clock = clock
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
def chat(app: App) -> Callable[..., ChatDriver]:
    """`chat("alice")` → a driver for that person; `chat("staffer")` is staff."""

    def make(user_id: str = "alice", **kwargs: object) -> ChatDriver:
        return ChatDriver(app, user_id=user_id, **kwargs)  # type: ignore[arg-type]

    return make


def postgres_required() -> bool:
    return os.environ.get("WEGO_REQUIRE_POSTGRES") == "1"


async def postgres_reachable() -> bool:
    import asyncpg  # type: ignore[import-untyped]

    try:
        conn = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


@contextlib.asynccontextmanager
async def schema_storage(url: str, *, busy_timeout: float = 5.0) -> AsyncIterator[Storage]:
    """A storage on `url` with every table made, closed at the end of the block (no migrations, no app)."""
    from storage.models import Base
    from storage.uow import Storage

    store = Storage(url, busy_timeout=busy_timeout)
    try:
        async with store.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        yield store
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database of its own, dropped afterwards; a skip where no server is reachable (a failure
    when WEGO_REQUIRE_POSTGRES=1, as in CI)."""
    if not await postgres_reachable():
        message = f"PostgreSQL not reachable at {POSTGRES_URL}"
        if postgres_required():
            pytest.fail(message)
        pytest.skip(message)
    import uuid

    import asyncpg

    name = f"wego_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _sep, _db = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database of its own for one test (see `fresh_postgres_database`)."""
    async with fresh_postgres_database() as url:
        yield url
