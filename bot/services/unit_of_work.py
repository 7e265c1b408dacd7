"""The unit of work as the use cases see it: one short transaction, kept only when a use case commits it.

Every service function takes a `UnitOfWork` and works inside it, and a use case that writes is marked `@commits`
(its writes are committed when it returns, undone when it raises): the services are the only place that commits.
Whoever runs a use case (the dispatcher, a CLI command, a web page, the clock's job) opens one from a
`UnitsOfWork`, the per-process factory; leaving the block rolls back what no use case committed, and raises
`storage.uow.UncommittedWrites` when rows were written and not committed without an error (a forgotten commit is
a bug that the tests see, not a sign-up lost quietly).

Both are protocols: `storage.uow.UnitOfWork` and `storage.uow.Storage` implement them (storage does not import the
use cases), and a test may hand in any object of the same shape. The layers above the services name these types,
never storage's.

The session is the SQLAlchemy session the storage functions take; above the services it is only handed back down
(to a notifier, a service), never queried.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession


class UnitOfWork(Protocol):
    """`async with uow:` opens the transaction; a use case commits it; leaving the block rolls back the rest."""

    @property
    def session(self) -> AsyncSession:
        """The open transaction's session; an error outside `async with`."""
        ...

    async def commit(self) -> None:
        """Keep what was written (a use case's last step); the next statement opens a new transaction."""
        ...

    def use_case(self) -> AbstractAsyncContextManager[None]:
        """One use case: committed at the end of the block; a refusal raised in it undoes only its own writes."""
        ...

    async def carry(self) -> None:
        """The writes so far are the event's own notes (who wrote, when), kept by the next commit."""
        ...

    @property
    def carried(self) -> bool:
        """Carried writes wait for a commit."""
        ...

    @property
    def uncommitted(self) -> set[str]:
        """The tables written and not committed, carried writes aside (empty when the use cases committed)."""
        ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


P = ParamSpec("P")
R = TypeVar("R")


def commits(
    use_case: Callable[Concatenate[UnitOfWork, P], Awaitable[R]],
) -> Callable[Concatenate[UnitOfWork, P], Awaitable[R]]:
    """A use case that writes: what it wrote is committed when it returns; a refusal it raises undoes its writes
    and nothing else (the caller may catch it and go on). Every return counts, a refusal returned as a value too
    (a wrong check-in code's count must be kept). One called by another is part of that one, committed with it."""

    @functools.wraps(use_case)
    async def run(uow: UnitOfWork, /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with uow.use_case():
            return await use_case(uow, *args, **kwargs)

    return run


class UnitsOfWork(Protocol):
    """The database of a process: a new unit of work for each event or job, never a shared one."""

    def unit_of_work(self, *, short: bool = False) -> UnitOfWork:
        """`short`: a chat event's one short transaction (see storage.uow.UnitOfWork)."""
        ...

    @property
    def is_sqlite(self) -> bool:
        """Whether writers queue for one database lock (SQLite), so a long job pauses between its chunks."""
        ...
