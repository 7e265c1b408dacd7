"""Places named in a question, in the seven languages: the workshop cities, countries and continents, and other
cities (to tell "is there a workshop in Africa" or "... in Rome" from a question about a workshop city).

Names come from Babel's CLDR data wherever it has them: a workshop city that is also a time-zone exemplar city
(Athens, Baku, Cairo, New York, Seoul) gets CLDR's localised name in every language, and every territory
(country, continent, region) gets its CLDR names. CLDR has no entry for Milan, Brescia or Geneva (no zone is
named after them), so their names in the other languages are listed here. Other cities are CLDR's exemplar cities
of the time zones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.domain.scripts import has_cjk
from bot.faq.cache import IndexCache
from bot.faq.text import normalize

if TYPE_CHECKING:
    from bot.content.models import WorkshopSeed

LANGUAGES = ("en", "it", "de", "fr", "ar", "ko", "zh")

# Cities CLDR does not name (no time zone is called after them), and other spellings people use; content may
# also give a city's `names` in the other languages (see `workshop_cities`). Keyed by the English name.
_EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "Milan": ("Milano", "Mailand", "ميلانو", "ميلان", "밀라노", "米兰"),
    "Brescia": ("بريشيا", "브레시아", "布雷西亚"),
    "Geneva": ("Ginevra", "Genf", "Genève", "Geneve", "جنيف", "제네바", "日内瓦"),
    # Spellings people use beside CLDR's: Korean 서울 is CLDR's; Arabic often writes سيول.
    "Seoul": ("Seul", "سيول", "سيئول"),
    "New York": ("NYC", "NY", "نيو يورك"),
    "Cairo": ("Kairo", "القاهره", "Caire"),
}


# A workshop city: its English name (as content seeds it), its IANA zone, then its names in other languages.
City = tuple[str, ...]


def workshop_cities(seeds: Iterable[WorkshopSeed]) -> tuple[City, ...]:
    """The cities of content's workshop seeds, with the localised `names` content gives beside CLDR's."""
    cities = []
    for seed in seeds:
        # Read with getattr: content that predates localised city names has no `names` field.
        names: dict[str, str] = getattr(seed, "names", None) or {}
        cities.append((seed.city, seed.timezone, *names.values()))
    return tuple(cities)


_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Place:
    # "city" (a workshop city), "region" (a country, continent or other territory) or "town" (another city: a
    # time zone's exemplar city, as CLDR names it)
    kind: str
    name: str  # the city's English name as content has it, the CLDR territory code, or the town's IANA zone


def _zone_city_names(zone: str, english: str) -> set[str]:
    from babel.dates import get_timezone_location

    names: set[str] = set()
    if get_timezone_location(zone, locale="en", return_city=True) != english:
        return names  # the zone is named after another city (Milan is in Europe/Rome)
    for lang in LANGUAGES:
        names.add(get_timezone_location(zone, locale=lang, return_city=True))
    return names


# Exemplar cities that are also common words in the seven languages (Italian "nome", the Korean ending "-건지").
_NOT_TOWNS = frozenset({"nome", "건지"})


def _spellings(name: str) -> set[str]:
    """A name normalised, and as German is typed without umlauts ("Oesterreich", "Zuerich")."""
    spelt = name
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        spelt = spelt.replace(umlaut, spelled)
    return {normalize(name), normalize(spelt)}


def _towns() -> dict[str, Place]:
    """Other cities, by the names CLDR gives the time zones' exemplar cities in the seven languages: "is there a
    workshop in Rome" asks where the workshops are, though Rome has none."""
    from zoneinfo import available_timezones

    from babel.dates import get_timezone_location

    towns: dict[str, Place] = {}
    for zone in sorted(available_timezones()):
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/")):
            continue
        for lang in LANGUAGES:
            for plain in _spellings(get_timezone_location(zone, locale=lang, return_city=True)):
                # Too short to tell from a word: Latin names under four letters, Korean and Chinese under three.
                if len(plain) >= (3 if has_cjk(plain) else 4) and plain not in _NOT_TOWNS:
                    towns.setdefault(plain, Place("town", zone))
    return towns


def _build_names(cities: tuple[City, ...]) -> dict[str, Place]:
    """Every name a place goes by in the seven languages: CLDR's territories, the workshop cities, and other
    cities (CLDR's exemplar cities of the time zones)."""
    from babel import Locale

    names: dict[str, Place] = {}
    for lang in LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            # Territory codes: two letters (countries) or three digits (continents, regions).
            for plain in _spellings(name):
                # A two-syllable Korean or Chinese country name is too often part of another word.
                short_cjk = has_cjk(plain) and len(plain) < 3 and not code.isdigit()
                if (len(code) == 2 or code.isdigit()) and not short_cjk:
                    names.setdefault(plain, Place("region", code))
    for english, zone, *localised in cities:
        found = {english, *localised, *_zone_city_names(zone, english), *_EXTRA_NAMES.get(english, ())}
        for name in found:
            for plain in _spellings(name):
                names[plain] = Place("city", english)
    for plain, town in _towns().items():
        names.setdefault(plain, town)
    # Names too short or too common to be a place in a question.
    for word in ("ny",):
        names.pop(word, None)
    return names


def _names_cache(cities: tuple[City, ...], folder: Path | None) -> IndexCache | None:
    """Reading CLDR's territory names in seven languages costs a new process (`wego-bot ask`) about a tenth of a
    second: the result is kept in the FAQ's cache folder, keyed by Babel's version, the cities and this code."""
    if folder is None:
        return None
    import babel

    digest = hashlib.sha256(f"{babel.__version__} {cities!r}".encode())
    bot = Path(__file__).parent.parent
    for source in (Path(__file__), bot / "faq" / "text.py", bot / "domain" / "scripts.py"):
        digest.update(source.read_bytes())
    return IndexCache(folder, digest.hexdigest())


def _load_names(cache: IndexCache | None) -> dict[str, Place] | None:
    stored = cache.load("places") if cache else None
    if not isinstance(stored, dict):
        return None
    return {name: Place(kind, place) for name, (kind, place) in stored.items()}


class Gazetteer:
    """Finds place names in normalised text: whole words in spaced scripts, substrings in Korean and Chinese."""

    def __init__(self, cities: Iterable[City], cache_dir: Path | None = None) -> None:
        """`cities` from `workshop_cities`; `cache_dir` keeps the names between processes (built in ~0.3 s)."""
        self.cities = tuple(cities)
        cache = _names_cache(self.cities, cache_dir)
        stored = _load_names(cache)
        names = stored if stored is not None else _build_names(self.cities)
        if stored is None and cache is not None:
            cache.store("places", {name: (place.kind, place.name) for name, place in names.items()})
        self._names = names
        self._index(names)

    def _index(self, names: dict[str, Place]) -> None:
        # Every word of every name, so a question's words can be told apart from place names.
        self.words = frozenset(word for name in names for word in name.split())
        # Spaced-script names are looked up by their run of words: one regular expression of a few thousand
        # alternatives took a third of a second to compile, in every new process.
        self._spaced: dict[tuple[str, ...], Place] = {}
        for name, place in names.items():
            if not has_cjk(name):
                self._spaced.setdefault(tuple(_WORD.findall(name)), place)
        self._spaced.pop((), None)
        # The most words a name starting with a word has: most words start none, and are passed at one lookup.
        self._longest: dict[str, int] = {}
        for run in self._spaced:
            self._longest[run[0]] = max(self._longest.get(run[0], 0), len(run))
        # Korean and Chinese names by their first character: a text is searched only for the names that could be
        # in it (there are over a thousand).
        self._cjk: dict[str, list[str]] = {}
        for name in sorted((n for n in names if has_cjk(n)), key=len, reverse=True):
            self._cjk.setdefault(name[0], []).append(name)

    def find(self, plain: str) -> list[Place]:
        """Places named in already normalised text, longest names first."""
        return [place for _name, place in self.named(plain)]

    def named(self, plain: str) -> list[tuple[str, Place]]:
        """Places named in already normalised text, each with the words that name it there."""
        found: list[tuple[str, Place]] = []
        words = _WORD.findall(plain)
        start = 0
        while start < len(words):
            # The longest name starting at this word, as the leftmost-longest match of a regular expression.
            for length in range(min(self._longest.get(words[start], 0), len(words) - start), 0, -1):
                place = self._spaced.get(tuple(words[start : start + length]))
                if place is not None:
                    found.append((" ".join(words[start : start + length]), place))
                    start += length
                    break
            else:
                start += 1
        rest = plain
        candidates = [name for char in set(plain) for name in self._cjk.get(char, ())] if has_cjk(plain) else []
        for name in sorted(candidates, key=len, reverse=True):
            if name in rest:
                found.append((name, self._names[name]))
                rest = rest.replace(name, " ")
        # German names a city's things with its name and "-er", umlauts dropped as `normalize` does: "Genfer
        # Workshop", "Mailänder", "Athener", "Kairoer", "New Yorker".
        named = {word for name, _place in found for word in name.split()}
        for at, token in enumerate(words):
            if len(token) > 4 and token.endswith("er") and token not in named:
                place = self._spaced.get((token[:-2],))
                if place is None and at:
                    place = self._spaced.get((words[at - 1], token[:-2]))
                if place is not None and place.kind == "city":
                    found.append((token, place))
        # Arabic glues prepositions to names: "بورشة القاهرة" is fine, "بالقاهرة" is not matched by a word.
        for token in words:
            if len(token) > 3 and token[0] in "بلوف" and token[1:] in self._names:
                found.append((token, self._names[token[1:]]))
        return found
