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

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.core.replies import Reply, esc, link
from bot.i18n import _
from bot.services.seats import expire_offers as expire_lapsed_offers
from bot.settings import Settings
from handlers.workshop_views import outbox_notifier, when_lines, where_line
from scheduler import zones as zone_store
from scheduler.timing import after_quiet_hours, next_weekly, parse_offset, parse_quiet_hours, parse_time, zone_or_none
from scheduler.zones import person_zone
from storage import broadcasts as broadcast_store
from storage import reminders as store
from storage.models import (
    Broadcast,
    LectureProgress,
    NotificationPrefs,
    Registration,
    SentReminder,
    User,
    Workshop,
)
from storage.outbox import enqueue_for_user
from storage.progress import done_keys
from storage.uow import Storage
from storage.users import language_of

log = logging.getLogger(__name__)


async def user_zone(session: AsyncSession, user: User | None, settings: Settings) -> ZoneInfo:
    """The person's zone by the one rule the chat uses too (scheduler/zones.py)."""
    return await person_zone(session, user, settings.default_timezone, settings.default_language)


def _lecture_line(content: Content, key: str | None) -> str:
    url = str(content.program.course.url)
    course_link = link(url)
    lecture = content.lecture(key) if key else None
    if lecture is None:
        return _("You have watched every lecture. The course is at {link}.").format(link=course_link)
    return _("Next lecture: {key} “{title}” — {link}").format(
        key=lecture.key, title=esc(lecture.title), link=course_link
    )


# -- study reminders ----------------------------------------------------------------------------------------------


async def fire_study(storage: Storage, content: Content, settings: Settings, reminder_id: int, now: datetime) -> bool:
    """Send one due study reminder and move it to its next occurrence; True when a message was queued."""
    async with storage.unit_of_work() as uow:
        session = uow.session
        from storage.models import StudyReminder

        row = await session.get(StudyReminder, reminder_id)
        if row is None or row.paused or row.next_due_at is None or row.next_due_at > now:
            return False
        user = await session.get(User, row.user_id)
        zone = await user_zone(session, user, settings)
        at = parse_time(row.at_local)
        days = [int(d) for d in row.weekdays.split(",") if d]
        if at is None or not days:
            return False
        due = row.next_due_at
        following = next_weekly(days, at, zone, max(now, due))
        if not await store.claim_study(session, reminder_id, due, following):
            return False
        late = now - due > timedelta(minutes=settings.reminder_grace_minutes)
        if late or not await store.wants(session, row.user_id, "study"):
            if late:
                log.info("study reminder %d missed by %s: skipped", reminder_id, now - due)
            return False
        line = _lecture_line_for(content, set(await done_keys(session, row.user_id)))
        # The person chose this time themselves: quiet hours hold back what the bot starts, not what was asked for.
        not_before = now
        await enqueue_for_user(
            session,
            row.user_id,
            lambda: Reply(_("⏰ Time to study!") + "\n" + line()),
            kind="study",
            ref_id=reminder_id,
            not_before=not_before,
            default_locale=settings.default_language,
        )
        return True


def _lecture_line_for(content: Content, done: set[str]) -> _LazyLine:
    upcoming = content.next_lecture(done)
    return _LazyLine(content, upcoming.key if upcoming else None)


class _LazyLine:
    """Built inside the recipient's locale (enqueue_for_user sets it), so the words come out in their language."""

    def __init__(self, content: Content, key: str | None) -> None:
        self.content, self.key = content, key

    def __call__(self) -> str:
        return _lecture_line(self.content, self.key)


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


def due_nudges_query(content: Content, now: datetime, period: timedelta, after: int, limit: int) -> Select[User]:
    """The people to nudge, in user id order after `after`: one query, not a loop over everyone.

    Due: their latest lecture mark is at least `period` old, some lecture of the course is still not done, they are
    not deleted, and they have not turned nudges off nor been nudged within `period`.
    """
    threshold = now - period
    keys = sorted(lecture.key for lecture in content.all_lectures())
    stalled = (
        select(LectureProgress.user_id)
        .where(LectureProgress.user_id > after)
        .group_by(LectureProgress.user_id)
        .having(
            func.max(LectureProgress.completed_at) <= threshold,
            # (user, lecture) is unique: counting the marks of the course's lectures counts the lectures done.
            func.count(case((LectureProgress.lecture_key.in_(keys), 1))) < len(keys),
        )
        .subquery()
    )
    return (
        select(User)
        .join(stalled, stalled.c.user_id == User.id)
        .outerjoin(NotificationPrefs, NotificationPrefs.user_id == User.id)
        .where(
            User.deleted_at.is_(None),
            or_(
                NotificationPrefs.user_id.is_(None),
                and_(
                    NotificationPrefs.nudge.is_(True),
                    or_(NotificationPrefs.last_nudge_at.is_(None), NotificationPrefs.last_nudge_at <= threshold),
                ),
            ),
        )
        .order_by(User.id)
        .limit(limit)
    )


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
            session = uow.session
            users = list(await session.scalars(due_nudges_query(content, now, period, after, NUDGE_BATCH)))
            for user in users:
                done = set(await done_keys(session, user.id))
                (await store.prefs(session, user.id)).last_nudge_at = now
                line = _lecture_line_for(content, done)

                def nudge(line: _LazyLine = line) -> Reply:
                    return Reply(_("👋 It has been a while since your last lecture.") + "\n" + line())

                await enqueue_for_user(
                    session,
                    user.id,
                    nudge,
                    kind="nudge",
                    ref_id=None,
                    not_before=after_quiet_hours(now, await user_zone(session, user, settings), quiet),
                    default_locale=settings.default_language,
                )
                queued += 1
        if len(users) < NUDGE_BATCH:
            return queued
        after = users[-1].id


# -- broadcasts ---------------------------------------------------------------------------------------------------


def broadcast_message(text: str) -> str:
    """Staff text is escaped, never interpreted: `<`, `&` and right-to-left script arrive exactly as typed."""
    return _("📣 <b>Message from the program team</b>") + "\n\n" + esc(text)


# The longest pause between two fan-out chunks on SQLite (see fan_out_due).
FAN_OUT_PAUSE = 0.05


async def fan_out_due(storage: Storage, content: Content, settings: Settings, now: datetime) -> list[int]:
    """Queue due broadcasts (and resume interrupted ones) chunk by chunk; the ids whose fan-out this call ran."""
    started = []
    quiet = parse_quiet_hours(settings.quiet_hours)
    async with storage.unit_of_work() as uow:
        ids = await broadcast_store.due(uow.session, now)
        resumed = await broadcast_store.unfinished_fan_outs(uow.session)

    async def render(session: AsyncSession, broadcast: Broadcast, users: list[User]) -> list[tuple[str, datetime]]:
        from bot.i18n import use_locale

        # One query for the chunk: the workshop zones of its people (used by those who never set a valid zone).
        venues = await zone_store.venue_zones(session, [user.id for user in users])
        urgent = bool((broadcast.audience or {}).get("urgent"))
        # A chunk holds a thousand people but only a few languages and zones: each text and time is worked out once.
        texts: dict[str, str] = {}
        times: dict[str, datetime] = {}
        rendered = []
        for user in users:
            locale = language_of(user, settings.default_language)
            if locale not in texts:
                with use_locale(locale):
                    texts[locale] = broadcast_message(broadcast_store.text_for(broadcast, locale))
            zone = zone_store.zone_rule(user.timezone, venues.get(user.id), locale, settings.default_timezone)
            if zone not in times:
                times[zone] = now if urgent else after_quiet_hours(now, zone_or_none(zone) or ZoneInfo("UTC"), quiet)
            rendered.append((texts[locale], times[zone]))
        return rendered

    chunk = broadcast_store.FAN_OUT_CHUNK
    for broadcast_id in [*ids, *resumed]:
        if broadcast_id in ids:
            async with storage.unit_of_work() as uow:
                if not await broadcast_store.start_fan_out(uow.session, broadcast_id, now):
                    continue
        count = 0
        while True:
            began = time.monotonic()
            try:
                async with storage.unit_of_work() as uow:
                    queued = await broadcast_store.fan_out_chunk(
                        uow.session, broadcast_id, now, content, settings.default_language, render, chunk
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
    finished = []
    async with storage.unit_of_work() as uow:
        for broadcast in await broadcast_store.sending(uow.session):
            counts = await broadcast_store.finish(uow.session, broadcast.id, now)
            if counts is None:
                continue
            finished.append(broadcast.id)
            if broadcast.author_user_id is None:
                continue
            delivered, unreachable, failed = (counts.get(k, 0) for k in ("sent", "unreachable", "failed"))
            number = broadcast.id

            def report(number: int = number, d: int = delivered, u: int = unreachable, f: int = failed) -> Reply:
                return Reply(
                    _(
                        "📊 Broadcast #{id} is done: {delivered} delivered, {unreachable} unreachable, {failed} failed."
                    ).format(id=number, delivered=d, unreachable=u, failed=f)
                )

            await enqueue_for_user(
                uow.session,
                broadcast.author_user_id,
                report,
                kind="report",
                ref_id=broadcast.id,
                not_before=now,
                default_locale=settings.default_language,
            )
    return finished
