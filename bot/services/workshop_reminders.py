"""Workshop reminders: each confirmed place is reminded at the configured offsets before the start, once per slot.

The clock calls `queue_due` on its scan; the wording is the chat layer's (a writer handed in, as the seat notices'
NoticeWriter), the claim of a slot is the unique key of `sent_reminders` (storage/reminders.py), so two clocks or a
late catch-up never remind anyone twice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select

from bot.domain.messages import Reply
from bot.domain.statuses import DeliveryStatus
from bot.domain.timing import after_quiet_hours
from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshops import RegistrationStatus, WorkshopStatus
from bot.services.outbox import enqueue_for_user
from bot.services.unit_of_work import commits
from storage import reminders as store
from storage.models import NotificationPrefs, Registration, SentReminder, User, Workshop
from storage.users import person_zone

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork

# The kind of message and of claimed slot; the outbox row's kind as well.
KIND = "workshop"
# An urgent reminder (the workshop starts before quiet hours end) still goes out this long before the start.
URGENT_BEFORE = timedelta(minutes=30)

# The reminder for one workshop; the second argument is the IANA zone to show the person's own time in, the last
# the recipient's language to write it in.
ReminderWriter = Callable[[WorkshopInfo, str, str], Reply]


@commits
async def queue_due(
    uow: UnitOfWork,
    slots: Sequence[tuple[str, timedelta]],
    write: ReminderWriter,
    *,
    now: datetime,
    quiet: tuple[time, time],
    default_zone: str,
    default_locale: str,
) -> int:
    """Queue the reminders that are due; `slots` are (name, offset) sorted nearest first. A slot missed because a
    later one is due is skipped. Returns how many were queued."""
    if not slots:
        return 0
    session = uow.session
    queued = 0
    window = (
        Registration.status == RegistrationStatus.CONFIRMED,
        Workshop.status != WorkshopStatus.CANCELLED,
        Workshop.starts_at.is_not(None),
        Workshop.starts_at > now,
        Workshop.starts_at <= now + slots[-1][1],
    )
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
                .where(SentReminder.kind == KIND, *window)
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
        zone = await person_zone(session, user, default_zone, default_locale)
        morning = after_quiet_hours(now, zone, quiet)
        # In quiet hours nothing is queued yet: the morning's tick finds this slot again and checks the
        # registration and the workshop then, so a cancellation overnight is never followed by a reminder.
        # Unless the workshop starts before the morning: then the reminder is urgent and goes now.
        if morning > now and morning < starts - URGENT_BEFORE:
            continue
        if not await store.record_slot(session, KIND, user_id, registration_id, current[0], DeliveryStatus.SENT, now):
            continue

        shown = WorkshopInfo.of(workshop)

        def build(language: str, ws: WorkshopInfo = shown, zone_name: str = zone.key) -> Reply:
            return write(ws, zone_name, language)

        await enqueue_for_user(
            session,
            user_id,
            build,
            kind=KIND,
            ref_id=registration_id,
            not_before=now,
            default_locale=default_locale,
        )
        queued += 1
    return queued
