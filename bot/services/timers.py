"""What the clock keeps a job for, read from the rows: each active study reminder and each scheduled broadcast
with its time, and the study reminders already overdue. scheduler/clock.py turns these into APScheduler jobs with
stable ids (`study:<id>`, `broadcast:<id>`); sending them is scheduler/jobs.py's."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from storage import broadcasts, reminders

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Timer:
    """One row the clock waits for: its id and when it is due (None: as soon as possible)."""

    id: int
    due_at: datetime | None


async def study_timers(uow: UnitOfWork, ids: Collection[int] | None = None) -> list[Timer]:
    """The active (not paused, with a next occurrence) study reminders, all of them or those of `ids`."""
    return [Timer(rid, due) for rid, due in await reminders.study_due_times(uow.session, ids)]


async def broadcast_timers(uow: UnitOfWork) -> list[Timer]:
    """The broadcasts scheduled and not yet started."""
    return [Timer(bid, at) for bid, at in await broadcasts.scheduled_times(uow.session)]


async def overdue_study(uow: UnitOfWork, now: datetime) -> list[int]:
    """The active study reminders whose occurrence is due by `now` (a missed job, another process's row)."""
    return await reminders.due_study_ids(uow.session, now)
