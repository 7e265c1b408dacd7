"""A commit wakes only the work it changed: what the commit watch sees, and what the clock then runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import App, build_app
from bot.core.actions import act
from bot.core.replies import Reply
from bot.services.outbox import enqueue_for_user
from bot.staff_inbox import StaffQuestion
from scheduler.changes import Change, Changes, CommitWatch
from scheduler.clock import SchedulerHandle, start_scheduler
from storage.models import Delivery, StudyReminder, User
from tests.conftest import FrozenClock, make_settings
from tests.helpers import ChatDriver


def watching(app: App) -> tuple[CommitWatch, list[Changes]]:
    assert app.storage is not None
    seen: list[Changes] = []
    watch = CommitWatch(app.storage.engine.sync_engine, seen.append)
    watch.start()
    return watch, seen


async def queue(app: App, text: str, *, fail: bool = False) -> None:
    """One outbox row for the first person, as any use case writes it."""
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        user_id = await uow.session.scalar(select(User.id))
        assert user_id is not None
        queued = await enqueue_for_user(
            uow.session, user_id, lambda _language: Reply(text), kind="test", ref_id=None, not_before=datetime.now(UTC)
        )
        assert queued is not None
        await uow.session.flush()
        if fail:
            raise RuntimeError("the handler failed")
        await uow.commit()


async def reminder_id(app: App) -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        found = await uow.session.scalar(select(StudyReminder.id))
        assert found is not None
        return found


async def test_each_commit_is_told_what_it_changed_and_nothing_else(
    app: App, chat: Callable[..., ChatDriver], tmp_path: Path
) -> None:
    alice = chat("alice")
    await alice.send("/start")
    watch, seen = watching(app)
    try:
        await alice.send("/progress")  # reads, and stamps the person's last visit: nothing the clock runs
        assert seen == []
        await alice.send("/remind mon 19:00")
        rid = await reminder_id(app)
        assert seen == [Changes(frozenset({Change.STUDY_REMINDERS}), frozenset({rid}))]
        seen.clear()
        await alice.send("/team Is there parking at the venue?")
        assert seen == [Changes(frozenset({Change.QUESTIONS}))]
        seen.clear()
        staffer = chat("staffer")
        await staffer.send("/ws_edit 1 capacity=41")
        assert staffer.text.startswith("Saved.\n#1 Athens: date to be announced; capacity 41;")
        assert seen == [Changes(frozenset({Change.WORKSHOPS}))]
        seen.clear()

        await queue(app, "hi")
        assert seen == [Changes(frozenset({Change.DELIVERIES}))]
        seen.clear()
        # The worker's own marks on its rows do not wake it again.
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            await uow.session.execute(update(Delivery).values(attempts=Delivery.attempts + 1))
            await uow.commit()
        assert seen == []
        # A bulk statement names no reminder: all of them are looked at.
        async with app.storage.unit_of_work() as uow:
            await uow.session.execute(update(StudyReminder).values(paused=True))
            await uow.commit()
        assert seen == [Changes(frozenset({Change.STUDY_REMINDERS}), None)]
        seen.clear()

        # Rolled back: nothing happened, nothing is woken.
        with pytest.raises(RuntimeError):
            await queue(app, "no", fail=True)
        assert seen == []

        # Another database in the same process is not this clock's business.
        other = await build_app(make_settings(tmp_path / "other"))
        try:
            await ChatDriver(other, user_id="bob").send("/start")
            await queue(other, "hi")
        finally:
            await other.close()
        assert seen == []
    finally:
        watch.stop()
    await queue(app, "after")
    assert seen == []


class Spy:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []


async def test_the_clock_runs_only_the_work_a_commit_changed(app: App, clock: FrozenClock) -> None:
    spy = Spy()

    class Inbox:
        platform = "telegram"

        async def post(self, question: StaffQuestion, reply: Reply) -> str | None:
            return None

    class Calendar:
        async def check(self) -> bool:
            spy.calls.append(("calendar", None))
            return True

    handle = SchedulerHandle(app, {}, clock, staff_inboxes=[Inbox()], calendars=[Calendar()])
    handle.watch.active = True  # as after start(), without the periodic scans

    async def sync_jobs(*, study_ids: set[int] | None = None, broadcasts: bool = True) -> None:
        spy.calls.append(("sync", (study_ids, broadcasts)))

    async def forward(now: object) -> None:
        spy.calls.append(("forward", None))

    handle.sync_jobs = sync_jobs  # type: ignore[method-assign]
    handle.forward_questions = forward  # type: ignore[method-assign]
    handle.worker.wake = lambda: spy.calls.append(("worker", None))  # type: ignore[method-assign]

    async def woken(changes: Changes) -> list[tuple[str, Any]]:
        spy.calls.clear()
        handle.wake(changes)
        await asyncio.gather(*handle._woken.values())
        return sorted(spy.calls, key=repr)

    assert await woken(Changes(frozenset({Change.DELIVERIES}))) == [("worker", None)]
    assert await woken(Changes(frozenset({Change.STUDY_REMINDERS}), frozenset({7}))) == [("sync", ({7}, False))]
    assert await woken(Changes(frozenset({Change.STUDY_REMINDERS}), None)) == [("sync", (None, True))]
    assert await woken(Changes(frozenset({Change.BROADCASTS}))) == [("sync", (set(), True))]
    assert await woken(Changes(frozenset({Change.QUESTIONS}))) == [("forward", None)]
    assert await woken(Changes(frozenset({Change.WORKSHOPS}))) == [("calendar", None)]
    assert await woken(Changes(frozenset({Change.DELIVERIES, Change.QUESTIONS}))) == [
        ("forward", None),
        ("worker", None),
    ]
    # Stopped: a late commit wakes nothing (the next start's sync finds its rows).
    handle.watch.active = False
    assert await woken(Changes(frozenset({Change.QUESTIONS, Change.DELIVERIES}))) == [("worker", None)]


async def test_a_new_reminder_is_scheduled_at_its_commit_not_at_the_next_scan(
    tmp_path: Path, chat: Callable[..., ChatDriver]
) -> None:
    # A real clock whose periodic scans are an hour apart: only the commit can schedule the reminder in time.
    settings = make_settings(tmp_path / "live", scheduler_tick_seconds=3600)
    app = await build_app(settings)
    handle = await start_scheduler(app, {})
    try:
        await asyncio.sleep(1.5)  # the scans' first run at start is over
        assert [job.id for job in handle.scheduler.get_jobs() if job.id.startswith("study:")] == []
        alice = ChatDriver(app, user_id="alice")
        await alice.send("/remind mon 19:00")
        rid = await reminder_id(app)
        for _ in range(100):
            if handle.scheduler.get_job(f"study:{rid}") is not None:
                break
            await asyncio.sleep(0.02)
        job = handle.scheduler.get_job(f"study:{rid}")
        assert job is not None
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            row = await uow.session.get_one(StudyReminder, rid)
        assert job.next_run_time == row.next_due_at
        # Paused: its job goes, at that commit too.
        await alice.press_action(act("remind.pause", rid))
        for _ in range(100):
            if handle.scheduler.get_job(f"study:{rid}") is None:
                break
            await asyncio.sleep(0.02)
        assert handle.scheduler.get_job(f"study:{rid}") is None
    finally:
        await handle.stop()
        await app.close()


async def test_a_stopped_clock_starts_again_as_a_re_elected_leader_would(tmp_path: Path) -> None:
    from tests.fakes import FakeMessenger

    app = await build_app(make_settings(tmp_path / "leader", scheduler_tick_seconds=3600))
    messenger = FakeMessenger(platform="console")
    handle = await start_scheduler(app, {"console": messenger})
    try:
        first_worker = handle.worker
        await handle.stop()
        await handle.stop()  # twice is harmless
        assert not handle.running and not handle.watch.active
        alice = ChatDriver(app, user_id="alice")
        await alice.send("/remind mon 19:00")  # while stopped: nobody is woken, the row waits
        rid = await reminder_id(app)
        assert handle.scheduler.get_job(f"study:{rid}") is None

        await handle.start()
        await handle.start()  # already running: nothing more
        assert handle.running and handle.worker is not first_worker
        # The start's own sync finds what was written while it was stopped.
        assert handle.scheduler.get_job(f"study:{rid}") is not None
        await queue(app, "after the restart")
        for _ in range(100):
            if messenger.sent:
                break
            await asyncio.sleep(0.02)
        assert [text for _chat, text in messenger.sent] == ["after the restart"]
    finally:
        await handle.stop()
        await app.close()
