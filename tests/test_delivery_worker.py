"""The outbox worker against a fake Messenger: every outcome handled, limits honoured, nothing lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App, build_app
from bot.core.ports import SendOutcome
from bot.core.replies import Reply
from bot.services import deliveries
from bot.services.deliveries import Outcome
from scheduler.delivery import DeliveryWorker
from scheduler.limits import Pacer
from storage.models import Account, Delivery, User
from storage.outbox import Claimed
from storage.uow import Storage, UnitOfWork
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
        result = user.id
        await uow.commit()
        return result


async def add_delivery(app: App, user_id: int, clock: FrozenClock, text: str = "hello") -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = Delivery(user_id=user_id, kind="notice", text=text, not_before=clock.now, created_at=clock.now)
        uow.session.add(row)
        await uow.session.flush()
        result = row.id
        await uow.commit()
        return result


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


async def test_a_retry_is_sent_ahead_of_queued_rows_once_due(app: App, clock: FrozenClock) -> None:
    """The retry goes out inside the stream, the moment it is due, not behind the rows claimed before it."""
    users = [await add_user(app, f"q{n}") for n in range(8)]
    for uid in users:
        await add_delivery(app, uid, clock)
    started = clock.now

    def answer(chat: str, _reply: Reply) -> SendOutcome:
        # Each send takes 0.3 s; q0's first is told to wait a second, counted from its answer (at 0.3 s).
        clock.advance(seconds=0.3)
        if chat == "q0" and messenger.calls.count("q0") == 1:
            return SendOutcome("retry", retry_after=1, error="429")
        return SendOutcome("sent")

    messenger = FakeMessenger(decide=answer)
    w = worker(app, clock, messenger, delivery_concurrency=1)
    await w.run_until_idle()
    # q0's retry falls due at 1.3 s; q5 went at 1.2 s, so the next send (at 1.5 s) is the retry, while q5, q6, q7
    # were already claimed and queued.
    assert messenger.calls == ["q0", "q1", "q2", "q3", "q4", "q0", "q5", "q6", "q7"]
    assert clock.now == started + timedelta(seconds=2.7)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert Counter(await uow.session.scalars(select(Delivery.status))) == {"sent": 8}


async def test_a_retry_taken_by_a_batch_claim_also_goes_in_front(app: App, clock: FrozenClock) -> None:
    """A retry may be claimed by the next batch rather than on its own (another retry was claimed just before): it
    still goes ahead of the rows already queued; the rest of the batch goes behind them."""
    users = [await add_user(app, f"b{n}") for n in range(4)]
    ids = [await add_delivery(app, uid, clock) for uid in users]
    w = worker(app, clock, FakeMessenger())
    first, second = await w.claim(2), await w.claim(2)
    w._enqueue(first)
    w._retry_ids.add(ids[3])
    w._enqueue(second)
    assert [row.id for row in w._queues["telegram"]] == [ids[3], ids[0], ids[1], ids[2]]
    assert w._retry_ids == set()
    await w.stop()


async def test_a_retry_waits_from_the_answer_and_is_reported_with_its_time(app: App, clock: FrozenClock) -> None:
    """The wait a 429 or a server error asks for counts from the answer, not from when the outcome is written (the
    outcomes of a batch are written together, up to MARK_EVERY later); `record` returns when each row falls due."""
    first, second, third = [await add_user(app, name) for name in ("ra", "rb", "rc")]
    ids = [await add_delivery(app, uid, clock) for uid in (first, second, third)]
    w = worker(app, clock, FakeMessenger(), delivery_backoff_seconds=4)
    rows = {row.id: row for row in await w.claim(3)}
    answered = clock.now
    clock.advance(seconds=0.2)
    outcomes = [
        Outcome(rows[ids[0]], "retry", "429", retry_after=3, answered_at=answered),
        Outcome(rows[ids[1]], "retry", "500", answered_at=answered),
        Outcome(rows[ids[2]], "sent", answered_at=answered),
    ]
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        again = await deliveries.record(uow, outcomes, clock.now, w.policy)
    assert sorted(again) == [(answered + timedelta(seconds=3), ids[0]), (answered + timedelta(seconds=4), ids[1])]
    assert (await row(app, ids[0])).not_before == answered + timedelta(seconds=3)
    assert (await row(app, ids[1])).not_before == answered + timedelta(seconds=4)
    assert (await row(app, ids[2])).status == "sent"


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
        await uow.commit()
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
        await uow.commit()
    await add_delivery(app, uid, clock)
    messenger = FakeMessenger()
    await worker(app, clock, messenger).run_until_idle()
    assert messenger.calls == ["new-chat"]


class VirtualTime:
    """A monotonic clock that only moves when the pacer sleeps on it (the only sleeper with no per-chat gap)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def most_in_any_window(stamps: list[float], period: float) -> int:
    """The largest number of stamps in any half-open window (t - period, t]."""
    ordered = sorted(stamps)
    best, start = 0, 0
    for end, stamp in enumerate(ordered):
        while ordered[start] + period <= stamp:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_sends_are_paced_evenly_and_no_second_holds_more_than_the_limit(app: App, clock: FrozenClock) -> None:
    users = [await add_user(app, f"p{n}") for n in range(100)]
    for uid in users:
        await add_delivery(app, uid, clock)
    time = VirtualTime()
    stamps: list[float] = []

    def answer(_chat: str, _reply: Reply) -> SendOutcome:
        stamps.append(time.now)
        return SendOutcome("sent")

    messenger = FakeMessenger(decide=answer)
    config = make_settings(app.settings.data_dir.parent, per_chat_interval_seconds=0.0, telegram_rate_limit=30.0)
    assert app.storage is not None
    w = DeliveryWorker(app.storage, {"telegram": messenger}, config, clock=clock, monotonic=time, sleep=time.sleep)
    await w.run_until_idle()

    assert sorted(messenger.calls) == sorted(f"p{n}" for n in range(100))
    # The limit is reached, never exceeded, in any sliding second.
    assert most_in_any_window(stamps, 1.0) == 30
    # Evenly: a fifth of a second holds about a fifth of the limit (a burst would put all 30 in it); the two extra
    # are the one send of slack a late timer may use and a window edge.
    assert most_in_any_window(stamps, 0.2) <= 8
    # And the pace is the limit: 100 sends at 30/s take 99/30 s, give or take one interval.
    assert 3.2 <= max(stamps) - min(stamps) <= 3.4


async def test_a_slow_answer_holds_back_the_send_a_second_after_it(app: App, clock: FrozenClock) -> None:
    """The cap counts from the platform's answer: a request that was slow to arrive cannot share a window with the
    request one limit later, whatever the delay between leaving and arriving."""
    time = VirtualTime()
    pacer = Pacer(2.0, clock=time, sleep=time.sleep)
    first = await pacer.acquire()
    second = await pacer.acquire()
    pacer.answered(second)
    time.now += 0.4  # the first request is answered late: it may have reached the platform only now
    pacer.answered(first)
    third = await pacer.acquire()
    assert third.left - first.left == pytest.approx(1.4)
    fourth = await pacer.acquire()
    # The next send is two places after `third`, which is still in flight: it may not leave, however long it waits.
    waiting = asyncio.create_task(pacer.acquire())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done()
    time.now += 0.3
    pacer.answered(third)
    fifth = await waiting
    assert fifth.left == pytest.approx(third.left + 0.3 + 1.0)
    pacer.answered(fourth)
    pacer.answered(fifth)


async def test_claims_take_a_batch_in_one_go_and_never_the_same_row_twice(app: App, clock: FrozenClock) -> None:
    users = [await add_user(app, f"c{n}") for n in range(12)]
    ids = [await add_delivery(app, uid, clock) for uid in users]
    assert app.storage is not None
    first, second = worker(app, clock, FakeMessenger()), worker(app, clock, FakeMessenger())
    a = await first.claim(5)
    b = await second.claim(100)
    assert [row.id for row in a] == ids[:5]
    assert [row.id for row in b] == ids[5:]
    assert len({row.token for row in a}) == 1
    async with app.storage.unit_of_work() as uow:
        statuses = Counter(await uow.session.scalars(select(Delivery.status)))
    assert statuses == {"sending": 12}
    # A clean stop gives never-sent rows back at once, without waiting for the lease.
    first._queues["telegram"].extend(a)
    await first.stop()
    async with app.storage.unit_of_work() as uow:
        pending = set(await uow.session.scalars(select(Delivery.id).where(Delivery.status == "pending")))
    assert pending == set(ids[:5])


async def claim_plan(app: App, claim: Callable[[], Awaitable[list[Claimed]]], claimed: int) -> list[str]:
    """SQLite's query plan of the claim that `claim` makes (which must claim `claimed` rows)."""
    assert app.storage is not None
    claims: list[tuple[str, object]] = []

    def keep(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        if "UPDATE deliveries SET status" in statement and "RETURNING" in statement:
            claims.append((statement, parameters))

    engine = app.storage.engine.sync_engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert len(await claim()) == claimed
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    [(statement, parameters)] = claims
    async with app.storage.engine.connect() as conn:
        return [row[-1] for row in await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]  # type: ignore[arg-type]


async def test_a_claim_on_sqlite_reads_the_pending_index_in_claim_order_and_sorts_nothing(
    app: App, clock: FrozenClock
) -> None:
    users = [await add_user(app, f"p{n}") for n in range(3)]
    for uid in users:
        await add_delivery(app, uid, clock)
    plan = await claim_plan(app, lambda: worker(app, clock, FakeMessenger()).claim(2), 2)
    # Without statistics SQLite would take (status, not_before) and sort every pending row by the claim's order.
    assert "SCAN deliveries USING INDEX ix_deliveries_pending_claim" in plan
    assert not [step for step in plan if "TEMP B-TREE" in step]


async def test_a_claim_of_known_ids_on_sqlite_reads_them_by_their_key(app: App, clock: FrozenClock) -> None:
    users = [await add_user(app, f"k{n}") for n in range(3)]
    ids = [await add_delivery(app, uid, clock) for uid in users]
    plan = await claim_plan(app, lambda: worker(app, clock, FakeMessenger()).claim(5, ids=[ids[1], 10_000]), 1)
    # Through an index, SQLite would walk every pending row looking for them (the id no longer pending above);
    # by their key it looks each one up, in the claim's CTE as in the update.
    assert [step for step in plan if step.startswith("SEARCH deliveries")] == [
        "SEARCH deliveries USING INTEGER PRIMARY KEY (rowid=?)",
        "SEARCH deliveries USING INTEGER PRIMARY KEY (rowid=?)",
    ]


async def test_outcomes_arriving_together_are_written_in_one_transaction(app: App, clock: FrozenClock) -> None:
    users = [await add_user(app, f"m{n}") for n in range(10)]
    for uid in users:
        await add_delivery(app, uid, clock)
    script = {"m3": [SendOutcome("unreachable", error="blocked")], "m4": [SendOutcome("retry", error="500")]}
    w = worker(app, clock, FakeMessenger(script=script), delivery_concurrency=10)
    applied: list[int] = []
    original = w._apply

    async def counting(session: AsyncSession, marks: Sequence[object]) -> list[tuple[datetime, int]]:
        applied.append(len(marks))
        return await original(session, marks)  # type: ignore[arg-type]

    w._apply = counting  # type: ignore[method-assign]
    await w.run_until_idle()
    assert applied == [10]
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = {r.user_id: (r.status, r.attempts) for r in await uow.session.scalars(select(Delivery))}
    assert Counter(rows.values()) == {("sent", 1): 8, ("unreachable", 1): 1, ("pending", 1): 1}


class CommitsFail(Storage):
    """The app's database, whose next `fail` commits are refused as SQLite refuses a writer it timed out."""

    def __init__(self, inner: Storage) -> None:
        self.url, self.engine, self.sessions = inner.url, inner.engine, inner.sessions
        self.fail = 0
        self.refused = 0

    def unit_of_work(self, *, short: bool = False) -> UnitOfWork:
        storage = self

        class Flaky(UnitOfWork):
            async def __aexit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
                if exc_type is None and storage.fail:
                    storage.fail -= 1
                    storage.refused += 1
                    await super().__aexit__(OperationalError, None, None)  # rolled back
                    raise OperationalError("COMMIT", {}, Exception("database is locked"))
                await super().__aexit__(exc_type, *rest)  # type: ignore[arg-type]

        return Flaky(self.sessions, short=short)


async def test_an_outcome_whose_commit_fails_is_committed_again_not_lost(app: App, clock: FrozenClock) -> None:
    assert app.storage is not None
    uid = await add_user(app, "ann")
    did = await add_delivery(app, uid, clock)
    storage = CommitsFail(app.storage)

    def sent_then_locked(chat_id: str, reply: Reply) -> SendOutcome:
        storage.fail = 1  # the claim went through; the commit of this outcome is the one refused
        return SendOutcome("sent")

    messenger = FakeMessenger(decide=sent_then_locked)
    config = make_settings(app.settings.data_dir.parent, per_chat_interval_seconds=0.0, telegram_rate_limit=1000.0)
    w = DeliveryWorker(storage, {"telegram": messenger}, config, clock=clock, monotonic=lambda: clock.now.timestamp())
    await w.run_until_idle()
    assert storage.refused == 1 and messenger.sent == [("ann", "hello")]
    stored = await row(app, did)
    assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 1, clock.now)
    assert not w._held and w._busy["telegram"] == 0


async def test_postgres_workers_skip_locked_rows_and_share_a_broadcast_without_overlap(
    tmp_path: Path, postgres_url: str, clock: FrozenClock
) -> None:
    app = await build_app(make_settings(tmp_path, database_url=postgres_url))
    other = Storage(postgres_url)
    try:
        users = [await add_user(app, f"g{n}") for n in range(40)]
        ids = [await add_delivery(app, uid, clock) for uid in users]
        assert app.storage is not None
        first, second = FakeMessenger(), FakeMessenger()
        config = make_settings(tmp_path, per_chat_interval_seconds=0.0, telegram_rate_limit=1000.0)
        time = VirtualTime()  # the pacers space sends 1 ms apart: let them wait without real time passing
        one, two = (
            DeliveryWorker(storage, {"telegram": m}, config, clock=clock, monotonic=time, sleep=time.sleep)
            for storage, m in ((app.storage, first), (other, second))
        )
        # Another worker is mid-claim on the first five rows: a claim skips them instead of waiting for its commit.
        async with app.storage.unit_of_work() as uow:
            await uow.session.execute(select(Delivery.id).where(Delivery.id.in_(ids[:5])).with_for_update())
            claimed = await asyncio.wait_for(two.claim(10), timeout=5)
        assert [row.id for row in claimed] == ids[5:15]
        two._queues["telegram"].extend(claimed)
        await two.stop()

        await asyncio.gather(one.run_until_idle(), two.run_until_idle())
        assert sorted(first.calls + second.calls) == sorted(f"g{n}" for n in range(40))
        async with app.storage.unit_of_work() as uow:
            statuses = Counter(await uow.session.scalars(select(Delivery.status)))
        assert statuses == {"sent": 40}
    finally:
        await other.close()
        await app.close()
