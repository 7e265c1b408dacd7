"""What one chat event costs the database, and that the one statement that finds the person answers as before.

The statements of a plain command are pinned (an extra round trip per event shows here first), on SQLite and on
PostgreSQL; the last-seen write they skip within a minute never changes which account a person's messages go to.
The person's venue zone, read in that statement, is checked against `venue_zones` (the query the broadcasts use) on
rows where the order matters: same registration time, a cancelled sign-up, a cancelled workshop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from bot.app import App, build_app
from bot.domain.workshops import RegistrationStatus, WorkshopStatus
from bot.services import users
from scheduler.delivery import DeliveryWorker
from storage.models import Account, Base, Delivery, Registration, User, Workshop
from storage.uow import Storage
from storage.users import LAST_SEEN_PRECISION, venue_zones
from tests.conftest import FrozenClock, fresh_postgres_database, make_settings
from tests.fakes import FakeMessenger
from tests.helpers import ChatDriver
from tests.services.conftest import NOW


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'events.sqlite3'}"
        return
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
async def app(database_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[App]:
    application = await build_app(make_settings(tmp_path, database_url=database_url))
    application.dispatcher.clock = clock
    try:
        yield application
    finally:
        await application.close()


def _kind(statement: str) -> str:
    """A statement in short: its verb and the table of its first column (SELECT) or the table it writes."""
    words = statement.split()
    if words[0] == "BEGIN":
        return " ".join(words)
    table = words[1].split(".")[0] if words[0] == "SELECT" else words[1 if words[0] == "UPDATE" else 2]
    return f"{words[0]} {table}"


async def _statements_of(app: App, person: ChatDriver, text: str) -> list[str]:
    assert app.storage is not None
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    engine = app.storage.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", seen)
    try:
        await person.send(text)
    finally:
        sa_event.remove(engine, "before_cursor_execute", seen)
    return [_kind(s) for s in statements]


async def test_a_plain_command_of_a_known_person_costs_one_read_and_the_last_seen_write_once_a_minute(
    app: App, clock: FrozenClock
) -> None:
    assert app.storage is not None
    anna = ChatDriver(app, "anna", platform="telegram")
    await anna.send("/help")
    # Neither database sends a BEGIN of its own: PostgreSQL's is the driver's, SQLite's rides with the first
    # statement (storage/sqlite_driver.py).
    clock.advance(seconds=5)
    # Who is talking (account, user, venue zone and the order of their accounts in one SELECT); their last-seen
    # time, written a moment ago, already puts this account first: nothing to write.
    assert await _statements_of(app, anna, "/help") == ["SELECT accounts"]
    assert anna.text.startswith("What I can do\n/start")
    clock.advance(seconds=(LAST_SEEN_PRECISION - timedelta(seconds=5)).total_seconds())
    # A minute after it was written, the last-seen time is written again.
    assert await _statements_of(app, anna, "/help") == ["SELECT accounts", "UPDATE accounts"]
    clock.advance(seconds=1)
    assert await _statements_of(app, anna, "/help") == ["SELECT accounts"]
    async with app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(select(Account).where(Account.platform_user_id == "anna"))
        assert account is not None
        assert account.last_seen_at == clock.now - timedelta(seconds=1)


async def test_messages_go_to_the_account_last_used_even_seconds_apart(app: App, clock: FrozenClock) -> None:
    """The last-seen write skipped within the minute never changes where a person's messages go: to the account
    they used last, however quickly they switch between their linked accounts."""
    assert app.storage is not None
    on_telegram = ChatDriver(app, "anna-t", platform="telegram")
    on_discord = ChatDriver(app, "anna-d", platform="discord")
    await on_telegram.send("/help")
    await on_discord.send("/help")
    async with app.storage.unit_of_work() as uow:
        telegram = await uow.session.scalar(select(Account).where(Account.platform_user_id == "anna-t"))
        discord = await uow.session.scalar(select(Account).where(Account.platform_user_id == "anna-d"))
        assert telegram is not None and discord is not None
        # Linked: one person with both accounts, both seen at the same moment (the higher id comes first).
        alone = discord.user_id
        discord.user_id = telegram.user_id
        await uow.session.flush()
        await uow.session.delete(await uow.session.get_one(User, alone))
        user_id = telegram.user_id
        await uow.commit()
    messengers = {"telegram": FakeMessenger(platform="telegram"), "discord": FakeMessenger(platform="discord")}
    storage = app.storage
    worker = DeliveryWorker(
        storage,
        messengers,
        make_settings(app.settings.data_dir.parent, per_chat_interval_seconds=0.0),
        clock=clock,
        monotonic=lambda: clock.now.timestamp(),
    )

    async def receiving() -> str:
        async with storage.unit_of_work() as uow:
            uow.session.add(Delivery(user_id=user_id, kind="notice", text="hi", not_before=clock.now))
            await uow.commit()
        for messenger in messengers.values():
            messenger.sent.clear()
        await worker.run_until_idle()
        (platform,) = [name for name, messenger in messengers.items() if messenger.sent]
        return platform

    assert await receiving() == "discord"
    for used, then in [
        (on_telegram, "telegram"),
        (on_telegram, "telegram"),
        (on_discord, "discord"),
        (on_telegram, "telegram"),
        (on_discord, "discord"),
        (on_discord, "discord"),
        (on_telegram, "telegram"),
    ]:
        clock.advance(seconds=2)
        await used.send("/help")
        assert await receiving() == then


async def test_the_venue_zone_read_with_the_person_is_the_one_venue_zones_gives(database_url: str) -> None:
    storage = Storage(database_url)
    async with storage.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)

    async def met() -> users.Person:
        async with storage.unit_of_work() as uow:
            return await users.meet(
                uow,
                platform="telegram",
                platform_user_id="42",
                private_address="chat-42",
                display_name="Anna",
                locale_hint=None,
                private=True,
                now=NOW,
                default_language="en",
            )

    async def expected(user_id: int) -> str | None:
        async with storage.unit_of_work() as uow:
            return (await venue_zones(uow.session, [user_id])).get(user_id)

    try:
        first = await met()
        assert first.venue_zone is None
        async with storage.unit_of_work() as uow:
            zones = ["Europe/Rome", "Asia/Seoul", "America/Bogota", "Africa/Nairobi", "Asia/Tokyo"]
            workshops = [
                Workshop(city=zone, title=zone, timezone=zone, capacity=10, checkin_code="x") for zone in zones
            ]
            uow.session.add_all(workshops)
            await uow.session.flush()
            rome, seoul, bogota, nairobi, tokyo = workshops
            someone_else = User(display_name="Ben", created_at=NOW)
            uow.session.add(someone_else)
            await uow.session.flush()

            def sign_up(workshop: Workshop, at: timedelta, status: str = RegistrationStatus.CONFIRMED) -> None:
                uow.session.add(
                    Registration(workshop_id=workshop.id, user_id=first.user_id, status=status, registered_at=NOW + at)
                )

            # Seoul and Rome at the same time: the later row (Rome, added second) is the latest.
            sign_up(seoul, timedelta(hours=1), RegistrationStatus.WAITLISTED)
            await uow.session.flush()
            sign_up(rome, timedelta(hours=1))
            await uow.session.flush()
            sign_up(bogota, timedelta(hours=0))
            # Later, but a cancelled sign-up and a cancelled workshop say nothing about where they will be.
            sign_up(nairobi, timedelta(hours=2), RegistrationStatus.CANCELLED)
            sign_up(tokyo, timedelta(hours=3))
            tokyo.status = WorkshopStatus.CANCELLED
            # Someone else's newer sign-up is theirs.
            uow.session.add(
                Registration(
                    workshop_id=nairobi.id,
                    user_id=someone_else.id,
                    status=RegistrationStatus.CONFIRMED,
                    registered_at=NOW + timedelta(hours=5),
                )
            )
            await uow.commit()
        person = await met()
        assert person.venue_zone == await expected(first.user_id) == "Europe/Rome"
        async with storage.unit_of_work() as uow:
            (await uow.session.get_one(User, first.user_id)).timezone = "Asia/Seoul"
            await uow.commit()
        person = await met()
        # Their own zone is what counts: no venue is looked for.
        assert (person.timezone, person.venue_zone) == ("Asia/Seoul", None)
    finally:
        await storage.close()
