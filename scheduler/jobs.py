"""What the clock runs. Each job is a function of the rows and `now`: it claims its work with a guarded update or a
unique key in the same transaction that writes the outbox rows, so running it twice (two clocks, a restart, a
late catch-up) sends nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.core.replies import Reply, esc
from bot.domain.timing import after_quiet_hours, parse_offset, parse_quiet_hours
from bot.i18n import _
from bot.services import broadcasts, study_messages
from bot.services.outbox import enqueue_for_user
from bot.services.seats import expire_offers as expire_lapsed_offers
from bot.settings import Settings
from handlers.workshop_views import outbox_notifier, when_lines, where_line
from storage import broadcasts as broadcast_store
from storage import reminders as store
from storage.models import (
    NotificationPrefs,
    Registration,
    SentReminder,
    User,
    Workshop,
)
from storage.uow import Storage
from storage.users import person_zone

log = logging.getLogger(__name__)


async def user_zone(session: AsyncSession, user: User | None, settings: Settings) -> ZoneInfo:
    """The person's zone by the one rule the chat uses too (bot/domain/home_zone.py)."""
    return await person_zone(session, user, settings.default_timezone, settings.default_language)


# -- study reminders ----------------------------------------------------------------------------------------------


async def fire_study(storage: Storage, content: Content, settings: Settings, reminder_id: int, now: datetime) -> bool:
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
        )


# -- workshop seat offers ----------------------------------------------------------------------------------------


async def expire_offers(storage: Storage, content: Content, settings: Settings, now: datetime) -> int:
    """Lapsed seat offers pass to the next person waiting even when nobody uses the bot; returns how many lapsed."""
    async with storage.unit_of_work() as uow:
        expired = await expire_lapsed_offers(
            uow.session,
            now,
            notify=outbox_notifier(uow.session, settings, now, content.city_names),
            offer_hours=settings.waitlist_offer_hours,
        )
    return len(expired)


# -- workshop reminders -------------------------------------------------------------------------------------------


def offsets(settings: Settings) -> list[tuple[str, timedelta]]:
    return sorted(((text, parse_offset(text)) for text in settings.workshop_reminder_offsets), key=lambda p: p[1])


async def scan_workshops(storage: Storage, content: Content, settings: Settings, now: datetime) -> int:
    """Queue the workshop reminders that are due; a slot missed because a later one is due is skipped."""
    slots = offsets(settings)
    if not slots:
        return 0
    quiet = parse_quiet_hours(settings.quiet_hours)
    names = content.city_names
    queued = 0
    window = (
        Registration.status == "confirmed",
        Workshop.status != "cancelled",
        Workshop.starts_at.is_not(None),
        Workshop.starts_at > now,
        Workshop.starts_at <= now + slots[-1][1],
    )
    async with storage.unit_of_work() as uow:
        session = uow.session
        # Two queries for the whole window, whatever its size: the confirmed places with their people (unless they
        # turned workshop reminders off), and the slots already handled, so a tick with nothing due reads no more.
        wants = or_(NotificationPrefs.user_id.is_(None), NotificationPrefs.workshop.is_(True))
        # Plain columns: thousands of places are read on every tick, objects are loaded only for the few due.
        rows = await session.execute(
            select(Registration.id, Registration.user_id, Registration.registered_at, Workshop.id, Workshop.starts_at)
            .join(Workshop, Workshop.id == Registration.workshop_id)
            .outerjoin(NotificationPrefs, NotificationPrefs.user_id == Registration.user_id)
            .where(*window, wants)
            .order_by(Registration.id)
        )
        handled = {
            (ref_id, slot)
            for ref_id, slot in (
                await session.execute(
                    select(SentReminder.ref_id, SentReminder.slot)
                    .join(
                        Registration,
                        and_(Registration.id == SentReminder.ref_id, Registration.user_id == SentReminder.user_id),
                    )
                    .join(Workshop, Workshop.id == Registration.workshop_id)
                    .where(SentReminder.kind == "workshop", *window)
                )
            )
        }
        for registration_id, user_id, registered_at, workshop_id, starts in rows.all():
            assert starts is not None
            # The nearest slot whose time has come, and that was still ahead when the person registered.
            current = next(
                ((name, delta) for name, delta in slots if starts - delta <= now and starts - delta >= registered_at),
                None,
            )
            if current is None or (registration_id, current[0]) in handled:
                continue
            workshop = await session.get_one(Workshop, workshop_id)
            user = await session.get_one(User, user_id)
            zone = await user_zone(session, user, settings)
            morning = after_quiet_hours(now, zone, quiet)
            # In quiet hours nothing is queued yet: the morning's tick finds this slot again and checks the
            # registration and the workshop then, so a cancellation overnight is never followed by a reminder.
            # Unless the workshop starts before the morning: then the reminder is urgent and goes now.
            if morning > now and morning < starts - timedelta(minutes=30):
                continue
            if not await store.record_slot(session, "workshop", user_id, registration_id, current[0], "sent", now):
                continue
            not_before = now
            zone_name = zone.key

            def build(ws: Workshop = workshop, zone_name: str = zone_name) -> Reply:
                # The venue's time with its zone, the person's own time beside it when it differs, and the address.
                lines = [
                    _("📅 Reminder: <b>{title}</b>").format(title=esc(ws.title)),
                    *when_lines(ws, zone_name),
                    where_line(ws, names),
                ]
                return Reply("\n".join(lines))

            await enqueue_for_user(
                session,
                user_id,
                build,
                kind="workshop",
                ref_id=registration_id,
                not_before=not_before,
                default_locale=settings.default_language,
            )
            queued += 1
    return queued


# -- nudges -------------------------------------------------------------------------------------------------------


# People handled per nudge transaction: the scan never holds SQLite's write lock for long, however many are due.
NUDGE_BATCH = 200


async def scan_nudges(storage: Storage, content: Content, settings: Settings, now: datetime) -> int:
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
            )
        queued += len(nudged)
        if len(nudged) < NUDGE_BATCH:
            return queued
        after = nudged[-1]


# -- broadcasts ---------------------------------------------------------------------------------------------------


# The longest pause between two fan-out chunks on SQLite (see fan_out_due).
FAN_OUT_PAUSE = 0.05


async def fan_out_due(storage: Storage, content: Content, settings: Settings, now: datetime) -> list[int]:
    """Queue due broadcasts (and resume interrupted ones) chunk by chunk; the ids whose fan-out this call ran."""
    started = []
    quiet = parse_quiet_hours(settings.quiet_hours)
    async with storage.unit_of_work() as uow:
        ids, resumed = await broadcasts.due_fan_outs(uow, now=now)
    chunk = broadcast_store.FAN_OUT_CHUNK
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
                        chunk=chunk,
                    )
            except broadcast_store.ChunkTaken:
                # Another clock is fanning this broadcast out; it carries on from the cursor.
                break
            if queued is None:
                break
            count += queued
            if queued < chunk:
                break
            if storage.is_sqlite:
                # SQLite's waiting writers poll for the lock (every 1 to 100 ms): a pause as long as the chunk (at
                # most FAN_OUT_PAUSE) lets the people using the bot meanwhile in before the next chunk takes it.
                await asyncio.sleep(min(FAN_OUT_PAUSE, time.monotonic() - began))
        log.info("broadcast %d: %d recipients queued", broadcast_id, count)
        started.append(broadcast_id)
    return started


async def finish_broadcasts(storage: Storage, settings: Settings, now: datetime) -> list[int]:
    """Close broadcasts whose every row is final and send the author a report."""
    async with storage.unit_of_work() as uow:
        return await broadcasts.finish_done(uow, now=now, default_locale=settings.default_language)
