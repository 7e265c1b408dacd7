"""What a database failure means for the person waiting: retry it, or tell them it lasts until someone acts.

One classification for every caller that runs a transaction on someone's behalf (the dispatcher, the web pages,
what a platform reports about an account)."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# Tries of one transaction that met a lock or a busy server, with a doubling pause between them.
LOCK_RETRIES = 4
TRANSIENT = ("locked", "busy")

# PostgreSQL's SQLSTATE for "sorry, too many clients already" and "too many connections for role/database".
TOO_MANY_CONNECTIONS = "53300"


def causes(exc: BaseException) -> list[BaseException]:
    """The error, the driver's error SQLAlchemy wraps, and what they were raised from."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        # __context__ too: a full SQLite rolls the whole transaction back itself, so the savepoint's rollback then
        # fails with "no such savepoint", raised while handling the "database or disk is full" that is the reason.
        pending.extend([getattr(current, "orig", None), current.__cause__, current.__context__])
    return found


def db_problem(exc: BaseException) -> str | None:
    """What a person can be told about a database failure, else None.

    'locked' and 'busy' (no free connection on the server) pass: the event is retried. 'readonly' and 'full' (no
    disk space) last until someone acts: the person is asked to try later and nothing was changed."""
    chain = causes(exc)
    errnos = {getattr(cause, "errno", None) for cause in chain if isinstance(cause, OSError)}
    message = " ".join(str(cause) for cause in chain).lower()
    if "locked" in message or "could not obtain lock" in message or "deadlock" in message:
        return "locked"
    sqlstates = {getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None) for cause in chain}
    if TOO_MANY_CONNECTIONS in sqlstates or "too many clients" in message or "too many connections" in message:
        return "busy"
    # The server dropped our connection mid-transaction (a restart, a failover, an admin): the transaction was
    # rolled back with it, so the event is simply tried again on a fresh connection.
    if any(getattr(cause, "connection_invalidated", False) for cause in chain):
        return "busy"
    if errno.ENOSPC in errnos or "database or disk is full" in message or "no space left on device" in message:
        return "full"
    if errno.EROFS in errnos or "readonly" in message or "read-only" in message or "read only" in message:
        return "readonly"
    return None


def backoff(attempt: int) -> float:
    return 0.2 * 2.0**attempt


async def with_retries(work: Callable[[], Awaitable[T]], *, what: str) -> T | None:
    """Run one transaction, again after a lock or a busy server; None (logged, not raised) when it could not be
    done: for writes nobody is waiting on, where a failure must not break the caller's own work."""
    for attempt in range(LOCK_RETRIES):
        try:
            return await work()
        except Exception as exc:
            if db_problem(exc) not in TRANSIENT or attempt == LOCK_RETRIES - 1:
                log.warning("%s not saved: %s", what, type(exc).__name__)
                return None
            await asyncio.sleep(backoff(attempt))
    return None
