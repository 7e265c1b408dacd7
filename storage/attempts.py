"""Attempt limits: how many wrong codes a person may send in a window before they must wait.

The failures are rows (storage.models.FailedAttempt), so a restart does not hand out a fresh allowance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from storage.models import FailedAttempt, User

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class AttemptLimit:
    """At most `failures` wrong tries of `kind` within any `window`."""

    kind: str
    failures: int
    window: timedelta


async def blocked_until(session: AsyncSession, user_id: int, limit: AttemptLimit, now: datetime) -> datetime | None:
    """When the person may try again, or None when they may try now.

    Locks the person's row first (PostgreSQL; SQLite serializes writers), so two tries sent at once are counted
    one after the other and cannot both slip under the limit.
    """
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    times = list(
        await session.scalars(
            select(FailedAttempt.at)
            .where(
                FailedAttempt.user_id == user_id,
                FailedAttempt.kind == limit.kind,
                FailedAttempt.at > now - limit.window,
            )
            .order_by(FailedAttempt.at)
        )
    )
    return next_allowed(times, limit.failures, limit.window)


def next_allowed(times: list[datetime], most: int, window: timedelta) -> datetime | None:
    """With `times` (oldest first) the tries inside the window: None while fewer than `most`, else the moment
    enough of the oldest have left the window for one more."""
    if len(times) < most:
        return None
    return times[len(times) - most] + window


async def record_failure(session: AsyncSession, user_id: int, limit: AttemptLimit, now: datetime) -> int:
    """Count one wrong try; returns the person's failures within the window, this one included."""
    await session.execute(
        delete(FailedAttempt).where(
            FailedAttempt.user_id == user_id,
            FailedAttempt.kind == limit.kind,
            FailedAttempt.at <= now - limit.window,
        )
    )
    session.add(FailedAttempt(user_id=user_id, kind=limit.kind, at=now))
    await session.flush()
    rows = await session.scalars(
        select(FailedAttempt.id).where(FailedAttempt.user_id == user_id, FailedAttempt.kind == limit.kind)
    )
    return len(list(rows))
