"""What the clock runs. Each job is a function of the rows and `now`: it claims its work with a guarded update or a
unique key in the same transaction that writes the outbox rows, so running it twice (two clocks, a restart, a
late catch-up) sends nothing twice.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.content import Content
from bot.domain.timing import parse_offset, parse_quiet_hours
from bot.services import broadcasts, study_messages, workshop_reminders
from bot.services.seats import expire_lapsed
from bot.settings import Settings
from handlers.broadcast import announcement, broadcast_report
from handlers.reminders import study_message
from handlers.workshop_views import outbox_notifier, reminder

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)


# -- study reminders ----------------------------------------------------------------------------------------------


async def fire_study(
    storage: UnitsOfWork, content: Content, settings: Settings, reminder_id: int, now: datetime
) -> bool:
    """Send one due study reminder and move it to its next occurrence; True when a message was queued."""
    async with storage.unit_of_work() as uow:
        return await study_messages.send_study_reminder(
            uow,
            reminder_id,
            now=now,
            content=content,
            grace=timedelta(minutes=settings.reminder_grace_minutes),
            default_zone=settings.default_timezone,
            default_locale=settings.default_language,
            write=functools.partial(study_message, content),
        )


# -- workshop seat offers ----------------------------------------------------------------------------------------


async def expire_offers(storage: UnitsOfWork, content: Content, settings: Settings, now: datetime) -> int:
    """Lapsed seat offers pass to the next person waiting even when nobody uses the bot; returns how many lapsed."""
    async with storage.unit_of_work() as uow:
        return await expire_lapsed(
            uow,
            now,
            notify=outbox_notifier(uow.session, settings, now, content.city_names),
            offer_hours=settings.waitlist_offer_hours,
        )


# -- workshop reminders -------------------------------------------------------------------------------------------


def offsets(settings: Settings) -> list[tuple[str, timedelta]]:
    return sorted(((text, parse_offset(text)) for text in settings.workshop_reminder_offsets), key=lambda p: p[1])


async def scan_workshops(storage: UnitsOfWork, content: Content, settings: Settings, now: datetime) -> int:
    """Queue the workshop reminders that are due; a slot missed because a later one is due is skipped."""
    async with storage.unit_of_work() as uow:
        return await workshop_reminders.queue_due(
            uow,
            offsets(settings),
            functools.partial(reminder, names=content.city_names),
            now=now,
            quiet=parse_quiet_hours(settings.quiet_hours),
            default_zone=settings.default_timezone,
            default_locale=settings.default_language,
        )


# -- nudges -------------------------------------------------------------------------------------------------------


# People handled per nudge transaction: the scan never holds SQLite's write lock for long, however many are due.
NUDGE_BATCH = 200


async def scan_nudges(storage: UnitsOfWork, content: Content, settings: Settings, now: datetime) -> int:
    """Nudge people who started the course and made no progress for `nudge_after_days`, once per such period."""
    period = timedelta(days=settings.nudge_after_days)
    if period <= timedelta(0):
        return 0
    quiet = parse_quiet_hours(settings.quiet_hours)
    queued = 0
    after = 0
    while True:
        async with storage.unit_of_work() as uow:
            nudged = await study_messages.send_nudges(
                uow,
                now=now,
                content=content,
                period=period,
                quiet=quiet,
                default_zone=settings.default_timezone,
                default_locale=settings.default_language,
                after=after,
                limit=NUDGE_BATCH,
                write=functools.partial(study_message, content),
            )
        queued += len(nudged)
        if len(nudged) < NUDGE_BATCH:
            return queued
        after = nudged[-1]


# -- broadcasts ---------------------------------------------------------------------------------------------------


# The longest pause between two fan-out chunks on SQLite (see fan_out_due).
FAN_OUT_PAUSE = 0.05


async def fan_out_due(storage: UnitsOfWork, content: Content, settings: Settings, now: datetime) -> list[int]:
    """Queue due broadcasts (and resume interrupted ones) chunk by chunk; the ids whose fan-out this call ran."""
    started = []
    quiet = parse_quiet_hours(settings.quiet_hours)
    async with storage.unit_of_work() as uow:
        ids, resumed = await broadcasts.due_fan_outs(uow, now=now)
    chunk = broadcasts.chunk_size(storage.is_sqlite)
    for broadcast_id in [*ids, *resumed]:
        if broadcast_id in ids:
            async with storage.unit_of_work() as uow:
                if not await broadcasts.start_fan_out(uow, broadcast_id, now=now):
                    continue
        count = 0
        while True:
            began = time.monotonic()
            try:
                async with storage.unit_of_work() as uow:
                    queued = await broadcasts.fan_out_chunk(
                        uow,
                        broadcast_id,
                        now=now,
                        content=content,
                        quiet=quiet,
                        default_zone=settings.default_timezone,
                        default_locale=settings.default_language,
                        write=announcement,
                        chunk=chunk,
                    )
            except broadcasts.ChunkTaken:
                # Another clock is fanning this broadcast out; it carries on from the cursor.
                break
            if queued is None:
                break
            count += queued
            if queued < chunk:
                break
            if storage.is_sqlite:
                # SQLite has one writer at a time: those of this process who waited for the chunk go first anyway
                # (storage.db.WriteTurns), and a pause as long as the chunk (at most FAN_OUT_PAUSE) lets in the
                # people who write meanwhile, and other processes (polling SQLite's lock), before the next one.
                await asyncio.sleep(min(FAN_OUT_PAUSE, time.monotonic() - began))
        log.info("broadcast %d: %d recipients queued", broadcast_id, count)
        started.append(broadcast_id)
    return started


async def finish_broadcasts(storage: UnitsOfWork, settings: Settings, now: datetime) -> list[int]:
    """Close broadcasts whose every row is final and send the author a report."""
    async with storage.unit_of_work() as uow:
        return await broadcasts.finish_done(
            uow, now=now, default_locale=settings.default_language, write_report=broadcast_report
        )
