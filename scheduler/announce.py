"""Each started broadcast posted once in public (Discord's announcement channel), beside its deliveries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.core.ports import BroadcastAnnouncer
from bot.core.replies import Reply
from handlers.broadcast import announcement
from storage.broadcasts import text_for
from storage.models import Broadcast
from storage.uow import Storage

log = logging.getLogger(__name__)

# A broadcast older than this is no longer announced (e.g. when Discord is switched on later).
ANNOUNCE_WITHIN = timedelta(days=1)


async def announce_pending(storage: Storage, announcers: Sequence[BroadcastAnnouncer], now: datetime) -> int:
    """Post each started broadcast once to the announcement channels; a failed post is tried again later.

    The row's `announced_at` is the truth, so neither a crash nor a channel that is down loses the public copy.
    Only broadcasts started in the last day qualify: turning Discord on later must not replay history. A broadcast
    for one platform's members is posted only on that platform's channel."""
    if not announcers:
        return 0
    async with storage.unit_of_work() as uow:
        pending = list(
            await uow.session.scalars(
                select(Broadcast)
                .where(
                    Broadcast.announced_at.is_(None),
                    Broadcast.started_at.is_not(None),
                    Broadcast.started_at >= now - ANNOUNCE_WITHIN,
                    Broadcast.status.in_(("sending", "done")),
                )
                .order_by(Broadcast.id)
            )
        )
    announced = 0
    for broadcast in pending:
        platform = (broadcast.audience or {}).get("platform")
        language = broadcast.default_language
        reply = Reply(announcement(text_for(broadcast, language), language), lang=language)
        try:
            done = [
                await announcer.announce(reply) for announcer in announcers if platform in (None, announcer.platform)
            ]
        except Exception:
            log.exception("announcing broadcast %d failed; trying again later", broadcast.id)
            continue
        if all(done):
            async with storage.unit_of_work() as uow:
                await uow.session.execute(
                    update(Broadcast).where(Broadcast.id == broadcast.id).values(announced_at=now)
                )
            announced += 1
    return announced
