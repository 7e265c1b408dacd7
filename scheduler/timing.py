"""Time arithmetic for reminders: pure functions of a given moment, so tests use a frozen clock.

Recurring local times are computed in the user's IANA zone with zoneinfo, never as a fixed UTC offset: a weekly
19:00 Europe/Rome reminder is 18:00 UTC in winter and 17:00 UTC in summer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.text import is_number
from bot.domain.zones import check_zone

_OFFSET = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}

ENGLISH_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_offset(text: str) -> timedelta:
    """ "7d" → 7 days, "2h" → 2 hours, "30m" → 30 minutes."""
    match = _OFFSET.match(text.lower())
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"offset {text!r} is not like 7d, 2h or 30m")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_quiet_hours(text: str) -> tuple[time, time]:
    start, sep, end = text.partition("-")
    first, last = parse_time(start), parse_time(end)
    if not sep or first is None or last is None:
        raise ValueError(f"quiet hours {text!r} are not like 22:00-08:00")
    return first, last


def zone_or_none(name: str | None) -> ZoneInfo | None:
    zone = check_zone(name)
    return zone if isinstance(zone, ZoneInfo) else None


def day_names(locale: str) -> dict[str, int]:
    """Weekday words a person may type, in their language and in English, → ISO weekday (Monday = 1)."""
    from babel.dates import get_day_names

    names: dict[str, int] = {}
    for lang in ("en", locale):
        for width in ("wide", "abbreviated", "short"):
            for index, name in get_day_names(width, locale=lang).items():
                names[name.casefold().rstrip(".")] = index + 1
    for index, short in enumerate(ENGLISH_DAYS):
        names[short] = index + 1
    return names


def parse_weekly(text: str, locale: str = "en") -> tuple[list[int], time] | None:
    """ "mon,thu 19:00" → ([1, 4], 19:00); "daily 8:30" and "weekdays 18:00" too. None when unreadable."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    if len(tokens) < 2:
        return None
    at = parse_time(tokens[-1])
    if at is None:
        return None
    names = day_names(locale)
    days: set[int] = set()
    for token in tokens[:-1]:
        word = token.casefold().rstrip(".")
        if word in ("daily", "everyday", "every"):
            days.update(range(1, 8))
        elif word == "weekdays":
            days.update(range(1, 6))
        elif is_number(word) and 1 <= int(word) <= 7:
            days.add(int(word))
        elif word in names:
            days.add(names[word])
        else:
            return None
    return (sorted(days), at) if days else None


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC moment of wall-clock `at` on `day` in `zone`.

    In the spring-forward gap (02:30 that never happens) this lands an hour later, which is when a person expects
    the reminder; in the autumn overlap the first 02:30 (fold=0) is used, so it fires once.
    """
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC)


def next_weekly(weekdays: Iterable[int], at: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first occurrence strictly after `after` (UTC) of `at` local time on one of `weekdays`."""
    wanted = set(weekdays)
    if not wanted:
        raise ValueError("no weekdays")
    start = after.astimezone(zone).date()
    for offset in range(0, 9):
        day = start + timedelta(days=offset)
        if day.isoweekday() in wanted:
            moment = local_moment(day, at, zone)
            if moment > after:
                return moment
    raise AssertionError("a weekly time always recurs within 8 days")


def in_quiet_hours(moment: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> bool:
    start, end = quiet
    local = moment.astimezone(zone).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def after_quiet_hours(moment: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> datetime:
    """`moment` itself, or, when it falls in quiet hours, the morning when they end (UTC)."""
    if not in_quiet_hours(moment, zone, quiet):
        return moment
    local = moment.astimezone(zone)
    end = quiet[1]
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return local_moment(day, end, zone)


def weekdays_text(days: Iterable[int], locale: str) -> str:
    from babel.dates import get_day_names

    names = get_day_names("abbreviated", locale=locale)
    return ", ".join(names[d - 1] for d in sorted(days))
