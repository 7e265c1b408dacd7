"""APScheduler 3 as the clock inside `wego-bot run`; the database rows are the truth.

Jobs live only in memory (no APScheduler job store): at start they are built from the rows under stable ids
(`study:<id>`, `broadcast:<id>`), so a restart neither loses nor doubles anything. A job only *claims* its row (a
guarded update); a job that fires after another process already claimed the row does nothing.

Two kinds of wake-up, and no full pass on every commit:
- a commit in this process wakes only the work it changed (scheduler/changes.py): new outbox rows wake the
  delivery worker, a new or changed study reminder is rescheduled, a broadcast change puts the broadcast jobs in
  line with the rows, a new question for the team is forwarded;
- each periodic scan (seat offers, workshop reminders, nudges, broadcast reports, the catch-up of anything another
  process wrote) is an APScheduler job of its own: one that fails is logged and retried at its next run, and never
  holds up the others.

`start()` and `stop()` are all a caller needs: one process, or the one leader among several, runs the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import metrics
from bot.core.ports import BroadcastAnnouncer, CalendarMirror, Messenger
from bot.services import timers
from bot.staff_inbox import StaffInbox, forward_questions
from scheduler import jobs
from scheduler.announce import announce_pending
from scheduler.changes import Change, Changes, CommitWatch
from scheduler.delivery import DeliveryWorker

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

Step = Callable[[], Awaitable[object]]
# Ids of the periodic scans' jobs; the row jobs are `study:<id>` and `broadcast:<id>`.
SCAN_PREFIX = "scan:"
# Work woken by commits that must not run beside its periodic scan: every job sync edits the same job list.
_SHARES_LOCK = {"study reminders changed": "job sync", "broadcast jobs": "job sync"}
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
        announcers: Sequence[BroadcastAnnouncer] = (),
        calendars: Sequence[CalendarMirror] = (),
    ) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        if app.storage is None:
            raise RuntimeError("the scheduler needs the database")
        self.app = app
        self.storage = app.storage
        self.clock = clock
        self.messengers = dict(messengers)
        self.worker = DeliveryWorker(self.storage, messengers, app.settings, clock=clock)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._worker_task: asyncio.Task[None] | None = None
        self._tick_lock = asyncio.Lock()
        # Where each started broadcast is posted once in public (a Discord announcement channel).
        self.announcers = list(announcers)
        # Where questions for the team are posted (a staff Telegram group...): right after the commit that asked
        # one, and by the periodic scan (questions asked in another process).
        self.staff_inboxes = list(staff_inboxes)
        # Platform calendars of the workshops: synced after a commit that changed a workshop, and by a scan (edits
        # from the CLI or another process).
        self.calendars = list(calendars)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.watch = CommitWatch(self.storage.engine.sync_engine, self._committed)
        self._loop: asyncio.AbstractEventLoop | None = None
        # Work woken by commits: one run at a time per kind, and a wake during a run runs it once more after it.
        self._woken: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._study_ids: set[int] = set()
        self._locks: dict[str, asyncio.Lock] = {}

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

    def scans(self) -> list[tuple[str, Step]]:
        """The periodic work, each step on its own: what no commit in this process announces (time passing, rows
        another process wrote, a fan-out or a forward that failed and waits for its retry)."""
        settings, content = self.app.settings, self.app.content
        return [
            ("forwarding questions", lambda: self.forward_questions(self.clock())),
            ("study reminders", lambda: self._fire_overdue_study(self.clock())),
            ("broadcast fan-out", self._fan_out),
            ("seat offers", lambda: jobs.expire_offers(self.storage, content, settings, self.clock())),
            ("workshop reminders", lambda: jobs.scan_workshops(self.storage, content, settings, self.clock())),
            ("nudges", lambda: jobs.scan_nudges(self.storage, content, settings, self.clock())),
            ("broadcast reports", lambda: jobs.finish_broadcasts(self.storage, settings, self.clock())),
            ("workshop calendars", self.sync_calendars),
            ("job sync", self.sync_jobs),
        ]

    @property
    def running(self) -> bool:
        return self.watch.active

    async def start(self) -> None:
        """Start the clock and the delivery worker; again after a `stop()` too (a leader that was elected again)."""
        if self.running:
            return
        self._loop = asyncio.get_running_loop()
        if self._worker_task is not None:
            # A stopped worker does not run again: a new one takes over the outbox.
            self.worker = DeliveryWorker(self.storage, self.messengers, self.app.settings, clock=self.clock)
            self._worker_task = None
        await self.worker.recover()
        await self.sync_jobs()
        every = self.app.settings.scheduler_tick_seconds
        for index, (name, step) in enumerate(self.scans()):
            self.scheduler.add_job(
                self._scan,
                "interval",
                seconds=every,
                args=(name, step),
                id=SCAN_PREFIX + name,
                # Spread over the first second rather than all at once on the database.
                next_run_time=self.clock() + timedelta(seconds=index / 8),
                max_instances=1,
                coalesce=True,
                replace_existing=True,
            )
        self.scheduler.start()
        self._worker_task = asyncio.create_task(self.worker.run(), name="delivery-worker")
        self.watch.start()

    async def _scan(self, name: str, step: Step) -> None:
        async with self._job():
            await self._isolated(name, step)

    async def _isolated(self, name: str, step: Step) -> None:
        # One run at a time of each kind of work, whether the period or a commit woke it: two forwards at once
        # would both post the same new question.
        lock = self._locks.setdefault(_SHARES_LOCK.get(name, name), asyncio.Lock())
        try:
            async with lock:
                await step()
        except Exception:
            metrics.tick_failed()
            log.exception("scheduler: %s failed; it runs again at its next turn, the other work goes on", name)

    def _committed(self, changes: Changes) -> None:
        """Called inside SQLAlchemy's commit: the work is only scheduled here, on the loop, never run (thread-safe:
        a commit made from a worker thread lands on the loop all the same)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.wake, changes)

    def wake(self, changes: Changes) -> None:
        """Wake the work a commit changed, and only that."""
        if Change.DELIVERIES in changes.kinds:
            self.worker.wake()
        if changes.study_ids is None:
            self._wake("job sync", self.sync_jobs)
        elif changes.study_ids:
            self._study_ids.update(changes.study_ids)
            self._wake("study reminders changed", self._reschedule_studies)
        if Change.BROADCASTS in changes.kinds:
            self._wake("broadcast jobs", self.sync_broadcast_jobs)
        if Change.QUESTIONS in changes.kinds and self.staff_inboxes:
            self._wake("forwarding questions", lambda: self.forward_questions(self.clock()))
        if Change.WORKSHOPS in changes.kinds and self.calendars:
            self._wake("workshop calendars", self.sync_calendars)

    def wake_all(self) -> None:
        """Wake every kind of work: a commit in another process, whose changes are not known here."""
        self.worker.wake()
        self.wake(Changes(frozenset(Change), None))
        for name, step in self.scans():
            self._wake(name, step)

    def _wake(self, name: str, step: Step) -> None:
        if not self.watch.active:
            # Stopping (or never started): what a late commit asked for is found by the next start's sync.
            return
        if name in self._woken:
            self._again.add(name)
            return
        self._woken[name] = asyncio.get_running_loop().create_task(self._run_woken(name, step), name=name)

    async def _run_woken(self, name: str, step: Step) -> None:
        async with self._job():
            try:
                while True:
                    self._again.discard(name)
                    await self._isolated(name, step)
                    if name not in self._again:
                        return
            finally:
                del self._woken[name]

    async def _reschedule_studies(self) -> None:
        ids, self._study_ids = self._study_ids, set()
        await self.sync_jobs(study_ids=ids, broadcasts=False)

    async def sync_broadcast_jobs(self) -> None:
        await self.sync_jobs(study_ids=set(), broadcasts=True)

    async def sync_jobs(self, *, study_ids: set[int] | None = None, broadcasts: bool = True) -> None:
        """One date job per due row, under a stable id; jobs whose row went away are removed.

        All rows by default; `study_ids` limits the study reminders looked at to those (a commit changed them),
        `broadcasts=False` leaves the broadcast jobs as they are."""
        wanted: dict[str, tuple[datetime, Callable[..., Any], tuple[Any, ...]]] = {}
        managed: list[str] = []
        async with self.storage.unit_of_work() as uow:
            if study_ids is None or study_ids:
                if study_ids is None:
                    managed.append("study:")
                for study in await timers.study_timers(uow, study_ids):
                    assert study.due_at is not None
                    wanted[f"study:{study.id}"] = (study.due_at, self.fire_study, (study.id,))
            if broadcasts:
                managed.append("broadcast:")
                for broadcast in await timers.broadcast_timers(uow):
                    wanted[f"broadcast:{broadcast.id}"] = (broadcast.due_at or self.clock(), self.fan_out, ())
        gone = {f"study:{rid}" for rid in study_ids or ()} - set(wanted)
        for job in self.scheduler.get_jobs():
            if job.id in gone or (job.id.startswith(tuple(managed)) and job.id not in wanted):
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
            # Its next occurrence (a date job fires once).
            await self.sync_jobs(study_ids={reminder_id}, broadcasts=False)

    async def fan_out(self) -> None:
        async with self._job():
            await self._fan_out()

    async def _fan_out(self) -> None:
        started = await jobs.fan_out_due(self.storage, self.app.content, self.app.settings, self.clock())
        if started:
            self.worker.wake()
        await self.announce_pending()

    async def announce_pending(self) -> int:
        return await announce_pending(self.storage, self.announcers, self.clock())

    @metrics.timed_tick
    async def tick(self) -> None:
        """The catch-up pass: everything due by the rows, whatever jobs did or did not fire.

        Each kind of work is its own step: one that fails (a broadcast whose fan-out raises, a scan that meets a
        busy database) is logged and retried next tick, and never keeps the others from running.
        """
        async with self._job(), self._tick_lock:
            for name, step in self.scans():
                await self._isolated(name, step)
            self.worker.wake()

    async def _fire_overdue_study(self, now: datetime) -> None:
        async with self.storage.unit_of_work() as uow:
            overdue = await timers.overdue_study(uow, now)
        for reminder_id in overdue:
            await jobs.fire_study(self.storage, self.app.content, self.app.settings, reminder_id, now)

    async def sync_calendars(self) -> None:
        for calendar in self.calendars:
            await calendar.check()

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
        """Stop taking work, let the jobs in flight finish (up to STOP_GRACE_SECONDS), stop the worker; the rows
        keep whatever was not done, for the next `start()` here or in another process."""
        if not self.running:
            return
        self.watch.stop()
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
    announcers: Sequence[BroadcastAnnouncer] = (),
    calendars: Sequence[CalendarMirror] = (),
) -> SchedulerHandle:
    """Start the clock and the delivery worker; `await handle.stop()` on shutdown."""
    handle = SchedulerHandle(
        app, messengers, clock, staff_inboxes=staff_inboxes, announcers=announcers, calendars=calendars
    )
    await handle.start()
    return handle
