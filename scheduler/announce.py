"""Each started broadcast posted once in public (Discord's announcement channel), beside its deliveries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.ports import BroadcastAnnouncer
from bot.core.replies import Reply
from bot.services import announcements
from handlers.broadcast import announcement

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)


async def announce_pending(storage: UnitsOfWork, announcers: Sequence[BroadcastAnnouncer], now: datetime) -> int:
    """Post each started broadcast once to the announcement channels; a failed post is tried again later.

    The row's `announced_at` is the truth, so neither a crash nor a channel that is down loses the public copy.
    Only broadcasts started in the last day qualify (bot/services/announcements.py). A broadcast for one platform's
    members is posted only on that platform's channel."""
    if not announcers:
        return 0
    async with storage.unit_of_work() as uow:
        pending = await announcements.waiting(uow, now)
    announced = 0
    for item in pending:
        reply = Reply(announcement(item.text, item.language), lang=item.language)
        try:
            done = [
                await announcer.announce(reply)
                for announcer in announcers
                if item.platform in (None, announcer.platform)
            ]
        except Exception:
            log.exception("announcing broadcast %d failed; trying again later", item.broadcast_id)
            continue
        if all(done):
            async with storage.unit_of_work() as uow:
                await announcements.mark_announced(uow, item.broadcast_id, now)
            announced += 1
    return announced
