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
