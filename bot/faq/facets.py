"""The subject's say in the FAQ's ranking: an entry whose own stored wordings name another city, part or
certificate kind than the question keeps less of its score, so "who signs the online certificate" cannot get
the workshop certificate's answer because both share "who signs the certificate".
"""

from __future__ import annotations

import contextlib
import weakref

from bot.content.models import FaqEntry
from bot.faq.index import FaqIndex
from bot.faq.subjects import Subject, subject_of
from bot.faq.text import normalize
from bot.places.gazetteer import Gazetteer


def facets_of(subject: Subject) -> dict[str, str]:
    """The question's subject, as facets an entry's own wordings can agree or disagree with."""
    facets: dict[str, str] = {}
    if subject.certificate:
        facets["certificate"] = subject.certificate
    if subject.part:
        facets["part"] = str(subject.part)
        if subject.part_named:
            facets["part-named"] = "yes"
    if subject.age:
        facets["age"] = "yes"
    if any(place.kind == "region" for place in subject.places):
        facets["place"] = "region"
    for topic in subject.topics:
        facets["topic:" + topic] = "yes"
    if subject.certificate == "workshop":
        # The certificate the mayor signs is the workshop's, though the question does not say "workshop".
        facets["topic:workshop"] = "yes"
    if subject.category:
        facets["category"] = subject.category
    return facets


def entry_facets(entry: FaqEntry, places: Gazetteer | None) -> dict[str, dict[str, float]]:
    """Per facet, the share of an entry's stored wordings that name each value ("certificate" → {"online": .8})."""
    counts: dict[str, dict[str, float]] = {}
    texts = [t for ts in entry.questions.values() for t in ts]
    for text in texts:
        subject = subject_of(normalize(text), places)
        for facet, value in facets_of(subject).items():
            values = counts.setdefault(facet, {})
            values[value] = values.get(value, 0.0) + 1 / len(texts)
    return counts


# An entry whose wordings name another value of a facet the question names ("online" certificate asked, the
# entry's wordings all say "workshop") keeps this share of its score; one that names neither keeps NEUTRAL.
CONFLICT = 0.3
# An entry none of whose wordings names the workshop, certificate or award the question names.
TOPIC_NEUTRAL = 0.6
TOPIC_USUAL = 0.7
# A certificate's or a workshop's entry asked about neither: "who is the mayor of Seoul" is not who signs the
# workshop certificate, though its answer names the mayor. The award's category entries are often asked by the
# category alone ("partner bei den sdgs"): they keep more.
TOPIC_MISSING_AWARD = 0.75
TOPIC_MISSING = {"topic:certificate": 0.45, "topic:workshop": 0.55}
# An entry at least this share of whose wordings name one award category is about that category.
CATEGORY_USUAL = 0.5
AGREE = 0.7
DOMINANT = 0.4
# A part of the course named to an entry that names none: "cosa si studia nella parte 3" is that part's lectures,
# not the course's themes, though "studia" is the themes entry's word.
PART_NEUTRAL = 0.45
# A country or region named to an entry that never names one is most likely another subject ("a student visa
# for Canada" is not the workshop's travel support).
NEUTRAL = {
    "certificate": 0.85,
    "part": 0.85,
    "part-named": PART_NEUTRAL / 0.85,
    "age": 0.6,
    "place": 0.5,
    "topic": TOPIC_NEUTRAL,
    "category": 0.6,
}


# The cache part's name per workshop cities (their repr): the sources it hashes do not change while the process
# runs, and reading and hashing them took a quarter of a millisecond on every question.
_FACETS_PARTS: dict[str, str] = {}
# Per index, the factors already computed for a facet table and the question's facets (in their order: the factors
# are products taken in that order). Few distinct subjects are ever asked about; the dict is emptied past a size.
_FACTORS: weakref.WeakKeyDictionary[FaqIndex, dict[tuple[str, tuple[tuple[str, str], ...]], list[float]]] = (
    weakref.WeakKeyDictionary()
)
_FACTORS_KEPT = 512


def _facets_part(places: Gazetteer | None) -> str:
    """The cache part's name: it changes with the code that reads subjects and with the workshop cities."""
    import hashlib
    from pathlib import Path

    cities = repr(places.cities if places is not None else ())
    found = _FACETS_PARTS.get(cities)
    if found is not None:
        return found
    digest = hashlib.sha256(cities.encode())
    folder = Path(__file__).parent
    sources = ("facets.py", "subjects.py", "cues.py", "text.py")
    for path in (*(folder / name for name in sources), folder.parent / "places" / "gazetteer.py"):
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    found = _FACETS_PARTS[cities] = "facets-" + digest.hexdigest()[:16]
    return found


def subject_factors(index: FaqIndex, facets: dict[str, str], places: Gazetteer | None) -> list[float] | None:
    # Reading every stored wording for its subject takes most of a second: it is done once per index (kept on
    # it), and a new process (`wego-bot ask`, a restart) reads it from the index's disk cache instead, keyed by
    # this code and the cities.
    part = _facets_part(places)
    tables = index.memo(part, lambda: [entry_facets(entry, places) for entry in index.entries])
    if not isinstance(tables, list) or len(tables) != len(index.entries):
        return _factors([entry_facets(entry, places) for entry in index.entries], facets)
    known = _FACTORS.setdefault(index, {})
    key = (part, tuple(facets.items()))
    found = known.get(key)
    if found is None:
        if len(known) >= _FACTORS_KEPT:
            known.clear()
        found = known[key] = _factors(tables, facets)
    return list(found)  # a copy: the kept list must not change


def _factors(tables: list[dict[str, dict[str, float]]], facets: dict[str, str]) -> list[float]:
    factors = []
    for table in tables:
        factor = 1.0
        for facet, values in table.items():
            # An entry asked about a workshop (or a certificate, an award) nearly every time, when the question
            # names none: "is this only for people under 35" is not the workshop certificate's age rule.
            if facet.startswith("topic:") and facet not in facets and values.get("yes", 0.0) >= TOPIC_USUAL:
                factor *= TOPIC_MISSING.get(facet, TOPIC_MISSING_AWARD)
            # Likewise an entry about one award category, when the question names none ("which universities
            # are partners of the award" is the list, not the category whose partners are universities).
            if facet == "category" and facet not in facets and sum(values.values()) >= CATEGORY_USUAL:
                factor *= TOPIC_MISSING_AWARD
        for facet, value in facets.items():
            values = table.get(facet, {})
            share = values.get(value, 0.0)
            if share > 0:
                # An entry that asks about this value only now and then (the overview of both certificates)
                # keeps less than one that is mostly about it.
                factor *= AGREE + (1 - AGREE) * min(1.0, share / DOMINANT)
                continue
            factor *= CONFLICT if values else NEUTRAL.get(facet.partition(":")[0], 1.0)
        factors.append(factor)
    return factors
