"""Time arithmetic for reminders: pure functions of a given moment, so tests use a frozen clock.

Recurring local times are computed in the user's IANA zone with zoneinfo, never as a fixed UTC offset: a weekly
19:00 Europe/Rome reminder is 18:00 UTC in winter and 17:00 UTC in summer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.zone_names import check_zone

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


# "Every day" and "on weekdays" are phrases, not day names, so CLDR has no list of them: these are the words people
# write in each of our languages. Weekday names themselves come from CLDR (day_names).
EVERY_DAY_WORDS = (
    "daily", "every day", "everyday", "each day",
    "ogni giorno", "tutti i giorni", "giornaliero", "quotidiano",
    "täglich", "taglich", "jeden tag", "alle tage",
    "chaque jour", "tous les jours", "quotidien",
    "كل يوم", "يوميا", "يومياً",
    "매일", "날마다",
    "每天", "每日", "天天",
)  # fmt: skip
WORKDAY_WORDS = (
    "weekdays", "every weekday", "giorni feriali", "feriali", "werktags", "wochentags",
    "en semaine", "jours ouvrables", "평일", "매주 평일", "工作日", "每个工作日",
)  # fmt: skip
# Words around day names that add nothing: "every monday", "ogni lunedì", "am Montag", "매주 월요일", "mon and thu".
_FILLERS = frozenset(
    {"every", "each", "on", "and", "ogni", "il", "e", "jeden", "jede", "am", "und", "chaque", "le", "les", "et"}
    | {"كل", "و", "매주", "每周", "每个", "和"}
)
_FILLER_PREFIXES = ("每", "و")
_SEPARATORS = re.compile(r"[\s,;，、；]+")
_TRAILING_TIME = re.compile(r"(\d{1,2}[:.h]\d{2})\s*$")


def _fold(word: str) -> str:
    from bot.places.zones import fold

    return fold(word).rstrip(".")


@lru_cache(maxsize=16)
def day_names(locale: str) -> dict[str, int]:
    """Weekday words a person may type, in their language and in English, → ISO weekday (Monday = 1).

    Every CLDR form: wide, abbreviated and short, in running text and standing alone ("lunedì", "lun", "Mo.",
    "월요일", "월", "星期一", "周一", "الاثنين", "إثنين"); accents and case do not matter.
    """
    from babel import Locale

    names: dict[str, int] = {}
    for lang in ("en", locale):
        days = Locale.parse(lang).days
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated", "short"):
                for index, name in days[context][width].items():
                    names[_fold(name)] = index + 1
                    if lang == "ar" and name.startswith("ال"):
                        # Arabic day names are often typed without the article: "اثنين" for "الاثنين".
                        names[_fold(name[2:])] = index + 1
    for index, short in enumerate(ENGLISH_DAYS):
        names.setdefault(short, index + 1)
    return names


@lru_cache(maxsize=1)
def _phrases() -> list[tuple[re.Pattern[str], str]]:
    words = [(w, "@@7") for w in EVERY_DAY_WORDS] + [(w, "@@5") for w in WORKDAY_WORDS]
    # Longest first, so "every weekday" wins over "weekday" and "tous les jours" over nothing shorter.
    words.sort(key=lambda pair: -len(pair[0]))
    return [(re.compile(r"(?<!\w)" + re.escape(_fold(w)) + r"(?!\w)"), token) for w, token in words]


def parse_weekly(text: str, locale: str = "en") -> tuple[list[int], time] | None:
    """ "mon,thu 19:00" → ([1, 4], 19:00); "daily 8:30", "ogni giorno 8:30", "매일 8:30", "weekdays 18:00" and
    day names in the person's language ("lun, gio 19:00", "월,목 19:00") too. None when unreadable."""
    spaced = _TRAILING_TIME.sub(r" \1", text.strip())
    tokens = [t for t in _SEPARATORS.split(spaced) if t]
    if len(tokens) < 2:
        return None
    at = parse_time(tokens[-1])
    if at is None:
        return None
    # Folding turns "²" and "３" into 2 and 3; a day number is read only as typed in plain digits, like every number.
    if any(ch.isdigit() and not ch.isascii() for token in tokens[:-1] for ch in token):
        return None
    words = " ".join(_fold(t) for t in tokens[:-1])
    for pattern, token in _phrases():
        words = pattern.sub(f" {token} ", words)
    names = day_names(locale)
    days: set[int] = set()
    for word in words.split():
        if word in _FILLERS:
            continue
        # "每周一" is "every" + "周一"; Arabic writes "and" onto the next word ("والخميس").
        prefix = next((p for p in _FILLER_PREFIXES if word.startswith(p) and word[len(p) :] in names), "")
        word = word[len(prefix) :]
        if word == "@@7":
            days.update(range(1, 8))
        elif word == "@@5":
            days.update(range(1, 6))
        elif word.isascii() and word.isdigit() and 1 <= int(word) <= 7:
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
    """ISO weekdays (1 = Monday) as the locale lists them: "Mon, Wed, and Fri", "周一、周三和周五"."""
    from babel.dates import get_day_names
    from babel.lists import format_list

    names = get_day_names("abbreviated", locale=locale)
    return format_list([names[d - 1] for d in sorted(set(days))], locale=locale)
