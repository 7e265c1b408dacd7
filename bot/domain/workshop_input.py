"""What staff give to create or change a workshop, already read from chat or CLI: fields, venue times, zones.

One reading of a staff date for workshops and broadcasts, in chat and CLI; refusals are `BadTime` / `BadZone`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.dates import BadMoment, venue_moment
from bot.domain.workshop_refusals import BadTime, BadZone
from bot.domain.zones import check_zone

# The field names staff type (`key=value` in chat, `--key` in the CLI), in the order help texts list them.
FIELD_NAMES = ("city", "title", "venue", "zone", "start", "duration", "capacity", "opens", "closes")
# Words that leave a registration window open-ended, and a date to be announced.
NO_TIME = ("none", "-", "")
TBA = "tba"


@dataclass(slots=True)
class WorkshopFields:
    """Parsed staff input; None leaves a field as it is."""

    city: str | None = None
    title: str | None = None
    venue: str | None = None
    timezone: str | None = None
    start_local: str | None = None  # "YYYY-MM-DD HH:MM" in the workshop's zone, or "tba"
    duration_minutes: int | None = None
    capacity: int | None = None
    opens_local: str | None = None  # "YYYY-MM-DD HH:MM", or "none"
    closes_local: str | None = None


def zone_name(value: str) -> str:
    """The staff tools' zone field: the IANA name, or BadZone (with zones to suggest when it is a folder)."""
    zone = check_zone(value)
    if isinstance(zone, ZoneInfo):
        return value.strip()
    raise BadZone(zone.name if zone.is_folder else value[:64], zone.suggestions)


def venue_time(text: str, zone: str, *, now: datetime, past_ok: bool = False) -> datetime:
    """A wall-clock time at the venue ("2026-03-29 10:00") as a UTC moment.

    A time the clocks skip is refused, and so is one outside the window (bot.domain.dates): in the past unless
    `past_ok`, or more than a few years ahead."""
    try:
        naive = datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")
    except ValueError:
        raise BadTime(text[:40], zone, "unreadable") from None
    moment = venue_moment(naive, ZoneInfo(zone), now, past_ok=past_ok)
    if not isinstance(moment, BadMoment):
        return moment
    reason = "too_late" if moment.reason == "too_far" else moment.reason
    raise BadTime(text[:40], zone, reason, earliest=moment.earliest, latest=moment.latest)


def optional_venue_time(text: str, zone: str, now: datetime) -> datetime | None:
    """A registration window's end: none, or a venue time. It may well have opened already: a past time is fine."""
    return None if text.strip().lower() in NO_TIME else venue_time(text, zone, now=now, past_ok=True)


def start_time(text: str, zone: str, now: datetime) -> datetime | None:
    """A new workshop's start: "tba" (or nothing) leaves the date to be announced."""
    return None if not text or text.strip().lower() == TBA else venue_time(text, zone, now=now)
