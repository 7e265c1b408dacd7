"""Study reminders, the person's time zone, and which notifications they want.

/remind, /timezone and /notifications call these; the clock sends the reminders from the rows (scheduler/jobs.py).
Refusals are the typed exceptions of bot.domain.reminders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.domain.home_zone import inferred_zone
from bot.domain.reminders import (
    MAX_STUDY_REMINDERS,
    NOTIFICATION_KINDS,
    NoSuchReminder,
    TooManyReminders,
    UnknownNotificationKind,
    UnknownTimeZone,
    first_due,
    next_due,
    stored_weekdays,
)
from bot.domain.timing import zone_or_none
from bot.services.unit_of_work import commits
from storage import reminders as store
from storage.models import StudyReminder, User

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork


class ZoneSource(StrEnum):
    """Where the zone of a new reminder came from: the person's choice, a guess now kept, or a stand-in."""

    CHOSEN = "chosen"
    GUESSED = "guessed"
    STAND_IN = "stand_in"


@dataclass(frozen=True, slots=True)
class ReminderView:
    id: int
    weekdays: tuple[int, ...]
    at_local: str
    paused: bool
    next_due_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReminderAdded:
    reminder: ReminderView
    zone: str
    zone_source: ZoneSource


def _view(row: StudyReminder) -> ReminderView:
    return ReminderView(
        id=row.id,
        weekdays=tuple(int(day) for day in row.weekdays.split(",") if day),
        at_local=row.at_local,
        paused=row.paused,
        next_due_at=row.next_due_at,
    )


async def study_reminders(uow: UnitOfWork, user_id: int) -> list[ReminderView]:
    return [_view(row) for row in await store.study_reminders(uow.session, user_id)]


@commits
async def add_study_reminder(
    uow: UnitOfWork,
    user_id: int,
    days: Sequence[int],
    at: time,
    *,
    now: datetime,
    zone: str,
    venue_zone: str | None,
    locale: str,
) -> ReminderAdded:
    """A weekly reminder at `at` on `days` in the person's zone.

    `zone` is the zone shown to them now. Someone who never chose one is asked once, when something is first
    scheduled: a good guess (their workshop's or their language's zone) is kept as their zone; otherwise `zone`
    stands in and the caller offers a choice."""
    session = uow.session
    if len(await store.study_reminders(session, user_id)) >= MAX_STUDY_REMINDERS:
        raise TooManyReminders(MAX_STUDY_REMINDERS)
    user = await session.get_one(User, user_id)
    source = ZoneSource.CHOSEN
    if not user.timezone:
        guess = inferred_zone(venue_zone, locale)
        if guess is not None:
            user.timezone = zone = guess
            source = ZoneSource.GUESSED
        else:
            source = ZoneSource.STAND_IN
    reminder = StudyReminder(
        user_id=user_id,
        weekdays=stored_weekdays(days),
        at_local=at.strftime("%H:%M"),
        next_due_at=first_due(days, at, zone, now),
        created_at=now,
    )
    session.add(reminder)
    await session.flush()
    return ReminderAdded(_view(reminder), zone, source)


async def _owned(uow: UnitOfWork, user_id: int, reminder_id: int) -> StudyReminder:
    reminder = await store.study_reminder(uow.session, user_id, reminder_id)
    if reminder is None:
        raise NoSuchReminder(reminder_id)
    return reminder


@commits
async def pause_reminder(uow: UnitOfWork, user_id: int, reminder_id: int) -> ReminderView:
    reminder = await _owned(uow, user_id, reminder_id)
    reminder.paused = True
    return _view(reminder)


@commits
async def resume_reminder(uow: UnitOfWork, user_id: int, reminder_id: int, *, zone: str, now: datetime) -> ReminderView:
    """Resumed reminders are due next at their local time in `zone`, not at the moment they were paused at."""
    reminder = await _owned(uow, user_id, reminder_id)
    reminder.paused = False
    reminder.next_due_at = next_due(reminder.weekdays, reminder.at_local, zone, now) or reminder.next_due_at
    return _view(reminder)


@commits
async def remove_reminder(uow: UnitOfWork, user_id: int, reminder_id: int) -> None:
    reminder = await _owned(uow, user_id, reminder_id)
    await uow.session.delete(reminder)
    await uow.session.flush()


@commits
async def set_time_zone(uow: UnitOfWork, user_id: int, zone: str, *, now: datetime) -> int:
    """Set the person's zone; their study reminders keep their local time in it. Returns how many moved."""
    if zone_or_none(zone) is None:
        raise UnknownTimeZone(zone)
    user = await uow.session.get_one(User, user_id)
    user.timezone = zone
    moved = 0
    for reminder in await store.study_reminders(uow.session, user_id):
        following = next_due(reminder.weekdays, reminder.at_local, zone, now)
        if following is not None:
            reminder.next_due_at = following
            moved += 1
    return moved


async def notification_choices(uow: UnitOfWork, user_id: int) -> dict[str, bool]:
    """Which kinds of message the person wants (all on until they say otherwise)."""
    return await store.choices(uow.session, user_id, NOTIFICATION_KINDS)


@commits
async def set_notification(uow: UnitOfWork, user_id: int, kind: str, on: bool) -> dict[str, bool]:
    if kind not in NOTIFICATION_KINDS:
        raise UnknownNotificationKind(kind)
    await store.set_wanted(uow.session, user_id, kind, on)
    return await notification_choices(uow, user_id)
