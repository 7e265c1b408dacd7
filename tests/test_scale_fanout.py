"""Work that touches everyone: the fan-out in short chunks that resume after a crash, a clock tick whose failing
step does not stop the others, and a broadcast to more people than PostgreSQL takes bind parameters."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.app import App, build_app
from scheduler import jobs
from scheduler.clock import SchedulerHandle
from scheduler.delivery import DeliveryWorker
from storage import broadcasts as broadcast_store
from storage.models import Broadcast, Delivery
from tests.conftest import FrozenClock, make_settings
from tests.test_broadcasts import population


async def _schedule(app: App, clock: FrozenClock, audience: dict[str, object] | None = None) -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = Broadcast(
            texts={"en": "Hello", "it": "Ciao"},
            default_language="en",
            audience=audience or {"urgent": True},
            status="scheduled",
            scheduled_at=clock.now,
        )
        uow.session.add(row)
        await uow.session.flush()
        result = row.id
        await uow.commit()
        return result


async def _deliveries(app: App, broadcast_id: int) -> list[tuple[int, str]]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Delivery.user_id, Delivery.text)
            .where(Delivery.kind == "broadcast", Delivery.ref_id == broadcast_id)
            .order_by(Delivery.user_id)
        )
        return [(user_id, body) for user_id, body in rows]


async def test_the_fan_out_goes_in_chunks_and_queues_everyone_once_in_their_language(
    app: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await population(app)
    monkeypatch.setattr(broadcast_store, "FAN_OUT_CHUNK", 2)
    broadcast_id = await _schedule(app, clock)
    assert await jobs.fan_out_due(app.storage, app.content, app.settings, clock.now) == [broadcast_id]  # type: ignore[arg-type]
    hello = "📣 <b>Message from the program team</b>\n\nHello"
    ciao = "📣 <b>Messaggio dal team del programma</b>\n\nCiao"
    # No Arabic text was written: the header in Arabic, the default language's text below it.
    arabic = "📣 <b>رسالة من فريق البرنامج</b>\n\nHello"
    # Everyone reachable somewhere ("blocked" is not), over two full chunks and an empty last one.
    assert await _deliveries(app, broadcast_id) == sorted(
        [(ids["tg_it"], ciao), (ids["dc_en"], hello), (ids["both_ar"], arabic), (ids["console_none"], hello)]
    )
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.get_one(Broadcast, broadcast_id)
        assert (row.status, row.recipients, row.fanout_cursor) == ("sending", 4, ids["console_none"])
        assert row.fanned_out_at == clock.now
    assert await jobs.fan_out_due(app.storage, app.content, app.settings, clock.now) == []  # type: ignore[arg-type]
    assert len(await _deliveries(app, broadcast_id)) == 4


async def test_a_fan_out_cut_off_between_chunks_resumes_at_its_cursor_and_is_not_reported_done_early(
    app: App, clock: FrozenClock
) -> None:
    ids = await population(app)
    broadcast_id = await _schedule(app, clock)
    assert app.storage is not None
    render_calls: list[int] = []

    async def render(session: object, broadcast: Broadcast, users: list[object]) -> list[tuple[str, object]]:
        render_calls.append(len(users))
        return [("first chunk", clock.now) for _ in users]

    # A crash after the first chunk's commit: the claim and two rows are in, the rest is not.
    async with app.storage.unit_of_work() as uow:
        assert await broadcast_store.start_fan_out(uow.session, broadcast_id, clock.now)
        await uow.commit()
    async with app.storage.unit_of_work() as uow:
        queued = await broadcast_store.fan_out_chunk(
            uow.session,
            broadcast_id,
            clock.now,
            app.content,
            "en",
            render,
            2,  # type: ignore[arg-type]
        )
        await uow.commit()
    assert queued == 2 and render_calls == [2]
    # Those two rows sent: the broadcast is not "done" while the rest is still to be queued.
    async with app.storage.unit_of_work() as uow:
        await uow.session.execute(Delivery.__table__.update().values(status="sent"))
        await uow.commit()
    assert await jobs.finish_broadcasts(app.storage, app.settings, clock.now) == []
    assert await jobs.fan_out_due(app.storage, app.content, app.settings, clock.now) == [broadcast_id]
    assert [user_id for user_id, _text in await _deliveries(app, broadcast_id)] == sorted(
        [ids["tg_it"], ids["dc_en"], ids["both_ar"], ids["console_none"]]
    )
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.get_one(Broadcast, broadcast_id)
        assert (row.status, row.recipients) == ("sending", 4)


async def test_a_failing_step_of_the_clock_tick_does_not_stop_the_other_steps(
    app: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert app.storage is not None
    await population(app)
    # A broadcast whose every row is final: the tick's last steps report it done.
    async with app.storage.unit_of_work() as uow:
        finished = Broadcast(
            texts={"en": "hi"},
            default_language="en",
            status="sending",
            started_at=clock.now,
            fanned_out_at=clock.now,
            recipients=0,
        )
        uow.session.add(finished)
        await uow.session.flush()
        finished_id = finished.id
        await uow.commit()

    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("fan-out exploded")

    monkeypatch.setattr(jobs, "fan_out_due", broken)
    monkeypatch.setattr(jobs, "expire_offers", broken)
    with caplog.at_level(logging.ERROR, logger="scheduler.clock"):
        await SchedulerHandle(app, {}, clock).tick()
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.get_one(Broadcast, finished_id)
        assert (row.status, row.finished_at) == ("done", clock.now)
    failures = [r.getMessage() for r in caplog.records if r.name == "scheduler.clock"]
    assert failures == [
        "scheduler: broadcast fan-out failed; it runs again at its next turn, the other work goes on",
        "scheduler: seat offers failed; it runs again at its next turn, the other work goes on",
    ]


RECIPIENTS = 40_000


async def test_a_broadcast_to_40000_people_on_postgres_queues_each_once_and_claims_each_once(
    tmp_path: Path, postgres_url: str
) -> None:
    from datetime import UTC, datetime

    app = await build_app(make_settings(tmp_path, database_url=postgres_url))
    try:
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            # One statement each, not 40,000 objects: past asyncpg's 32,767 bind parameters.
            await uow.session.execute(
                text(
                    "INSERT INTO users (id, display_name, locale, created_at) "
                    "SELECT g, 'p' || g, CASE WHEN g % 2 = 0 THEN 'it' ELSE 'en' END, now() "
                    "FROM generate_series(1, :n) g"
                ),
                {"n": RECIPIENTS},
            )
            await uow.session.execute(
                text(
                    "INSERT INTO accounts (user_id, platform, platform_user_id, chat_id, reachable, "
                    "unreachable_notice_due, created_at, last_seen_at) "
                    "SELECT g, 'telegram', 'tg' || g, 'c' || g, true, false, now(), now() "
                    "FROM generate_series(1, :n) g"
                ),
                {"n": RECIPIENTS},
            )
            await uow.session.execute(text("SELECT setval('users_id_seq', :n)"), {"n": RECIPIENTS})
            await uow.commit()
        clock = FrozenClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
        broadcast_id = await _schedule(app, clock)
        # Two clocks at once (a second process, or a tick beside the broadcast's own job): each chunk goes once.
        first, second = await asyncio.gather(
            jobs.fan_out_due(app.storage, app.content, app.settings, clock.now),
            jobs.fan_out_due(app.storage, app.content, app.settings, clock.now),
        )
        assert sorted(first + second) in ([broadcast_id], [broadcast_id, broadcast_id])
        async with app.storage.unit_of_work() as uow:
            total, distinct, italian = (
                await uow.session.execute(
                    select(
                        func.count(),
                        func.count(func.distinct(Delivery.user_id)),
                        func.count().filter(Delivery.text.like("%Ciao")),
                    ).where(Delivery.kind == "broadcast", Delivery.ref_id == broadcast_id)
                )
            ).one()
            row = await uow.session.get_one(Broadcast, broadcast_id)
        assert (total, distinct, italian) == (RECIPIENTS, RECIPIENTS, RECIPIENTS // 2)
        assert (row.recipients, row.fanout_cursor, row.fanned_out_at) == (RECIPIENTS, RECIPIENTS, clock.now)

        # Two workers claiming at once take every row exactly once.
        workers = [
            DeliveryWorker(app.storage, {"telegram": object()}, app.settings, clock=clock)  # type: ignore[dict-item]
            for _ in range(2)
        ]
        claimed: Counter[int] = Counter()

        async def drain(worker: DeliveryWorker) -> None:
            while rows := await worker.claim(1000, "telegram"):
                claimed.update(r.id for r in rows)

        await asyncio.gather(*(drain(w) for w in workers))
        assert len(claimed) == RECIPIENTS and set(claimed.values()) == {1}
    finally:
        await app.close()


async def test_a_wake_up_that_arrives_during_a_claim_is_not_lost(
    app: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.ports import SendOutcome
    from scheduler import delivery
    from tests.fakes import FakeMessenger
    from tests.test_delivery_worker import add_delivery, add_user, worker

    # Without the wake-up the row would wait for the next poll: make that poll far away.
    monkeypatch.setattr(delivery, "IDLE_POLL", 60.0)
    user_id = await add_user(app, "ada")
    first_send = asyncio.Event()

    def decide(chat_id: str, reply: object) -> SendOutcome:
        first_send.set()
        return SendOutcome("sent")

    messenger = FakeMessenger(decide=decide)
    w = worker(app, clock, messenger)
    real_claim = w.claim
    committed: list[int] = []

    async def claim_then_commit(limit: int, platform: str | None = None) -> list[delivery.Claimed]:
        rows = await real_claim(limit, platform)
        if not committed:
            # A broadcast commits and wakes the worker while this (empty) claim is still on its way back.
            committed.append(await add_delivery(app, user_id, clock, "right away"))
            w.wake()
        return rows

    monkeypatch.setattr(w, "claim", claim_then_commit)
    task = asyncio.create_task(w.run())
    try:
        await asyncio.wait_for(first_send.wait(), 10)
    finally:
        await w.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert messenger.sent == [("ada", "right away")]


async def test_the_nudge_scan_reads_only_the_people_who_are_due_in_one_query_per_batch(
    app: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from sqlalchemy import event

    from storage.models import Account, LectureProgress, NotificationPrefs, User

    assert app.storage is not None
    period = timedelta(days=app.settings.nudge_after_days)
    all_keys = sorted(lecture.key for lecture in app.content.all_lectures())
    long_ago, recently = clock.now - period - timedelta(hours=1), clock.now - timedelta(hours=1)
    people = {
        # name: (lecture marks, prefs (nudge on, last nudged), deleted)
        "due_a": ([("1.1", long_ago)], None, False),
        "due_b": ([("1.1", long_ago), ("1.2", long_ago)], (True, long_ago), False),
        "due_c": ([("1.1", long_ago), ("no.such.key", long_ago)], None, False),
        "recent": ([("1.1", long_ago), ("1.2", recently)], None, False),
        "finished": ([(key, long_ago) for key in all_keys], None, False),
        "opted_out": ([("1.1", long_ago)], (False, None), False),
        "nudged_lately": ([("1.1", long_ago)], (True, recently), False),
        "deleted": ([("1.1", long_ago)], None, True),
        "never_started": ([], None, False),
    }
    # Many more people stalled but opted out: they must cost nothing per person.
    people.update({f"quiet{i}": ([("1.1", long_ago)], (False, None), False) for i in range(30)})
    ids: dict[str, int] = {}
    async with app.storage.unit_of_work() as uow:
        for name, (marks, prefs, deleted) in people.items():
            user = User(display_name=name, deleted_at=clock.now if deleted else None)
            uow.session.add(user)
            await uow.session.flush()
            ids[name] = user.id
            uow.session.add(Account(user_id=user.id, platform="telegram", platform_user_id=name, chat_id=name))
            for key, at in marks:
                uow.session.add(LectureProgress(user_id=user.id, lecture_key=key, completed_at=at))
            if prefs is not None:
                uow.session.add(NotificationPrefs(user_id=user.id, nudge=prefs[0], last_nudge_at=prefs[1]))
        await uow.commit()
    monkeypatch.setattr(jobs, "NUDGE_BATCH", 2)
    selects: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement.split("\n")[0])

    engine = app.storage.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert await jobs.scan_nudges(app.storage, app.content, app.settings, clock.now) == 3
    finally:
        event.remove(engine, "before_cursor_execute", count)
    async with app.storage.unit_of_work() as uow:
        nudged = set(await uow.session.scalars(select(Delivery.user_id).where(Delivery.kind == "nudge")))
    assert nudged == {ids["due_a"], ids["due_b"], ids["due_c"]}
    # Two batches of the due query (2 people, then 1), then per due person only: their marks (for the next
    # lecture's name), their preferences row and their workshop zone. Nothing for the 30 who opted out.
    assert len(selects) == 2 + 3 * 3
    assert sum(s.startswith("SELECT users.id") for s in selects) == 2
    assert await jobs.scan_nudges(app.storage, app.content, app.settings, clock.now) == 0


async def test_a_workshop_scan_with_nothing_due_reads_two_queries_and_writes_nothing(
    app: App, clock: FrozenClock
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import event

    from storage.models import NotificationPrefs
    from tests.test_reminders import add_workshop, register

    assert app.storage is not None
    starts = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)
    ws = await add_workshop(app, starts)
    people = [await register(app, f"p{i}", ws, datetime(2026, 4, 1, tzinfo=UTC)) for i in range(6)]
    async with app.storage.unit_of_work() as uow:
        uow.session.add(NotificationPrefs(user_id=people[0], workshop=False))
        await uow.commit()
    # 10:00 in Seoul, where they all live: the one-day reminder goes to everyone who wants it.
    now = starts - timedelta(days=1)
    assert await jobs.scan_workshops(app.storage, app.content, app.settings, now) == 5
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    engine = app.storage.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert await jobs.scan_workshops(app.storage, app.content, app.settings, now + timedelta(minutes=1)) == 0
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The use case's savepoint (a refusal would undo only its writes) around two reads.
    assert [s for s in statements if s not in ("BEGIN", "COMMIT")] == ["SAVEPOINT", "SELECT", "SELECT", "RELEASE"]
    async with app.storage.unit_of_work() as uow:
        reminded = set(await uow.session.scalars(select(Delivery.user_id).where(Delivery.kind == "workshop")))
    assert reminded == set(people[1:])


async def test_broadcasts_sending_before_the_upgrade_are_complete_and_not_fanned_out_again(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from storage.migrate import upgrade
    from storage.uow import Storage

    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        await upgrade(storage.engine, "0011_abuse_limits")
        async with storage.engine.begin() as conn:
            for status, started in (("sending", "2026-03-01 10:00:00.000000"), ("sending", None), ("scheduled", None)):
                await conn.execute(
                    text(
                        "INSERT INTO broadcasts (audience, texts, default_language, status, recipients, created_at, "
                        "started_at) VALUES ('{}', '{}', 'en', :status, 3, '2026-03-01 09:00:00.000000', :started)"
                    ),
                    {"status": status, "started": started},
                )
        await upgrade(storage.engine)
        async with storage.unit_of_work() as uow:
            rows = (await uow.session.scalars(select(Broadcast).order_by(Broadcast.id))).all()
            assert [(b.status, b.fanned_out_at) for b in rows] == [
                ("sending", datetime(2026, 3, 1, 10, 0, tzinfo=UTC)),
                ("sending", datetime(2026, 3, 1, 9, 0, tzinfo=UTC)),
                ("scheduled", None),
            ]
            assert await broadcast_store.unfinished_fan_outs(uow.session) == []
    finally:
        await storage.close()
