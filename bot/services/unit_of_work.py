"""The unit of work as the use cases see it: one short transaction, committed on a clean exit, rolled back on an error.

Every service function takes a `UnitOfWork` and works inside it; whoever runs a use case (the dispatcher, a CLI
command, a web page, the clock's job) opens one from a `UnitsOfWork`, the per-process factory. Both are protocols:
`storage.uow.UnitOfWork` and `storage.uow.Storage` implement them (storage does not import the use cases), and a
test may hand in any object of the same shape. The layers above the services name these types, never storage's.

The session is the SQLAlchemy session the storage functions take; above the services it is only handed back down
(to a notifier, a service), never queried.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class UnitOfWork(Protocol):
    """`async with uow:` opens the transaction; leaving the block commits it, or rolls it back on an exception."""

    @property
    def session(self) -> AsyncSession:
        """The open transaction's session; an error outside `async with`."""
        ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class UnitsOfWork(Protocol):
    """The database of a process: a new unit of work for each event or job, never a shared one."""

    def unit_of_work(self) -> UnitOfWork: ...

    @property
    def is_sqlite(self) -> bool:
        """Whether writers queue for one database lock (SQLite), so a long job pauses between its chunks."""
        ...
