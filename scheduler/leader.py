"""Exactly one clock per deployment: the scheduler leader, elected through a PostgreSQL advisory lock.

Every process with the `clock` role campaigns: on a connection of its own (outside the pool, in autocommit) it
asks `pg_try_advisory_lock` every `retry_seconds`. The one that gets the lock starts the clock and the delivery
worker; the lock is the session's, so it goes with the connection: a leader that dies (crash, kill -9, lost
machine) loses it as soon as PostgreSQL sees the connection end, and the next campaigner starts the clock within
`retry_seconds` of that. TCP keepalives on the connection bound how long a vanished machine can hold it.

A leader checks its connection every `retry_seconds`; when the check fails it stops its clock at once, because it
can no longer know that no other process has taken over. Rows in flight at a leader's death are re-queued by the
new leader (they were the old leader's: only the leader sends), so nothing is lost and only those may go twice.

A process that is not the leader still commits rows the clock must see (a broadcast confirmed on a Telegram
webhook worker): `wake()` sends a NOTIFY that the leader LISTENs to, so the clock ticks at once, not at its next
interval. On SQLite there is one process by design: the clock simply runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text

from bot import metrics
from scheduler.changes import Changes, CommitWatch

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from storage.uow import Storage

log = logging.getLogger(__name__)

# The advisory lock's key: one per database, so deployments on different databases never see each other.
LOCK_KEY = 0x5745474F434C4B  # "WEGOCLK"
WAKE_CHANNEL = "wego_clock_wake"
# PostgreSQL drops a connection whose peer has vanished after about idle + interval * count seconds.
KEEPALIVE = {"tcp_keepalives_idle": 5, "tcp_keepalives_interval": 2, "tcp_keepalives_count": 3}


class Clock(Protocol):
    def wake_all(self) -> None: ...

    async def stop(self) -> None: ...


StartClock = Callable[[], Awaitable[Clock]]


def process_name() -> str:
    """How this process is named in logs, /health and pg_stat_activity."""
    return f"{socket.gethostname()}:{os.getpid()}"


class ClockLeadership:
    """Runs the clock in this process while it holds the leadership (always, on SQLite)."""

    def __init__(
        self,
        storage: Storage,
        start_clock: StartClock,
        *,
        retry_seconds: float = 1.0,
        check_timeout: float = 3.0,
        on_change: Callable[[bool], Any] | None = None,
        name: str | None = None,
    ) -> None:
        self.storage = storage
        self.start_clock = start_clock
        self.retry_seconds = retry_seconds
        self.check_timeout = check_timeout
        self.on_change = on_change
        self.clock: Clock | None = None
        self.name = name or process_name()
        self._conn: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._notify: asyncio.Task[None] | None = None
        self._lost: asyncio.Task[None] | None = None
        self._stopping = False
        # The campaign's checks and the wake-up NOTIFYs share the connection, which takes one statement at a time.
        self._use = asyncio.Lock()
        # While another process leads, this one's commits wake that leader by NOTIFY; while this one leads, its
        # clock watches the commits itself (two watches on one engine would split a commit's changes).
        self._standby = CommitWatch(storage.engine.sync_engine, self._committed_here)
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def is_leader(self) -> bool:
        return self.clock is not None

    def status(self) -> dict[str, Any]:
        """For /health: whether this process runs the clock."""
        return {"clock": "leader" if self.is_leader else "standby", "process": self.name}

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.storage.is_sqlite:
            # SQLite allows one process: there is nobody to elect.
            await self._lead()
            return
        self._standby.start()
        self._task = asyncio.create_task(self._campaign(), name="clock-leadership")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for task in (self._notify, self._lost):
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)
        await self._step_down("stopping")
        self._standby.stop()
        await self._close()

    def _committed_here(self, _changes: Changes) -> None:
        # Called inside SQLAlchemy's commit: only scheduled here, on the loop.
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.wake)

    def wake(self) -> None:
        """A commit in this process: wake the clock, here or (by NOTIFY) in the leading process."""
        if self.clock is not None:
            self.clock.wake_all()
        elif self._conn is not None and (self._notify is None or self._notify.done()):
            self._notify = asyncio.get_running_loop().create_task(self._send_wake())

    # -- the campaign ---------------------------------------------------------------------------------------------

    async def _campaign(self) -> None:
        while not self._stopping:
            try:
                async with self._use:
                    conn = await self._connection()
                    if self.clock is None:
                        lock = text("SELECT pg_try_advisory_lock(:key)")
                        got = (
                            await asyncio.wait_for(conn.execute(lock, {"key": LOCK_KEY}), self.check_timeout)
                        ).scalar()
                    else:
                        got = False
                        await asyncio.wait_for(conn.execute(text("SELECT 1")), self.check_timeout)
                if got:
                    await self._take_over(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The connection (and with it the lock) is gone or unusable: another process may lead already.
                log.warning("clock leadership: database connection lost (%s: %s)", type(exc).__name__, exc)
                await self._step_down("connection lost")
                await self._close()
            await asyncio.sleep(self.retry_seconds)

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self.storage.engine.connect()
            try:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                for setting, value in KEEPALIVE.items():
                    await conn.execute(text(f"SET {setting} = {int(value)}"))
                await conn.execute(text("SELECT set_config('application_name', :name, false)"), {"name": self.name})
            except Exception:
                await conn.invalidate()
                raise
            self._conn = conn
        return self._conn

    async def _take_over(self, conn: AsyncConnection) -> None:
        try:
            await self._lead()
        except Exception:
            log.exception("clock leadership: won the lock but the clock did not start; giving it back")
            async with self._use:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            return
        async with self._use:
            await self._listen(conn)

    async def _lead(self) -> None:
        self._standby.stop()
        try:
            self.clock = await self.start_clock()
        except BaseException:
            if not self.storage.is_sqlite and not self._stopping:
                self._standby.start()
            raise
        log.info("clock leadership: %s runs the clock", self.name)
        self._changed(True)

    async def _step_down(self, why: str) -> None:
        clock, self.clock = self.clock, None
        if clock is None:
            return
        # Said before the clock's stop, which may wait for jobs in flight: nothing new starts from here on.
        log.warning("clock leadership: %s stops the clock (%s)", self.name, why)
        self._changed(False)
        try:
            await clock.stop()
        except Exception:
            log.exception("clock leadership: the clock did not stop cleanly")
        if not self.storage.is_sqlite and not self._stopping:
            self._standby.start()

    def _changed(self, leader: bool) -> None:
        metrics.clock_leader(leader)
        if self.on_change is not None:
            self.on_change(leader)

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        # Invalidated, not returned to the pool: the session (and any lock it holds) must end here.
        with contextlib.suppress(Exception):
            await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()

    # -- wake-ups across processes --------------------------------------------------------------------------------

    async def _listen(self, conn: AsyncConnection) -> None:
        raw = (await conn.get_raw_connection()).driver_connection
        on_end = getattr(raw, "add_termination_listener", None)
        if on_end is not None:
            # The server ended the session (and so released the lock): stop now, not at the next check.
            on_end(self._on_terminated)
        add_listener = getattr(raw, "add_listener", None)
        if add_listener is None:
            # A driver without LISTEN support: the clock still ticks on its interval.
            return
        await add_listener(WAKE_CHANNEL, self._on_notify)

    def _on_terminated(self, *_args: object) -> None:
        if self.clock is not None and not self._stopping:
            log.warning("clock leadership: the database ended this process's session")
            self._lost = asyncio.get_running_loop().create_task(self._step_down("session ended"))

    def _on_notify(self, *_args: object) -> None:
        if self.clock is not None:
            # Another process's commit: what it changed is not known here, so every kind of work looks.
            self.clock.wake_all()

    async def _send_wake(self) -> None:
        try:
            async with self._use:
                if self._conn is None:
                    return
                await self._conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": WAKE_CHANNEL})
        except Exception as exc:
            # The leader ticks on its interval anyway; the campaign loop notices a broken connection.
            log.info("clock wake-up not sent (%s)", type(exc).__name__)
