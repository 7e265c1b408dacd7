"""Finding a time zone from the name of a place, in any of the program's languages.

The names come from public reference data, not from a list of our own:
- Unicode CLDR through Babel: the exemplar city of every zone as each language writes it ("Roma", "Zürich", "서울",
  "القاهرة", "上海"), the IANA city names, and the country names in each language ("Italia", "Schweiz", "中国") with
  that country's zones;
- ISO 3166-2 through pycountry, with the iso-codes translations: the provinces, regions and metropolitan cities
  CLDR has no zone for ("Milano", "Mailand", "Genf", "Ginevra", "北京市"), in countries with one or two zones (in a
  country with more, a region's name says too little about its clock).
The caller may add names it knows (the workshop cities and their zones). The index is built once per process.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import available_timezones

from rapidfuzz import fuzz, process

from bot.settings import LANGUAGES

MAX_SUGGESTIONS = 6
# Prefixes of IANA names that are not places a person lives in.
_NOT_PLACES = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
_SPACES = re.compile(r"[\s_\-'’.]+")


def fold(text: str) -> str:
    """Case, accents and separators do not matter: "Zürich", "zurich" and "ZURICH" are one key."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Only Latin-script marks are dropped: in Arabic and Korean the combining marks are part of the letters.
    stripped = "".join(
        c for c in decomposed if not (unicodedata.combining(c) and unicodedata.name(c, "").startswith("COMBINING"))
    )
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def _canonical_zones() -> set[str]:
    from babel.core import get_global

    aliases: dict[str, str] = dict(get_global("zone_aliases"))
    zones = set()
    for zone in available_timezones():
        if "/" not in zone or zone.startswith(_NOT_PLACES):
            continue
        zones.add(aliases.get(zone, zone))
    return zones


# pycountry names its catalogs by gettext locale; Chinese is the simplified one our users write.
_ISO_LOCALES = {"zh": "zh_CN"}


def _subdivisions() -> list[tuple[str, str]]:
    """(name, country code) for every ISO 3166-2 subdivision, in English/local form and in each of our languages."""
    import gettext

    import pycountry

    catalogs = []
    for lang in LANGUAGES:
        try:
            catalogs.append(
                gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[_ISO_LOCALES.get(lang, lang)])
            )
        except OSError:
            continue  # iso-codes has no translation for this language (Arabic): CLDR's names still cover it
    names = []
    for subdivision in pycountry.subdivisions:
        for catalog in catalogs:
            names.append((catalog.gettext(subdivision.name), subdivision.country_code))
        names.append((subdivision.name, subdivision.country_code))
    return names


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    from babel import Locale
    from babel.core import get_global

    zones = _canonical_zones()
    found: dict[str, set[str]] = {}

    def add(name: str | None, zone: str) -> None:
        key = fold(name or "")
        if key and zone in zones:
            found.setdefault(key, set()).add(zone)

    for zone in zones:
        add(zone.rsplit("/", 1)[1], zone)
    meta: dict[str, str] = dict(get_global("meta_zones"))
    territory_zones: dict[str, list[str]] = {}
    for territory, listed in get_global("territory_zones").items():
        # Germany lists Berlin and Büsingen, which keep one clock: naming one of them is enough.
        territory_zones[territory] = listed if len({meta.get(z, z) for z in listed}) > 1 else listed[:1]
    for name, country in _subdivisions():
        country_zones = territory_zones.get(country, [])
        if len(country_zones) <= 2:
            for zone in country_zones:
                add(name, zone)
    for lang in LANGUAGES:
        locale = Locale.parse(lang)
        for zone, names in locale.time_zones.items():
            add(names.get("city"), zone)
        for territory, name in locale.territories.items():
            for zone in territory_zones.get(territory, ()):
                add(name, zone)
    return {key: tuple(sorted(value)) for key, value in found.items()}


def find_place_zones(text: str, extra: Iterable[tuple[str, str]] = ()) -> tuple[list[str], bool]:
    """The zones of the place named in `text`, and whether the name matched exactly.

    An exact name with one zone is the answer; otherwise the zones are suggestions to choose from (a country with
    several zones, a name that only starts like the one typed, a close spelling). `extra` adds (place name, zone)
    pairs the caller knows, such as the workshop cities.
    """
    wanted = fold(text)
    if len(wanted) < 2:
        return [], False
    index = _index()
    extras: dict[str, set[str]] = {}
    for name, zone in extra:
        extras.setdefault(fold(name), set()).add(zone)
    exact = set(index.get(wanted, ())) | extras.get(wanted, set())
    if exact:
        return sorted(exact)[:MAX_SUGGESTIONS], True
    keys = list(index) + [key for key in extras if key not in index]

    def zones_of(key: str) -> Iterable[str]:
        return list(index.get(key, ())) + sorted(extras.get(key, ()))

    # A longer name that starts with what was typed ("new" → New York, "北京" → 北京市), then close spellings
    # ("Zurik"). Two letters of Chinese or Korean are a whole name; two Latin letters are not.
    long_enough = len(wanted) >= 3 or not wanted.isascii()
    candidates = sorted(key for key in keys if key.startswith(wanted)) if long_enough else []
    candidates += [
        match for match, _score, _index_ in process.extract(wanted, keys, scorer=fuzz.ratio, score_cutoff=80, limit=6)
    ]
    suggestions: list[str] = []
    for key in candidates:
        for zone in zones_of(key):
            if zone not in suggestions:
                suggestions.append(zone)
    return suggestions[:MAX_SUGGESTIONS], False
