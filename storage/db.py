"""Engine and session factory. SQLite serializes writers (BEGIN IMMEDIATE); PostgreSQL uses row locks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_, greenlet_spawn
from sqlalchemy.util.concurrency import in_greenlet

from storage.sqlite_driver import OneTripConnection, one_trip_dbapi


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    database = parsed.database
    if database.startswith("file:"):
        database = database[5:]
    return Path(database)


def _create_private(path: Path) -> None:
    """The database's folder 0700 and a new database file 0600: it holds names, birth years and chat ids.

    SQLite gives its -wal and -shm files the database file's mode, so they are private too."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # An empty file is a valid empty database; O_EXCL leaves an existing one (and its mode) alone.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class DatabaseTimeout(TimeoutError):
    """The database server accepted the connection but did not answer in time: the message says which limit."""


@dataclass(frozen=True)
class ServerLimits:
    """How long to wait for a database server, and how many connections one process may hold."""

    connect_timeout: float = 10.0
    statement_timeout: float = 30.0
    pool_size: int = 5
    max_overflow: int = 10


def _server_engine(url: str, limits: ServerLimits, echo: bool) -> AsyncEngine:
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_driver_name() == "asyncpg":
        connect_args = {
            # asyncpg would wait 60 s for a server that accepts the connection and then says nothing.
            "timeout": limits.connect_timeout,
            # The server cancels a statement after this and says why ("canceling statement due to statement
            # timeout"); the client's own limit, a little later, catches a server that stopped answering at all.
            "server_settings": {"statement_timeout": str(int(limits.statement_timeout * 1000))},
            "command_timeout": limits.statement_timeout + 5,
        }
    engine = create_async_engine(
        url,
        echo=echo,
        poolclass=LingeringPool,
        pool_size=limits.pool_size,
        max_overflow=limits.max_overflow,
        pool_timeout=limits.connect_timeout + limits.statement_timeout,
        connect_args=connect_args,
    )
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except TimeoutError as exc:
            # asyncpg's own TimeoutError has no message: a person reading the start-up error needs the reason.
            raise DatabaseTimeout(
                f"the database server at {where} accepted the connection but did not answer within "
                f"{limits.connect_timeout:g} s (DATABASE_CONNECT_TIMEOUT)"
            ) from exc

    _ping_when_idle(engine)
    return engine


# An overflow connection stays open this many seconds after its last use, in case the peak goes on.
OVERFLOW_LINGER_SECONDS = 10.0


class LingeringPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's queue pool, with `pool_size` connections kept and `max_overflow` more at a peak, whose overflow
    connections are closed once idle for `OVERFLOW_LINGER_SECONDS` rather than the moment they are given back.

    The stock pool closes an overflow connection as soon as it comes back to a full pool. Under a steady load of
    concurrent events (more than `pool_size` units of work open at once now and then), that closed and opened a
    connection for about one event in eight: a new server process, its authentication and asyncpg's set-up each
    time, the largest part of the bot's CPU per answer on PostgreSQL under `bench/load`.

    Same bounds: at most pool_size + max_overflow connections, and pool_size at rest. Connections are handed out
    last in, first out, so at a lower load the extra ones sit at the bottom, age and are closed."""

    def __init__(self, creator: Any, pool_size: int = 5, max_overflow: int = 10, **kw: Any) -> None:
        kw.pop("use_lifo", None)
        # Room for every connection in the queue (none is closed on its return); the overflow count still bounds
        # how many are open.
        super().__init__(creator, pool_size=pool_size + max_overflow, max_overflow=0, use_lifo=True, **kw)
        self._keep = pool_size
        self._trim_at: asyncio.TimerHandle | None = None
        self._closing: set[asyncio.Task[None]] = set()

    def recreate(self) -> LingeringPool:
        self.logger.info("Pool recreating")
        return self.__class__(
            self._creator,
            pool_size=self._keep,
            max_overflow=self._pool.maxsize - self._keep,
            pre_ping=self._pre_ping,
            timeout=self._timeout,
            recycle=self._recycle,
            echo=self.echo,
            logging_name=self._orig_logging_name,
            reset_on_return=self._reset_on_return,
            _dispatch=self.dispatch,
            dialect=self._dialect,
        )

    def _open(self) -> int:
        return self._pool.maxsize + self._overflow

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        record.info["wego_returned"] = time.monotonic()
        super()._do_return_conn(record)
        if self._open() > self._keep:
            self._trim_later(OVERFLOW_LINGER_SECONDS)

    def _trim_later(self, delay: float) -> None:
        if self._trim_at is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._trim_at = loop.call_later(delay, self._trim)

    def _trim(self) -> None:
        """Close the connections idle for the linger time, oldest first, down to pool_size open."""
        self._trim_at = None
        # The asyncio queue's own list (LIFO: the bottom, idle longest, first). Taking an item out of a queue that
        # keeps at least one leaves no getter waiting; the open count is lowered only once the connection closed.
        idle: list[ConnectionPoolEntry] = self._pool._queue._queue  # type: ignore[attr-defined]
        now = time.monotonic()
        closing = len(self._closing)
        while idle and self._open() - closing > self._keep:
            returned = idle[0].info.get("wego_returned", 0.0)
            if now - returned < OVERFLOW_LINGER_SECONDS:
                self._trim_later(OVERFLOW_LINGER_SECONDS - (now - returned))
                return
            task = asyncio.ensure_future(self._close(idle.pop(0)))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
            closing += 1

    async def _close(self, record: ConnectionPoolEntry) -> None:
        try:
            await greenlet_spawn(record.close)
        except Exception:
            self.logger.warning("Closing an idle connection failed", exc_info=True)
        finally:
            self._dec_overflow()


# A pooled connection used less than this many seconds ago is handed out without a ping first.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's `pool_pre_ping`, for connections that sat idle in the pool: a ping is a round trip (three, on
    asyncpg: it opens a transaction for it), and under load, with connections back in the pool for milliseconds,
    it was that much more per event for nothing.

    A connection the server dropped within those seconds (a restart) fails at its first statement instead; that
    is a disconnect, on which SQLAlchemy recycles the whole pool, and the dispatcher tries the event again on a
    fresh connection (bot.services.dbfaults: `connection_invalidated`)."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["wego_idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("wego_idle_since")
        # A connection opened for this checkout is alive: no ping either.
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                # The pool throws this connection away and hands out another (up to three tries).
                raise DisconnectionError() from exc
            raise


class WriteTurns:
    """SQLite's one writer at a time, queued inside this process: first come, first served.

    Left to SQLite alone, writers waiting for its lock poll for it (sleeping 1 ms, then longer, up to 100 ms
    between tries), so under load a waiting event often sleeps on while the lock is free. Here a unit of work
    takes its turn in an asyncio queue just before its `BEGIN IMMEDIATE` and gives it back just after its commit
    or rollback (`WriteTicket`): the next one starts at once, in the order they asked.

    No new way to wait for ever: the turn is taken exactly where SQLite's lock would be (at BEGIN IMMEDIATE, lazily)
    and held no longer than it (until the unit of work ends), so whoever waits for a turn would wait for SQLite's
    lock otherwise; a turn not had within the busy timeout raises the error SQLite raises then ("database is
    locked", which callers retry). Work outside a unit of work (start-up migrations, /health's probe) and other
    processes still queue on SQLite's own lock."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Units of work waiting in `_acquire` for the current lock (the lock is this object's own: no one else
        # waits for it).
        self._waiting = 0

    def _current(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop, self._waiting = asyncio.Lock(), loop, 0
        return self._lock

    async def _acquire(self) -> asyncio.Lock:
        lock = self._current()
        if not lock.locked() and not self._waiting:
            # Free, and no one queued before us: asyncio.Lock.acquire takes it without suspending (nothing runs
            # between this test and that), so no wait for a timeout to bound: the timer asyncio.timeout would
            # schedule and cancel is saved (the usual case: one event at a time).
            await lock.acquire()
            return lock
        self._waiting += 1
        try:
            # asyncio.timeout cancels the wait itself: a turn handed over as the time ran out is passed on, not lost.
            async with asyncio.timeout(self.timeout):
                await lock.acquire()
        finally:
            if self._lock is lock:
                self._waiting -= 1
        return lock

    def take(self, ticket: WriteTicket) -> None:
        """Called in the engine's `begin` (inside SQLAlchemy's greenlet): wait for this process's write turn."""
        if ticket.ended or any(turns is self for turns, _lock in ticket.held):
            return
        try:
            lock = await_(self._acquire())
        except TimeoutError:
            raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")) from None
        ticket.held.append((self, lock))


@dataclass
class WriteTicket:
    """A unit of work's claim on SQLite write turns: taken at its first BEGIN, given back when it ends."""

    held: list[tuple[WriteTurns, asyncio.Lock]] = field(default_factory=list)
    # Its unit of work is over: a task it started (which copied the context) takes no turn on its behalf.
    ended: bool = False

    def release(self) -> None:
        while self.held:
            _turns, lock = self.held.pop()
            lock.release()


# The unit of work running in this task (copied into the tasks it starts), whose BEGIN takes the write turn.
WRITE_TICKET: ContextVar[WriteTicket | None] = ContextVar("sqlite_write_ticket", default=None)


class _SQLiteStatements(SQLiteCompiler):
    """SQLAlchemy's SQLite compiler, rendering a table hint (`.with_hint(table, "INDEXED BY ix", "sqlite")`) after
    the table's name, where SQLite's grammar takes it: the stock compiler drops every table hint."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text


def create_engine(
    url: str, *, busy_timeout: float = 5.0, limits: ServerLimits | None = None, echo: bool = False
) -> AsyncEngine:
    if not is_sqlite(url):
        return _server_engine(url, limits or ServerLimits(), echo)

    read_only = make_url(url).query.get("mode") == "ro"
    path = sqlite_path(url)
    if path is not None and not read_only:
        _create_private(path)
    # One call on SQLite's thread per statement (storage/sqlite_driver.py), not one per step of it.
    # Usable from the event loop's thread too, one call at a time: a chat event's short statements (sqlite_driver.py).
    engine = create_async_engine(
        url, echo=echo, connect_args={"timeout": busy_timeout, "check_same_thread": False}, module=one_trip_dbapi()
    )
    engine.sync_engine.dialect.statement_compiler = _SQLiteStatements
    turns = WriteTurns(busy_timeout)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that we can BEGIN IMMEDIATE: writers queue on
        # SQLite's own lock instead of failing later with "database is locked" on upgrade from a read lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read-only database can still answer reads; its writes fail and are reported.
        if not read_only:
            ticket = WRITE_TICKET.get()
            if ticket is not None and in_greenlet():
                turns.take(ticket)
        # Sent with the transaction's first statement (every SQLite engine here runs on the one-trip driver).
        driver = cast(OneTripConnection, connection.connection.dbapi_connection)
        driver.begin("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
