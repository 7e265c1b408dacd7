"""Per-event locale, gettext catalogs compiled from `locales/*.po` on first use, Babel for dates and numbers.

The locale lives in a ContextVar set by the dispatcher for each event, so module-level strings are only
*marked* (`N_`) and translated where they are used (`_`).
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from bot.settings import LANGUAGES, PROJECT_ROOT

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {
    "en": "English",
    "it": "Italiano",
    "de": "Deutsch",
    "fr": "Français",
    "ar": "العربية",
    "ko": "한국어",
    "zh": "中文",
}

_locale: ContextVar[str] = ContextVar("wego_locale", default="en")


def current_locale() -> str:
    return _locale.get()


def set_locale(lang: str) -> None:
    _locale.set(lang if lang in LANGUAGES else "en")


@contextmanager
def use_locale(lang: str) -> Iterator[None]:
    token = _locale.set(lang if lang in LANGUAGES else "en")
    try:
        yield
    finally:
        _locale.reset(token)


def normalize_language(code: str | None) -> str | None:
    """Map a platform hint such as `pt-BR`, `zh-TW` or `ar_EG` to a program language, or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else None


def _po_path(lang: str, locales_dir: Path) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=16)
def translations(lang: str, locales_dir: Path = LOCALES_DIR) -> _gettext.NullTranslations:
    """The catalog for `lang`; an untranslated string falls back to the English source string."""
    path = _po_path(lang, locales_dir)
    if lang == "en" or not path.exists():
        return _gettext.NullTranslations()
    # Compiling in memory keeps .mo build artefacts out of the repository and can never be stale.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def is_rtl(lang: str | None = None) -> bool:
    return (lang or current_locale()) in RTL_LANGUAGES


def format_number(value: float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=current_locale())


def format_percent(value: float) -> str:
    return _percent(value, current_locale())


@lru_cache(maxsize=4096)
def _percent(value: float, locale: str) -> str:
    # Progress shows a few hundred distinct values; Babel applies the locale's pattern anew on every call.
    from babel.numbers import format_percent as _fp

    return _fp(value, locale=locale)


def format_date(moment: datetime, zone: str, fmt: str = "long") -> str:
    from zoneinfo import ZoneInfo

    from babel.dates import format_date as _fd

    return _fd(moment.astimezone(ZoneInfo(zone)).date(), format=fmt, locale=current_locale())


def zone_label(zone: str) -> str:
    """A zone as people know it, in their language: "Roma · Europe/Rome", "서울 · Asia/Seoul"."""
    from babel.dates import get_timezone_location

    if "/" not in zone:
        return zone
    city = get_timezone_location(zone, locale=current_locale(), return_city=True)
    return f"{city} · {zone}"


def format_moment(moment: datetime, zone: str) -> str:
    """A UTC moment as the current language writes a date and a time, with the zone named beside it:
    "Dec 2, 2026, 8:46 AM (Europe/Rome)", "2 dic 2026, 08:46 (Europe/Rome)", "2026. 12. 2. 오전 8:46 (Asia/Seoul)"."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_date as _date
    from babel.dates import format_time as _time
    from babel.dates import get_datetime_format

    locale = current_locale()
    local = moment.astimezone(ZoneInfo(zone))
    pattern = str(get_datetime_format("medium", locale=locale))
    both = pattern.replace("{1}", _date(local.date(), "medium", locale=locale)).replace(
        "{0}", _time(local.timetz(), "short", locale=locale)
    )
    return f"{both} ({zone})"
