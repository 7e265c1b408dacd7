"""The service tier: use cases on an in-memory SQLite unit of work, asserting typed outcomes and rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.content import Content, load_content
from bot.settings import PROJECT_ROOT
from storage.models import Account, User
from storage.uow import Storage, UnitOfWork
from tests.conftest import schema_storage

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def storage() -> AsyncIterator[Storage]:
    # One in-memory database per test; the async SQLite driver keeps one connection for it, so every unit of work
    # sees the same tables.
    async with schema_storage("sqlite+aiosqlite:///:memory:") as store:
        yield store


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(PROJECT_ROOT / "content")


async def add_person(
    uow: UnitOfWork,
    name: str,
    *,
    platform: str = "telegram",
    locale: str | None = "en",
    reachable: bool = True,
    chat_id: str | None = None,
) -> int:
    """A participant with one account, committed; returns the user id."""
    user = User(display_name=name, locale=locale, created_at=NOW)
    uow.session.add(user)
    await uow.session.flush()
    uow.session.add(
        Account(
            user_id=user.id,
            platform=platform,
            platform_user_id=f"{name}-id",
            chat_id=f"{name}-chat" if chat_id is None else chat_id,
            reachable=reachable,
            created_at=NOW,
            last_seen_at=NOW,
        )
    )
    await uow.commit()
    return user.id
