"""The window of dates staff may schedule things in (workshops, registration windows, broadcasts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

# Nothing in the program is planned further ahead than this; a later date is a typo (9999-12-31), and near the end
# of the calendar converting between zones overflows.
MAX_YEARS_AHEAD = 5


def years_later(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True, slots=True)
class BadMoment:
    """Why a venue time was refused: the clocks skip it (daylight saving), it is before `earliest`, or after
    `latest` (both UTC, for the message)."""

    reason: Literal["skipped", "past", "too_early", "too_far"]
    earliest: datetime
    latest: datetime


def venue_moment(naive: datetime, zone: ZoneInfo, now: datetime, *, past_ok: bool = False) -> datetime | BadMoment:
    """Wall-clock `naive` in `zone` as a UTC moment inside the window, or why not.

    The window ends MAX_YEARS_AHEAD years after `now`; it starts at `now`, or, where a past time makes sense
    (`past_ok`, e.g. when registration opened), as many years before it.
    """
    latest = years_later(now, MAX_YEARS_AHEAD)
    earliest = now if not past_ok else years_later(now, -MAX_YEARS_AHEAD)
    try:
        moment = naive.replace(tzinfo=zone).astimezone(UTC)
    except OverflowError:
        # Only the very ends of the calendar (years 1 and 9999) cannot be converted: far off either way.
        if naive.year > now.year:
            return BadMoment("too_far", earliest, latest)
        return BadMoment("too_early" if past_ok else "past", earliest, latest)
    if moment > latest:
        return BadMoment("too_far", earliest, latest)
    if moment <= earliest:
        return BadMoment("too_early" if past_ok else "past", earliest, latest)
    if moment.astimezone(zone).replace(tzinfo=None) != naive:
        return BadMoment("skipped", earliest, latest)
    return moment
