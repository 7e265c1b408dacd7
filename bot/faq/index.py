"""A ranked retrieval over FAQ entries: TF-IDF cosine over words, word n-grams and CJK character n-grams.

Every entry is indexed per language twice: each stored wording of the question on its own (the nearest
wording decides most), and all wordings plus the answer together (so a question about a detail that only the
answer mentions still finds it). The user's language is searched first; other languages count too, slightly
discounted, so a staff entry written in one language and a question typed in another language both still work.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.content.models import FaqEntry
from bot.faq.text import features

# Feature families do not weigh the same: a whole word is stronger evidence than one of its n-grams.
FAMILY_WEIGHT = {"w": 1.0, "3": 0.5, "4": 0.7, "c": 0.4, "b": 1.0}
# How much the nearest stored wording counts against the entry's whole text.
NEAREST_SHARE = 0.4
# A match found only in another language than the user's counts a little less.
OTHER_LANGUAGE = 0.85
# At or above this score the bot answers; below it, it offers the closest topics.
CONFIDENT = 0.34
# Below this, even the closest topics are not worth offering.
SUGGEST = 0.12


@dataclass(frozen=True, slots=True)
class Hit:
    entry: FaqEntry
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    hits: tuple[Hit, ...]
    confident: bool

    @property
    def best(self) -> FaqEntry | None:
        return self.hits[0].entry if self.confident and self.hits else None


Vector = dict[str, float]


class _LanguageIndex:
    """The entries of one language: each stored wording alone, and each entry's wordings plus answer together."""

    def __init__(self, entries: Sequence[FaqEntry], lang: str) -> None:
        raw: list[tuple[int, bool, Counter[str]]] = []
        for i, entry in enumerate(entries):
            wordings = entry.questions.get(lang)
            if not wordings:
                continue
            whole: Counter[str] = Counter()
            for wording in wordings:
                found = features(wording)
                raw.append((i, False, found))
                whole.update(found)
            if lang in entry.answer:
                whole.update(features(entry.answer[lang]))
            raw.append((i, True, whole))
        # Document frequency over the whole-entry documents: how many entries use a feature.
        df: Counter[str] = Counter()
        for _i, is_whole, counts in raw:
            if is_whole:
                df.update(counts.keys())
        total = sum(1 for _i, is_whole, _c in raw if is_whole) or 1
        self._idf = {f: math.log((total + 1) / (n + 1)) + 1.0 for f, n in df.items()}
        self._docs = [(i, is_whole) for i, is_whole, _counts in raw]
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for d, (_i, _w, counts) in enumerate(raw):
            for feature, weight in self.vector(counts).items():
                self._postings[feature].append((d, weight))

    def vector(self, counts: Counter[str]) -> Vector:
        idf, family = self._idf, FAMILY_WEIGHT
        vector = {f: (1.0 + math.log(n)) * idf.get(f, 0.0) * family[f[0]] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {f: v / norm for f, v in vector.items() if v} if norm else {}

    def scores(self, counts: Counter[str]) -> dict[int, float]:
        """Entry index → score in [0, 1]: the nearest wording and the whole entry, blended."""
        sims: dict[int, float] = defaultdict(float)
        for feature, weight in self.vector(counts).items():
            for d, doc_weight in self._postings.get(feature, ()):
                sims[d] += weight * doc_weight
        nearest: dict[int, float] = {}
        whole: dict[int, float] = {}
        for d, sim in sims.items():
            entry, is_whole = self._docs[d]
            if is_whole:
                whole[entry] = sim
            elif sim > nearest.get(entry, 0.0):
                nearest[entry] = sim
        return {
            entry: NEAREST_SHARE * nearest.get(entry, 0.0) + (1 - NEAREST_SHARE) * whole.get(entry, 0.0)
            for entry in nearest.keys() | whole.keys()
        }


class FaqIndex:
    """Built once per process; each language's part is built the first time a question needs it."""

    def __init__(self, entries: Sequence[FaqEntry], *, confident: float = CONFIDENT, suggest: float = SUGGEST) -> None:
        self.entries = list(entries)
        self.confident = confident
        self.suggest = suggest
        self.languages = sorted({lang for entry in self.entries for lang in entry.questions})
        self._parts: dict[str, _LanguageIndex] = {}

    def _part(self, lang: str) -> _LanguageIndex:
        part = self._parts.get(lang)
        if part is None:
            part = self._parts[lang] = _LanguageIndex(self.entries, lang)
        return part

    def warm(self) -> None:
        for lang in self.languages:
            self._part(lang)

    def scores(self, question: str, lang: str) -> dict[int, float]:
        """Entry index → score in [0, 1]; other languages are searched only when the user's is not sure."""
        counts = features(question)
        best = self._part(lang).scores(counts) if lang in self.languages else {}
        if max(best.values(), default=0.0) >= self.confident:
            return best
        for other in self.languages:
            if other == lang:
                continue
            for entry, score in self._part(other).scores(counts).items():
                score *= OTHER_LANGUAGE
                if score > best.get(entry, 0.0):
                    best[entry] = score
        return best

    def search(self, question: str, lang: str, limit: int = 3) -> list[Hit]:
        ranked = sorted(self.scores(question, lang).items(), key=lambda item: (-item[1], item[0]))
        return [Hit(self.entries[i], score) for i, score in ranked[:limit]]

    def match(self, question: str, lang: str, limit: int = 3) -> Match:
        hits = [hit for hit in self.search(question, lang, limit) if hit.score >= self.suggest]
        return Match(tuple(hits), confident=bool(hits) and hits[0].score >= self.confident)
