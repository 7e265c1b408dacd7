"""The outbox worker against a fake Messenger: every outcome handled, limits honoured, nothing lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.core.ports import SendOutcome
from scheduler.delivery import DeliveryWorker
from storage.models import Account, Delivery, User
from tests.conftest import FrozenClock, make_settings
from tests.fakes import FakeMessenger


async def add_user(
    app: App, name: str, *, platform: str = "telegram", chat: str | None = None, seen: datetime | None = None
) -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        user = User(display_name=name)
        uow.session.add(user)
        await uow.session.flush()
        account = Account(user_id=user.id, platform=platform, platform_user_id=name, chat_id=chat or name)
        if seen is not None:
            account.last_seen_at = seen
        uow.session.add(account)
        return user.id


async def add_delivery(app: App, user_id: int, clock: FrozenClock, text: str = "hello") -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = Delivery(user_id=user_id, kind="notice", text=text, not_before=clock.now, created_at=clock.now)
        uow.session.add(row)
        await uow.session.flush()
        return row.id


async def row(app: App, delivery_id: int) -> Delivery:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return await uow.session.get_one(Delivery, delivery_id)


def worker(app: App, clock: FrozenClock, messenger: FakeMessenger, **settings: object) -> DeliveryWorker:
    values: dict[str, object] = {"per_chat_interval_seconds": 0.0, "telegram_rate_limit": 1000.0}
    values.update(settings)
    config = make_settings(app.settings.data_dir.parent, **values)
    assert app.storage is not None
    return DeliveryWorker(
        app.storage, {"telegram": messenger}, config, clock=clock, monotonic=lambda: clock.now.timestamp()
    )


async def test_sent_row_is_marked_with_the_account_used(app: App, clock: FrozenClock) -> None:
    uid = await add_user(app, "ann")
    did = await add_delivery(app, uid, clock, "hi <b>ann</b>")
    messenger = FakeMessenger()
    await worker(app, clock, messenger).run_until_idle()
    assert messenger.sent == [("ann", "hi <b>ann</b>")]
    stored = await row(app, did)
    assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 1, clock.now)
    assert stored.account_id is not None


async def test_retry_after_is_waited_out_and_not_counted_as_a_failure(app: App, clock: FrozenClock) -> None:
    uid = await add_user(app, "bob")
    did = await add_delivery(app, uid, clock)
    messenger = FakeMessenger(script={"bob": [SendOutcome("retry", retry_after=7, error="429")]})
    w = worker(app, clock, messenger)
    await w.run_until_idle()
    stored = await row(app, did)
    assert (stored.status, stored.attempts, stored.not_before) == ("pending", 0, clock.now + timedelta(seconds=7))
    clock.advance(seconds=6)
    await w.run_until_idle()
    assert messenger.calls == ["bob"], "sent again before retry_after elapsed"
    clock.advance(seconds=1)
    await w.run_until_idle()
    assert messenger.calls == ["bob", "bob"]
    assert (await row(app, did)).status == "sent"


async def test_unreachable_is_never_retried_and_marks_the_account(app: App, clock: FrozenClock) -> None:
    uid = await add_user(app, "cat")
    first = await add_delivery(app, uid, clock)
    messenger = FakeMessenger(script={"cat": [SendOutcome("unreachable", error="Forbidden: bot was blocked")]})
    w = worker(app, clock, messenger)
    await w.run_until_idle()
    second = await add_delivery(app, uid, clock)
    clock.advance(hours=1)
    await w.sweep_unreachable()
    await w.run_until_idle()
    assert messenger.calls == ["cat"]
    assert (await row(app, first)).status == "unreachable"
    assert (await row(app, first)).last_error == "Forbidden: bot was blocked"
    assert (await row(app, second)).status == "unreachable"
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert await uow.session.scalar(select(Account.reachable).where(Account.user_id == uid)) is False


async def test_server_errors_back_off_then_fail_with_the_last_error(app: App, clock: FrozenClock) -> None:
    uid = await add_user(app, "dan")
    did = await add_delivery(app, uid, clock)
    errors = [SendOutcome("retry", error=f"500 Internal Server Error #{n}") for n in range(1, 4)]
    messenger = FakeMessenger(script={"dan": errors})
    w = worker(app, clock, messenger, delivery_max_attempts=3, delivery_backoff_seconds=10)
    await w.run_until_idle()
    stored = await row(app, did)
    assert (stored.status, stored.attempts, stored.not_before) == ("pending", 1, clock.now + timedelta(seconds=10))
    clock.advance(seconds=10)
    await w.run_until_idle()
    stored = await row(app, did)
    assert (stored.status, stored.attempts, stored.not_before) == ("pending", 2, clock.now + timedelta(seconds=20))
    clock.advance(seconds=20)
    await w.run_until_idle()
    stored = await row(app, did)
    assert (stored.status, stored.attempts, stored.last_error) == ("failed", 3, "500 Internal Server Error #3")
    assert len(messenger.calls) == 3


async def test_rows_for_platforms_without_a_messenger_stay_pending(app: App, clock: FrozenClock) -> None:
    uid = await add_user(app, "eve", platform="console")
    did = await add_delivery(app, uid, clock)
    messenger = FakeMessenger()
    await worker(app, clock, messenger).run_until_idle()
    assert messenger.calls == []
    assert (await row(app, did)).status == "pending"


async def test_a_row_left_sending_past_its_lease_is_sent_again(app: App, clock: FrozenClock) -> None:
    uid = await add_user(app, "fay")
    did = await add_delivery(app, uid, clock)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        stuck = await uow.session.get_one(Delivery, did)
        stuck.status, stuck.claim_token, stuck.claimed_at = "sending", "dead", clock.now
    messenger = FakeMessenger()
    w = worker(app, clock, messenger, delivery_lease_seconds=60)
    clock.advance(seconds=30)
    assert await w.recover() == 0
    clock.advance(seconds=31)
    assert await w.recover() == 1
    await w.run_until_idle()
    assert messenger.sent == [("fay", "hello")]


async def test_the_most_recently_seen_reachable_account_is_used(app: App, clock: FrozenClock) -> None:
    uid = await add_user(app, "gus", chat="old-chat", seen=clock.now)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        uow.session.add(
            Account(
                user_id=uid,
                platform="telegram",
                platform_user_id="gus2",
                chat_id="new-chat",
                last_seen_at=clock.now + timedelta(days=1),
            )
        )
    await add_delivery(app, uid, clock)
    messenger = FakeMessenger()
    await worker(app, clock, messenger).run_until_idle()
    assert messenger.calls == ["new-chat"]
