"""What a platform calendar (Discord's Events tab) shows of the workshops, read for the door that mirrors them.

Read only: the calendar follows the workshop rows, whoever changed them (chat on any platform, the CLI, another
process). The door turns these plain values into the platform's events (bot/adapters/discord/events_sync.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.domain.workshops import WorkshopStatus
from storage.models import Workshop

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """The neutral facts of one workshop that a calendar event shows."""

    workshop_id: int
    city: str
    title: str
    venue: str
    starts_at: datetime | None
    duration_minutes: int
    status: WorkshopStatus


async def entry(uow: UnitOfWork, workshop_id: int) -> CalendarEntry | None:
    row = await uow.session.get(Workshop, workshop_id)
    if row is None:
        return None
    return CalendarEntry(
        row.id, row.city, row.title, row.venue, row.starts_at, row.duration_minutes, WorkshopStatus(row.status)
    )


async def workshops_to_mirror(uow: UnitOfWork, now: datetime) -> list[int]:
    """Workshops whose event may need creating or cancelling: dated in the future, or cancelled."""
    result = await uow.session.scalars(
        select(Workshop.id)
        .where((Workshop.starts_at > now) | (Workshop.status == WorkshopStatus.CANCELLED))
        .order_by(Workshop.id)
    )
    return list(result)


async def fingerprint(uow: UnitOfWork) -> tuple[object, ...]:
    """Changes whenever staff create or change a workshop (from chat, the CLI or another process)."""
    # Every row, not just the newest stamp: clocks of two processes need not agree. There are tens of rows.
    rows = await uow.session.execute(select(Workshop.id, Workshop.updated_at, Workshop.status).order_by(Workshop.id))
    return tuple(tuple(row) for row in rows)
