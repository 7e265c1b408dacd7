"""City names as shown in the person's language: the content's own names first, then Babel's CLDR exemplar cities.

Workshops store their city as staff typed it (the English name, e.g. "Milan"); every place a city is shown
goes through `city_name` (usually as `Content.city_name`, which passes the content's names), so "il workshop di
Milano" and "في ميلانو" read the same in the UI, the staff views and the FAQ. The names are always passed in:
nothing is installed process-wide, so two contents (tests, a reload) never see each other's names.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from bot.i18n import current_locale

# `names`: city (as stored, any case) → {language: name}; content/workshops.yaml supplies it for the cities
# CLDR has no time zone for (Milan, Brescia, Geneva).
CityNames = Mapping[str, Mapping[str, str]]


@lru_cache(maxsize=1)
def _zone_by_english_city() -> dict[str, str]:
    """casefolded English exemplar city → IANA zone id (the zone CLDR names after that city)."""
    import zoneinfo

    from babel import Locale

    explicit = Locale.parse("en").time_zones
    index: dict[str, str] = {}
    # Sorted, so of two ids for one city (Europe/Kiev, Europe/Kyiv) the choice never changes between runs.
    for zone in sorted(zoneinfo.available_timezones()):
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Mexico/", "Chile/")):
            continue
        city = (explicit.get(zone) or {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
        index.setdefault(city.casefold(), zone)
    return index


@lru_cache(maxsize=512)
def _cldr_city(city_key: str, lang: str) -> str | None:
    zone = _zone_by_english_city().get(city_key)
    if zone is None:
        return None
    from babel.dates import get_timezone_location

    return str(get_timezone_location(zone, locale=lang, return_city=True))


def cldr_knows(city: str) -> bool:
    """Whether CLDR names this city in every language (it is the exemplar city of a time zone)."""
    return " ".join(city.split()).casefold() in _zone_by_english_city()


def city_name(city: str, lang: str | None, names: CityNames) -> str:
    """`city` as people say it in `lang` (None: the current event's language): Milan → Milano, Cairo → 카이로.

    The content's own names (`names`: `Content.city_names`) win over CLDR's; a city neither knows is shown as
    stored.
    """
    lang = lang or current_locale()
    key = " ".join(city.split()).casefold()
    if names:
        for stored, by_language in names.items():
            if stored.casefold() == key and by_language.get(lang):
                return by_language[lang]
    if lang == "en" or not key:
        return city
    return _cldr_city(key, lang) or city


def city_list(cities: list[str], lang: str | None, names: CityNames) -> str:
    """Cities joined as a list in the language's own way ("Atene, Baku e Il Cairo")."""
    from babel.lists import format_list

    lang = lang or current_locale()
    return str(format_list([city_name(city, lang, names) for city in cities], locale=lang))
