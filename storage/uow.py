"""One short transaction per event: `async with Storage.unit_of_work() as uow:` commits or rolls back."""

from __future__ import annotations

import contextlib
import errno
import os
from contextvars import Token
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import WRITE_TICKET, ServerLimits, WriteTicket, create_engine, is_sqlite, session_factory, sqlite_path

# Below this, SQLite's next checkpoint or a new page may fail: /health says the disk is full before users see it.
MIN_FREE_BYTES = 1024 * 1024


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        # SQLite: this unit of work's place in the process's queue of writers (storage.db.WriteTurns).
        self._ticket = WriteTicket()
        self._ticket_token: Token[WriteTicket | None] | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._ticket = WriteTicket()
        self._ticket_token = WRITE_TICKET.set(self._ticket)
        self._session = self._sessions()
        await self._session.begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                await session.commit()
            else:
                await session.rollback()
            # SQLite's lock is free from here: the next writer need not wait for the connection's return.
            self._ticket.release()
        finally:
            try:
                await session.close()
            finally:
                self._session = None
                self._give_back_turn()

    def _give_back_turn(self) -> None:
        """After the commit or rollback and the connection's return: the next writer may begin."""
        self._ticket.ended = True
        token, self._ticket_token = self._ticket_token, None
        if token is not None:
            # Left in another context than it was entered in (never in this program): nothing to restore there.
            with contextlib.suppress(ValueError):
                WRITE_TICKET.reset(token)
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

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

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
