"""The production path: the same migrations and conversation on PostgreSQL (skipped where none is reachable,
a failure in CI where WEGO_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

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
