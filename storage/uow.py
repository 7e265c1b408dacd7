"""One short transaction per event: `async with Storage.unit_of_work() as uow:`; a use case commits it.

Leaving the block rolls back whatever no use case committed (cosmicpython's unit of work). Rows written and not
committed at a clean exit are a bug, not a choice: the block raises `UncommittedWrites`, so a write path that forgot
its commit fails in the tests instead of losing a person's sign-up quietly."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import AsyncIterator
from contextvars import Token
from types import TracebackType

from sqlalchemy import TextClause, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from storage.db import WRITE_TICKET, ServerLimits, WriteTicket, create_engine, is_sqlite, session_factory, sqlite_path
from storage.sqlite_driver import SHORT_STATEMENTS, ShortStatements

# Below this, SQLite's next checkpoint or a new page may fail: /health says the disk is full before users see it.
MIN_FREE_BYTES = 1024 * 1024


_READS = ("SELECT", "SHOW", "WITH", "VALUES", "EXPLAI")
# session.info key: the tables written since the last commit (or since the writes were carried).
_WRITTEN = "wego_written"


class UncommittedWrites(RuntimeError):
    """A unit of work ended without an error, with rows written that no use case committed."""

    def __init__(self, tables: set[str]) -> None:
        self.tables = tables
        super().__init__(
            "rows written to " + (", ".join(sorted(tables)) or "the database") + " were never committed: "
            "the use case that wrote them must commit (a service marked @commits)"
        )


def _changed(session: Session | AsyncSession) -> list[object]:
    """The objects a flush would write (`dirty` may hold objects whose attributes were set to what they were)."""
    # Asked on the plain session: each of the AsyncSession's properties is a proxy to it.
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    if not sync.identity_map.check_modified():
        # `dirty` is made of the identity map's modified states: with none (an event that only read), there is
        # no dirty object to list and test.
        return [*sync.new, *sync.deleted]
    return [*sync.new, *sync.deleted, *(o for o in sync.dirty if sync.is_modified(o))]


def _written(session: Session) -> set[str]:
    tables: set[str] = session.info.setdefault(_WRITTEN, set())
    return tables


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _flush: UOWTransaction) -> None:
    # Still the pre-flush state here.
    changed = _changed(session)
    if changed:
        _written(session).update(getattr(o, "__tablename__", "?") for o in changed)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    # Bulk statements (a fan-out's INSERT ... SELECT, a guarded UPDATE) bypass the flush.
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        _written(state.session).add(getattr(table, "name", "?"))
    elif isinstance(statement, TextClause) and not statement.text.lstrip()[:6].upper().startswith(_READS):
        # Hand-written SQL: anything but a read counts as a write.
        _written(state.session).add("(sql)")


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, short: bool = False) -> None:
        """`short`: a chat event's one short transaction, whose statements after the first, and its rollback, skip
        the trip to SQLite's thread (storage/sqlite_driver.py); tasks it starts make their trips as usual."""
        self._sessions = sessions
        self._short_wanted = short
        self._session: AsyncSession | None = None
        self._carried = False
        self._depth = 0
        # SQLite: this unit of work's place in the process's queue of writers (storage.db.WriteTurns).
        self._ticket = WriteTicket()
        self._ticket_token: Token[WriteTicket | None] | None = None
        self._short: ShortStatements | None = None
        self._short_token: Token[ShortStatements | None] | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._ticket = WriteTicket()
        self._ticket_token = WRITE_TICKET.set(self._ticket)
        if self._short_wanted:
            self._short = ShortStatements()
        self._short_token = SHORT_STATEMENTS.set(self._short)
        # No explicit begin: the session begins at its first statement (autobegin), which is when SQLite's write
        # turn is taken anyway; a begin here was a trip through SQLAlchemy's greenlet for nothing.
        self._session = self._sessions()
        return self

    async def commit(self) -> None:
        """Keep what this unit of work wrote; the next statement opens a new transaction. Inside a use case, its
        end commits (a commit now would end its savepoint)."""
        if self._depth:
            return
        session = self.session
        if session.in_transaction():
            await session.commit()
            # SQLite's lock is free from here: the next writer goes first; a later statement queues again.
            self._ticket.release()
        session.info.pop(_WRITTEN, None)
        self._carried = False

    @contextlib.asynccontextmanager
    async def use_case(self) -> AsyncIterator[None]:
        """One use case: committed when the block ends; a refusal raised in it undoes what it wrote (a savepoint)
        and leaves the rest of the transaction as it was. A use case run by another is part of that one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        session = self.session
        written = set(session.info.get(_WRITTEN, ()))
        self._depth = 1
        try:
            savepoint = await session.begin_nested()
            try:
                yield
            except BaseException:
                await savepoint.rollback()
                session.info[_WRITTEN] = written
                raise
            await savepoint.commit()
        finally:
            self._depth = 0
        await self.commit()

    async def carry(self) -> None:
        """The writes so far are notes of the event (who wrote, when) that ride with the next commit: they are
        no longer counted as uncommitted writes, and are lost, not reported, if nothing commits."""
        session = self.session
        if _changed(session):
            await session.flush()
        self._carried = self._carried or bool(session.info.pop(_WRITTEN, None))

    @property
    def carried(self) -> bool:
        """Carried writes wait for a commit."""
        return self._carried

    @property
    def uncommitted(self) -> set[str]:
        """The tables written since the last commit (carried writes aside), flushed or not."""
        session = self.session
        tables = set(session.info.get(_WRITTEN, ()))
        tables.update(getattr(o, "__tablename__", "?") for o in _changed(session))
        return tables

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            stray = self.uncommitted if exc_type is None else set()
        finally:
            session.info.pop(_WRITTEN, None)
            try:
                # One step, one trip through SQLAlchemy's greenlet: the session lets go of what it read (which stays
                # readable, as after a commit: a rollback would expire it), then rolls back what no use case
                # committed and gives the connection back.
                await session.close()
            finally:
                self._session = None
                self._give_back_turn()
        if stray:
            raise UncommittedWrites(stray)

    def _give_back_turn(self) -> None:
        """After the commit or rollback and the connection's return: the next writer may begin."""
        self._ticket.ended = True
        if self._short is not None:
            self._short.on = False
            self._short = None
        token, self._ticket_token = self._ticket_token, None
        short_token, self._short_token = self._short_token, None
        # Left in another context than it was entered in (never in this program): nothing to restore there.
        if token is not None:
            with contextlib.suppress(ValueError):
                WRITE_TICKET.reset(token)
        if short_token is not None:
            with contextlib.suppress(ValueError):
                SHORT_STATEMENTS.reset(short_token)
        self._ticket.release()


class Storage:
    """The engine and session factory, built once per process by the wiring."""

    def __init__(self, url: str, *, busy_timeout: float = 5.0, limits: ServerLimits | None = None) -> None:
        self.url = url
        self.engine: AsyncEngine = create_engine(url, busy_timeout=busy_timeout, limits=limits)
        self.sessions = session_factory(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    def unit_of_work(self, *, short: bool = False) -> UnitOfWork:
        return UnitOfWork(self.sessions, short=short)

    async def check_writable(self) -> None:
        """Raise the error a write would meet now (a read-only or full disk or database); nothing is kept.

        A plain `SELECT 1` succeeds on a database that can no longer take a single sign-up, so /health asks this."""
        path = sqlite_path(self.url)
        if path is not None:
            disk = os.statvfs(path.parent)
            if disk.f_flag & os.ST_RDONLY:
                raise OSError(errno.EROFS, "read-only file system", str(path.parent))
            free = disk.f_bavail * disk.f_frsize
            if free < MIN_FREE_BYTES:
                raise OSError(errno.ENOSPC, f"no space left on device ({free} bytes free)", str(path.parent))
        async with self.engine.connect() as connection:
            if self.is_sqlite:
                # A new table needs a new page: refused by a read-only file and by a full one; rolled back.
                await connection.begin()
                await connection.exec_driver_sql("CREATE TABLE wego_write_probe (x INTEGER)")
                await connection.rollback()
                return
            read_only = await connection.exec_driver_sql("SHOW transaction_read_only")
            if read_only.scalar() == "on":
                raise OSError(errno.EROFS, "the PostgreSQL server is read-only (transaction_read_only is on)")

    async def close(self) -> None:
        await self.engine.dispose()
