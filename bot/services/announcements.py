"""Started broadcasts posted once in public (Discord's announcement channel): which are waiting, and the mark.

scheduler/announce.py posts them through the doors' announcers; the row's `announced_at` is the truth, so neither a
crash nor a channel that is down loses the public copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from bot.domain.statuses import BroadcastStatus
from bot.services.unit_of_work import commits
from storage.broadcasts import text_for
from storage.models import Broadcast

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork

# A broadcast older than this is no longer announced (e.g. when Discord is switched on later).
ANNOUNCE_WITHIN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Announcement:
    broadcast_id: int
    # Only that platform's channel posts it (the broadcast is for its members); None: every channel.
    platform: str | None
    # The broadcast's default language, and the staff text in it.
    language: str
    text: str


async def waiting(uow: UnitOfWork, now: datetime) -> list[Announcement]:
    """Broadcasts started in the last day and not announced yet, oldest first: turning Discord on later must not
    replay history."""
    rows = await uow.session.scalars(
        select(Broadcast)
        .where(
            Broadcast.announced_at.is_(None),
            Broadcast.started_at.is_not(None),
            Broadcast.started_at >= now - ANNOUNCE_WITHIN,
            Broadcast.status.in_((BroadcastStatus.SENDING, BroadcastStatus.DONE)),
        )
        .order_by(Broadcast.id)
    )
    return [
        Announcement(
            row.id, (row.audience or {}).get("platform"), row.default_language, text_for(row, row.default_language)
        )
        for row in rows
    ]


@commits
async def mark_announced(uow: UnitOfWork, broadcast_id: int, now: datetime) -> None:
    await uow.session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(announced_at=now))
