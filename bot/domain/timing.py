"""Time arithmetic for reminders: pure functions of a given moment, so tests use a frozen clock.

Recurring local times are computed in the user's IANA zone with zoneinfo, never as a fixed UTC offset: a weekly
19:00 Europe/Rome reminder is 18:00 UTC in winter and 17:00 UTC in summer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.scripts import has_cjk
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
# Words after a time or around it. The day periods ("pm", "오후", "晚上", "مساءً", "abends", "di sera") come from CLDR
# (day_periods, with the hours each one covers); these are the rest, which CLDR does not list.
TIME_CONNECTORS = ("at", "@", "alle", "ore", "um", "à", "الساعة", "في", "عند")  # "at 8", "alle ore 19", "في الساعة 8"
HOUR_WORDS = ("uhr", "h", "시", "点", "點", "时", "時", "点钟")  # "19 Uhr", "19h30", "7시 30분", "7点30分"
MINUTE_WORDS = ("분", "分")
HALF_HOUR_WORDS = ("半", "반", "e mezza", "e mezzo", "et demie")  # "7点半", "7시 반", "alle 8 e mezza", "8h et demie"
TIME_PARTICLES = ("에",)  # "7시에"
# Words around day names that add nothing: "every monday", "ogni lunedì", "am Montag", "매주 월요일", "mon and thu".
_FILLERS = frozenset(
    {"every", "each", "on", "and", "ogni", "il", "i", "e", "jeden", "jede", "am", "und", "chaque", "le", "les", "et"}
    | {"كل", "و", "매주", "및", "每周", "每个"}
)
_FILLER_PREFIXES = ("每", "و")
# Korean writes "and" and "every" onto the day: "월요일과", "월요일하고", "월요일마다".
_FILLER_SUFFIXES = ("하고", "이랑", "랑", "과", "와", "마다", "에")
# Chinese "and" sits inside a word ("周一和周四"); no day name contains one.
_SEPARATORS = re.compile(r"[\s,;，、；،和与與及]+")
# "mon-fri", "lun–ven", "월~금", "周一至周五": a run of days, which folding would read as two days.
_RANGE = re.compile(r"\s*[-–—~～至到]\s*")
_DECIMAL_TIME = re.compile(r"(?<=[0-9])\.(?=[0-9])")  # "19.30" is "19:30"; folding reads a dot as a space
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")  # "مساءً" and "مساء" are one word
# All seven days spelled out with "and", a connector and "e mezza" fit in under 100 characters; anything much longer is
# not a weekly time, and refusing it before matching keeps the matching's cost small whatever is typed.
MAX_WEEKLY = 200
_DAY_SETS = {"@@7": range(1, 8), "@@5": range(1, 6)}
_DAY = 24 * 3600
_NOON = (12 * 3600, 12 * 3600 + 1)


def _fold(text: str) -> str:
    """Typed text and the words it is compared with, alike: case, accents and Arabic vowel marks dropped, "." "-"
    "'" as spaces, except in a time ("19.30" is "19:30") and a run of days ("mon-fri" is "mon ~ fri")."""
    from bot.places.zones import fold

    return _ARABIC_MARKS.sub("", fold(_RANGE.sub(" ~ ", _DECIMAL_TIME.sub(":", text))))


@lru_cache(maxsize=16)
def day_names(locale: str) -> dict[str, int]:
    """Weekday words a person may type, in their language and in English, → ISO weekday (Monday = 1).

    Every CLDR form: wide, abbreviated and short, in running text and standing alone ("lunedì", "lun", "Mo.",
    "월요일", "월", "星期一", "周一", "الاثنين", "إثنين"); accents and case do not matter. A wide Latin-script name
    with an "s" is the plural or adverb people write for "every": "mondays", "montags", "lundis".
    """
    from babel import Locale

    names: dict[str, int] = {}
    for lang in ("en", locale):
        days = Locale.parse(lang).days
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated", "short"):
                for index, name in days[context][width].items():
                    names[_fold(name)] = index + 1
                    if width == "wide" and _fold(name).isascii():
                        names.setdefault(_fold(name) + "s", index + 1)
                    if lang == "ar" and name.startswith("ال"):
                        # Arabic day names are often typed without the article: "اثنين" for "الاثنين".
                        names[_fold(name[2:])] = index + 1
    for index, short in enumerate(ENGLISH_DAYS):
        names.setdefault(short, index + 1)
    return names


@lru_cache(maxsize=16)
def day_periods(locale: str) -> dict[str, tuple[tuple[int, int], ...]]:
    """Words for a part of the day, in the person's language and in English, → the spans (seconds from midnight,
    end excluded, may wrap) CLDR gives them: "pm" → 12:00-24:00, "晚上" → 19:00-24:00, "아침" → 03:00-06:00."""
    from babel import Locale

    spans: dict[str, set[tuple[int, int]]] = {}
    for lang in ("en", locale):
        loc = Locale.parse(lang)
        rules = {"am": [(0, _DAY // 2)], "pm": [(_DAY // 2, _DAY)]}
        for key, ranges in loc.day_period_rules.get(None, {}).items():
            rules[key] = [(r["at"], r["at"] + 1) if "at" in r else (r["from"], r["before"]) for r in ranges]
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):  # narrow ones are single letters: "a", "p", "m."
                for key, word in loc.day_periods[context][width].items():
                    if key in rules and key != "midnight":  # "monday at midnight" is which night?
                        spans.setdefault(_fold(word), set()).update(rules[key])
    return {word: tuple(sorted(ranges)) for word, ranges in spans.items()}


def _words(words: Iterable[str], dotted: bool = False) -> str:
    """One regex alternative per word, longest first; a word of a spaced script does not start inside another word
    ("at" is not the end of "sat"), while Chinese and Korean ones may ("每天晚上"). Dotted, "pm" is also "p.m."."""
    parts = []
    for word in sorted({_fold(w) for w in words}, key=len, reverse=True):
        spaced = dotted and len(word) == 2 and word.isascii()  # folded, "p.m." is "p m"
        text = r"\s?".join(map(re.escape, word)) if spaced else re.escape(word)
        parts.append(text if has_cjk(word) or not word[0].isalpha() else r"(?<![^\W\d_])" + text)
    return "|".join(parts)


@lru_cache(maxsize=16)
def _time_patterns(locale: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The time at the end of a reminder, with the connectors and day periods before it; and a day period."""
    periods = _words(day_periods(locale), dotted=True)
    hour, minute = _words(HOUR_WORDS), _words(MINUTE_WORDS)
    clock = (
        r"(?:(?<![0-9])(?P<h>[0-9]{1,2})(?::(?P<m>[0-9]{2}))?"
        rf"(?:\s*(?:{hour})(?:\s*(?P<m2>[0-9]{{1,2}})\s*(?:{minute})|\s*(?P<m3>[0-9]{{2}}))?)?"
        rf"(?:\s*(?P<half>{_words(HALF_HOUR_WORDS)}))?)?"
    )
    lead = rf"(?P<lead>(?:(?:{periods}|{_words(TIME_CONNECTORS)})\s*)*)"
    tail = rf"{lead}{clock}\s*(?P<period>{periods})?\s*(?:{_words(TIME_PARTICLES)})?\s*$"
    return re.compile(tail), re.compile(periods)


def _in_period(hour: int, minute: int, spans: tuple[tuple[int, int], ...]) -> time | None:
    """A 12-hour clock reading with a day period: "7 pm" → 19:00, "12 am" → 00:00, "晚上7点" → 19:00. Of the two
    readings, the one inside the period's hours, else nearer to them ("晚上6点" is 18:00, "밤 11시" is 23:00)."""
    if not 1 <= hour <= 12:
        return None

    def distance(moment: int) -> int:
        best = _DAY
        for start, end in spans:
            inside = start <= moment < end if start < end else (moment >= start or moment < end)
            best = min(best, 0 if inside else (start - moment) % _DAY, (moment - end) % _DAY + 1)
        return best

    readings = [(hour % 12) * 3600 + minute * 60, (hour % 12 + 12) * 3600 + minute * 60]
    near, far = sorted(readings, key=distance)
    if distance(near) == distance(far):
        return None
    return time(near // 3600, near % 3600 // 60)


def _split_time(text: str, locale: str) -> tuple[str, time] | None:
    """ "mondays at 7pm" → ("mondays", 19:00): the time at the end of `text` (folded), and the words before it.

    A time is "19:00", "19.30", "19", "19h30", "19 Uhr", "7pm", "7:30 p.m.", "오후 7시 30분", "晚上7点半",
    "8:30 مساءً", "at noon", after "at", "alle", "um", "à", "الساعة"… None when there is none, or it is no time of
    day (25:00, 13 pm)."""
    tail, period = _time_patterns(locale)
    match = tail.search(text)
    if match is None:
        return None
    periods = day_periods(locale)
    words = period.findall(match["lead"]) + ([match["period"]] if match["period"] else [])
    rest = text[: match.start()]
    spans = tuple(span for word in words for span in periods.get(word) or periods[word.replace(" ", "")])
    if match["h"] is None:  # a period alone: only noon is one moment of every day
        return (rest, time(12)) if len(words) == 1 and spans == (_NOON,) else None
    minutes = [int(m) for m in (match["m"], match["m2"], match["m3"]) if m] + [30] * bool(match["half"])
    hour, minute = int(match["h"]), minutes[0] if minutes else 0
    if len(minutes) > 1 or len(words) > 1 or minute > 59:
        return None
    if spans:
        at = _in_period(hour, minute, spans)
        return None if at is None else (rest, at)
    return (rest, time(hour, minute)) if hour <= 23 else None


@lru_cache(maxsize=1)
def _phrases() -> list[tuple[re.Pattern[str], str]]:
    words = [(w, "@@7") for w in EVERY_DAY_WORDS] + [(w, "@@5") for w in WORKDAY_WORDS]
    # Longest first, so "every weekday" wins over "weekday" and "tous les jours" over nothing shorter.
    words.sort(key=lambda pair: -len(pair[0]))
    return [(re.compile(r"(?<!\w)" + re.escape(_fold(w)) + r"(?!\w)"), token) for w, token in words]


def _day(word: str, names: dict[str, int]) -> int | None:
    if word in names:
        return names[word]
    # "每周一" is "every" + "周一"; Arabic writes "and" onto the next word ("والخميس"), Korean onto the day before.
    for prefix in _FILLER_PREFIXES:
        if word.startswith(prefix) and word[len(prefix) :] in names:
            return names[word[len(prefix) :]]
    for suffix in _FILLER_SUFFIXES:
        if word.endswith(suffix) and word[: -len(suffix)] in names:
            return names[word[: -len(suffix)]]
    return None


class _Decimals(dict[int, str]):
    """str.translate table: any script's decimal digit → its ASCII digit, other characters kept."""

    def __missing__(self, char: int) -> str:
        digit = unicodedata.decimal(chr(char), None)
        self[char] = chr(char) if digit is None else str(digit)
        return self[char]


_DECIMALS = _Decimals()


def parse_weekly(text: str, locale: str = "en") -> tuple[list[int], time] | None:
    """ "mon,thu 19:00" → ([1, 4], 19:00); "daily 8:30", "ogni giorno 8:30", "매일 8:30", "weekdays 18:00", day
    names in the person's language ("lun, gio 19:00", "월,목 19:00") and what people write around them ("mondays and
    thursdays at 7pm", "montags um 19 Uhr", "每周一和周四晚上7点", "كل يوم الساعة 8:30 مساءً"). None when unreadable.
    """
    # A time in the digits of the person's script ("٨:٣٠", "１９:００") is read as typed; a digit that only looks like
    # one ("²", "①"), which folding would turn into 2 and 1, is refused.
    if len(text) > MAX_WEEKLY or any(ch.isdigit() and not ch.isdecimal() for ch in text):
        return None
    # ...but not as a day number: ISO's Monday = 1 is what the English example teaches, and weeks start on other
    # days where other digits are written.
    native_digits = not text.isascii() and any(ch.isdecimal() and not ch.isascii() for ch in text)
    text = text.translate(_DECIMALS) if native_digits else text
    split = _split_time(_fold(text), locale)
    if split is None:
        return None
    words = " ".join(t for t in _SEPARATORS.split(split[0]) if t)
    for pattern, token in _phrases():
        words = pattern.sub(f" {token} ", words)
    names = day_names(locale)
    days: set[int] = set()
    named: set[int] = set()
    last: int | None = None  # a day a "-" may follow
    start: int | None = None  # the first day of a run ("mon-fri") that is still open
    for word in words.split():
        if word in _FILLERS:
            continue
        day = _day(word, names)
        if word == "~" and last is not None:
            start, last = last, None
        elif day is not None:
            if start is not None:
                named.update((start + step - 1) % 7 + 1 for step in range((day - start) % 7))
            named.add(day)
            last, start = (day if start is None else None), None
        elif start is None and word in _DAY_SETS:
            days.update(_DAY_SETS[word])
            last = None
        elif start is None and word.isdigit() and not native_digits and 1 <= int(word) <= 7:
            days.add(int(word))
            last = None
        else:
            return None
    # "كل يوم الاثنين" is "every Monday", not "every day and Monday": a day named beside "every day" is not guessed.
    if start is not None or (named and len(days) == 7):
        return None
    days |= named
    return (sorted(days), split[1]) if days else None


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
