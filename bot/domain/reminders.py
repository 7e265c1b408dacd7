"""Weekly study reminders and notification choices: limits, the next due moment, typed refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from bot.domain.timing import next_weekly, parse_weekly, zone_or_none

MAX_STUDY_REMINDERS = 10
# What a person can turn on and off in /notifications.
NOTIFICATION_KINDS = ("workshop", "study", "nudge")


class ReminderRefused(Exception):
    """A reminder change that cannot be made; the subclass and its fields say why."""


@dataclass(eq=False)
class TooManyReminders(ReminderRefused):
    limit: int


@dataclass(eq=False)
class NoSuchReminder(ReminderRefused):
    """Unknown, or someone else's (a button is never trusted)."""

    reminder_id: int


@dataclass(eq=False)
class UnknownTimeZone(ReminderRefused):
    zone: str


@dataclass(eq=False)
class UnknownNotificationKind(ReminderRefused):
    kind: str


def stored_weekdays(days: Sequence[int]) -> str:
    return ",".join(str(day) for day in days)


def next_due(weekdays: str, at_local: str, zone_name: str, after: datetime) -> datetime | None:
    """When a stored weekly reminder ("1,4", "19:00") is next due in `zone_name`; None when it cannot be read."""
    parsed = parse_weekly(f"{weekdays} {at_local}")
    zone = zone_or_none(zone_name)
    if parsed is None or zone is None:
        return None
    return next_weekly(parsed[0], parsed[1], zone, after)


def first_due(days: Sequence[int], at: time, zone_name: str, after: datetime) -> datetime:
    zone = zone_or_none(zone_name)
    if zone is None:
        raise UnknownTimeZone(zone_name)
    return next_weekly(days, at, zone, after)
