"""APScheduler 3 as the clock inside `wego-bot run`; the database rows are the truth.

Jobs live only in memory (no APScheduler job store): at start, and on every tick, they are rebuilt from the rows
under stable ids (`study:<id>`, `broadcast:<id>`), so a restart neither loses nor doubles anything. A job only
*claims* its row (a guarded update); a job that fires after another process already claimed the row does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot import metrics
from bot.core.ports import Messenger
from bot.staff_inbox import StaffInbox, forward_questions
from scheduler import jobs
from scheduler.delivery import DeliveryWorker
from storage.models import Broadcast, StudyReminder

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

TICK_JOB = "tick"
# A broadcast older than this is no longer announced (e.g. when Discord is switched on later).
ANNOUNCE_WITHIN = timedelta(days=1)
# How long a stop waits for jobs in flight (a tick, a broadcast fan-out) before the clock is shut down.
STOP_GRACE_SECONDS = 10.0


def utcnow() -> datetime:
    return datetime.now(UTC)


class SchedulerHandle:
    """The running clock and delivery worker; `stop()` ends both."""

    def __init__(
        self,
        app: App,
        messengers: Mapping[str, Messenger],
        clock: Callable[[], datetime] = utcnow,
        *,
        staff_inboxes: Sequence[StaffInbox] = (),
    ) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        if app.storage is None:
            raise RuntimeError("the scheduler needs the database")
        self.app = app
        self.storage = app.storage
        self.clock = clock
        self.worker = DeliveryWorker(self.storage, messengers, app.settings, clock=clock)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._worker_task: asyncio.Task[None] | None = None
        self._tick_lock = asyncio.Lock()
        self._pending_tick: asyncio.Task[None] | None = None
        # Called with the id of each broadcast once it starts sending: the hook for the Discord adapter to post it
        # once to the announcement channel (not wired here: that belongs to the Discord adapter).
        self.on_broadcast_started: list[Callable[[int], Any]] = []
        # Where questions for the team are posted (a staff Telegram group...): on every tick, and so right after
        # the commit that asked one, since a commit wakes the clock.
        self.staff_inboxes = list(staff_inboxes)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def _job(self) -> AsyncIterator[None]:
        """Marks a job in flight, so that stop() lets it finish instead of cancelling it mid-transaction."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def start(self) -> None:
        await self.worker.recover()
        await self.sync_jobs()
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.app.settings.scheduler_tick_seconds,
            id=TICK_JOB,
            next_run_time=self.clock(),
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
        self.scheduler.start()
        self._worker_task = asyncio.create_task(self.worker.run(), name="delivery-worker")

    def wake(self) -> None:
        """Something changed (a broadcast confirmed, a reminder set): tick now rather than at the next interval."""
        if self._pending_tick is None or self._pending_tick.done():
            self._pending_tick = asyncio.get_running_loop().create_task(self.tick())
        self.worker.wake()

    async def sync_jobs(self) -> None:
        """One date job per due row, under a stable id; jobs whose row went away are removed."""
        wanted: dict[str, tuple[datetime, Callable[..., Any], tuple[Any, ...]]] = {}
        async with self.storage.unit_of_work() as uow:
            for rid, due in await uow.session.execute(
                select(StudyReminder.id, StudyReminder.next_due_at).where(
                    StudyReminder.paused.is_(False), StudyReminder.next_due_at.is_not(None)
                )
            ):
                assert due is not None
                wanted[f"study:{rid}"] = (due, self.fire_study, (rid,))
            for bid, at in await uow.session.execute(
                select(Broadcast.id, Broadcast.scheduled_at).where(Broadcast.status == "scheduled")
            ):
                wanted[f"broadcast:{bid}"] = (at or self.clock(), self.fan_out, ())
        for job in self.scheduler.get_jobs():
            if job.id != TICK_JOB and job.id not in wanted:
                job.remove()
        now = self.clock()
        for job_id, (due, func, args) in wanted.items():
            existing = self.scheduler.get_job(job_id)
            run_at = max(due, now)
            if existing is not None and existing.next_run_time == run_at:
                continue
            self.scheduler.add_job(
                func,
                "date",
                run_date=run_at,
                args=args,
                id=job_id,
                replace_existing=True,
                # Lateness is judged by the job itself against the row (grace rules per kind), not by APScheduler.
                misfire_grace_time=None,
            )

    async def fire_study(self, reminder_id: int) -> None:
        async with self._job():
            if await jobs.fire_study(self.storage, self.app.content, self.app.settings, reminder_id, self.clock()):
                self.worker.wake()
            await self.sync_jobs()

    async def fan_out(self) -> None:
        async with self._job():
            await self._fan_out()

    async def _fan_out(self) -> None:
        started = await jobs.fan_out_due(self.storage, self.app.content, self.app.settings, self.clock())
        if started:
            self.worker.wake()
        await self.announce_pending()

    async def announce_pending(self) -> int:
        """Post each started broadcast once to the announcement channels; a failed post is tried again next tick.

        The row's `announced_at` is the truth, so neither a crash nor a channel that is down loses the public
        copy. Only broadcasts started in the last day qualify: turning Discord on later must not replay history.
        """
        if not self.on_broadcast_started:
            return 0
        from sqlalchemy import update

        now = self.clock()
        async with self.storage.unit_of_work() as uow:
            pending = list(
                await uow.session.scalars(
                    select(Broadcast.id)
                    .where(
                        Broadcast.announced_at.is_(None),
                        Broadcast.started_at.is_not(None),
                        Broadcast.started_at >= now - ANNOUNCE_WITHIN,
                        Broadcast.status.in_(("sending", "done")),
                    )
                    .order_by(Broadcast.id)
                )
            )
        announced = 0
        for broadcast_id in pending:
            try:
                results = [hook(broadcast_id) for hook in self.on_broadcast_started]
                done = [await r if asyncio.iscoroutine(r) else r for r in results]
            except Exception:
                log.exception("announcing broadcast %d failed; trying again next tick", broadcast_id)
                continue
            if all(result is not False for result in done):
                async with self.storage.unit_of_work() as uow:
                    await uow.session.execute(
                        update(Broadcast).where(Broadcast.id == broadcast_id).values(announced_at=now)
                    )
                announced += 1
        return announced

    @metrics.timed_tick
    async def tick(self) -> None:
        """The catch-up pass: everything due by the rows, whatever jobs did or did not fire.

        Each kind of work is its own step: one that fails (a broadcast whose fan-out raises, a scan that meets a
        busy database) is logged and retried next tick, and never keeps the others from running.
        """
        async with self._job(), self._tick_lock:
            now = self.clock()
            settings, content = self.app.settings, self.app.content
            steps: list[tuple[str, Callable[[], Awaitable[object]]]] = [
                ("forwarding questions", lambda: self.forward_questions(now)),
                ("study reminders", lambda: self._fire_overdue_study(now)),
                ("broadcast fan-out", self._fan_out),
                ("seat offers", lambda: jobs.expire_offers(self.storage, content, settings, now)),
                ("workshop reminders", lambda: jobs.scan_workshops(self.storage, content, settings, now)),
                ("nudges", lambda: jobs.scan_nudges(self.storage, content, settings, now)),
                ("broadcast reports", lambda: jobs.finish_broadcasts(self.storage, settings, now)),
                ("job sync", self.sync_jobs),
            ]
            for name, step in steps:
                try:
                    await step()
                except Exception:
                    metrics.tick_failed()
                    log.exception("scheduler tick: %s failed; the other steps go on", name)
            self.worker.wake()

    async def _fire_overdue_study(self, now: datetime) -> None:
        from storage.reminders import due_study_ids

        async with self.storage.unit_of_work() as uow:
            overdue = await due_study_ids(uow.session, now)
        for reminder_id in overdue:
            await jobs.fire_study(self.storage, self.app.content, self.app.settings, reminder_id, now)

    async def forward_questions(self, now: datetime) -> None:
        if not self.staff_inboxes:
            return
        try:
            await forward_questions(
                self.storage, self.staff_inboxes, now, staff_language=self.app.settings.default_language
            )
        except Exception:
            # The rest of the tick (reminders, broadcasts) must not wait on a staff chat; the next tick retries.
            log.exception("forwarding questions to staff failed")

    async def stop(self) -> None:
        # APScheduler's asyncio executor cancels running jobs on shutdown: pause it, let jobs in flight finish
        # (their rows stay right either way, but a cancelled transaction only logs noise), then shut down.
        if self.scheduler.running:
            self.scheduler.pause()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), STOP_GRACE_SECONDS)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.worker.stop()
        if self._worker_task is not None:
            self._worker_task.cancel()
            await asyncio.gather(self._worker_task, return_exceptions=True)


async def start_scheduler(
    app: App,
    messengers: Mapping[str, Messenger],
    clock: Callable[[], datetime] = utcnow,
    *,
    staff_inboxes: Sequence[StaffInbox] = (),
) -> SchedulerHandle:
    """Start the clock and the delivery worker; `await handle.stop()` on shutdown."""
    handle = SchedulerHandle(app, messengers, clock, staff_inboxes=staff_inboxes)
    await handle.start()
    app.dispatcher.on_commit = handle.wake
    return handle
