"""SQLAlchemy's aiosqlite driver, with one trip to SQLite's thread per statement instead of three or four.

aiosqlite runs each call on a thread of the connection's own and hands the result back to the event loop. SQLAlchemy's
adapter makes a call for each step of a statement: open a cursor, execute, fetch the rows, close the cursor; each
step waits for the loop to come round again, and on SQLite those waits are spent holding the write lock. Here a
statement's steps run together in one call on that thread (`_one_trip`): what a chat event costs SQLite's lock is
then its statements, not the loop's turns between their steps.

Inside a chat event's transaction (`SHORT_STATEMENTS`, set by its unit of work when the dispatcher opens it in
`storage.uow.UnitOfWork(short=True)`) the statements after the first, and the rollback, make no trip at all:
they run on the event loop's thread, between two of its turns. The first statement carries the transaction's
BEGIN IMMEDIATE, which may wait for another process's lock for up to the busy timeout, so it still goes to the
connection's thread, as does every commit (it writes the WAL to disk); once the lock is had, a chat event's reads
and small writes are a few microseconds of SQLite's time, less than what the trip to the thread and back costs the
process (two wake-ups, the GIL passed twice). Long work (the clock's scans and fan-outs) never sets the flag.

Everything else is SQLAlchemy's own adapter (transactions, errors, server-side cursors, the connection's thread).
"""

from __future__ import annotations

import collections
import sqlite3
from contextvars import ContextVar
from typing import Any, cast

from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT


class ShortStatements:
    """A chat event's unit of work, open: its statements after the first, and its rollback, run on the event loop's
    thread (see the module's docstring). Turned off when the unit of work ends, so a task it started, which copied
    the context, makes its trips as usual."""

    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = True


SHORT_STATEMENTS: ContextVar[ShortStatements | None] = ContextVar("sqlite_short_statements", default=None)


def _short() -> bool:
    short = SHORT_STATEMENTS.get()
    return short is not None and short.on


class _Outcome:
    """A finished statement's cursor attributes, as SQLAlchemy reads them after `execute`."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self) -> None:
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1


def _one_trip(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool, begin: str | None
) -> tuple[Any, list[Any], int, int | None]:
    """On the connection's thread: begin the transaction if one is due, run the statement, read its rows, close
    the cursor."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement, rows and close are one call on SQLite's thread."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        # No aiosqlite cursor to open: `_cursor` only carries what the last statement left.
        self._outcome = _Outcome()
        self._cursor = self._outcome  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    async def _run(self, operation: Any, parameters: Any, many: bool) -> Any:
        adapt_connection = cast("OneTripConnection", self._adapt_connection)
        async with adapt_connection._execute_mutex:
            connection = self._connection
            # The transaction's BEGIN rides with its first statement (OneTripConnection.begin).
            begin, adapt_connection.pending_begin = adapt_connection.pending_begin, None
            if begin is None and _short():
                # The lock is had (or this is a read with no transaction): nothing to wait for.
                description, rows, rowcount, lastrowid = _one_trip(connection._conn, operation, parameters, many, None)
            else:
                description, rows, rowcount, lastrowid = await connection._execute(
                    lambda: _one_trip(connection._conn, operation, parameters, many, begin)
                )
        outcome = self._outcome
        outcome.description, outcome.rowcount, outcome.lastrowid = description, rowcount, lastrowid
        self._rows = collections.deque(rows)
        return None

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._run(operation, seq_of_parameters, many=True)

    async def _async_soft_close(self) -> None:
        """Nothing open: the cursor was closed on SQLite's thread with its statement."""

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        """SQLite has one result set per statement."""


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """The adapter's connection, whose transaction begins with its first statement, in the same trip."""

    __slots__ = ("pending_begin",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        # The BEGIN statement still to run before the next statement; None: none due.
        self.pending_begin: str | None = None

    def begin(self, statement: str) -> None:
        """Begin a transaction with `statement` (BEGIN IMMEDIATE, BEGIN), sent with the next statement: a trip to
        SQLite's thread fewer per transaction. A failure to begin (the lock not had in time) is then that
        statement's error, as SQLite would report it on its own."""
        self.pending_begin = statement

    def rollback(self) -> None:
        if self.pending_begin is not None:
            # Begun and ended with no statement: nothing was opened on SQLite's side, nothing to end.
            self.pending_begin = None
            return
        plain = self._connection._connection
        if plain is not None and not plain.in_transaction:
            # Nothing open (the pool's reset of a connection whose transaction was ended, after every event): no
            # trip to SQLite's thread for nothing. Read here, not there: no statement of this connection is in
            # flight while it is being rolled back.
            return
        if plain is not None and _short():
            # Undone in SQLite's memory (nothing of an uncommitted transaction is in the WAL yet): no trip.
            plain.rollback()
            return
        super().rollback()

    def commit(self) -> None:
        if self.pending_begin is not None:
            self.pending_begin = None
            return
        super().commit()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as `module=` to the engine: SQLAlchemy's aiosqlite DBAPI, handing out `OneTripConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        plain = super().connect(*arg, **kw)
        # The same aiosqlite connection and thread, in the adapter with the one-trip cursor.
        return OneTripConnection(self, plain._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    import aiosqlite

    # What this relies on of aiosqlite besides SQLAlchemy's adapter: its call onto the connection's thread.
    if not hasattr(aiosqlite.Connection, "_execute"):
        raise RuntimeError("this aiosqlite has no Connection._execute: storage/sqlite_driver.py needs updating")
    return OneTripDBAPI(aiosqlite, sqlite3)
