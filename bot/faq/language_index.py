"""One language's part of the FAQ index: BM25 and cosine over word stems, character n-grams and CJK n-grams.

Every entry is indexed per language twice: each stored wording of the question on its own, compared by cosine
(the wording nearest to the question, as a whole, decides most), and all wordings plus the answer together,
scored by BM25 (so a question about a detail only the answer mentions, a city or a partner, still finds it).
Both scores are normalised to [0, 1] by what the question itself carries: a question feature no entry has
counts against every entry, so "who won the champions league final" is not close to "WeGO Champions" just
because one word matches.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from bot.content.models import FaqEntry
from bot.faq.text import features_of, lexicon_words, words

# Feature families do not weigh the same: a whole word is stronger evidence than one of its n-grams, and a
# number ("part 3", "under 35", "24 lectures") tells siblings apart better than any word.
FAMILY_WEIGHT = {"n": 1.5, "m": 1.0, "w": 1.0, "3": 0.35, "4": 0.5, "c": 0.4, "b": 1.0}
# How much the nearest stored wording counts against the entry's whole text.
NEAREST_SHARE = 0.5
# The answer's words count less than the ways of asking: answers are long and full of related terms.
ANSWER_WEIGHT = 0.5
# "1) Global Context ...": list numbers in answers are not facts anyone asks about.
_ENUMERATION = re.compile(r"(?<!\w)\d+\)")
# Whole words, numbers (and their tens: an age of 37 is near the rule's 35) and CJK bigrams: what a question is
# about (n-grams only help to find it).
_WORD_FAMILIES = "wnbm"
COVERAGE_FROM = "whole"
# BM25's usual constants.
K1 = 1.2
B = 0.75


Vector = dict[str, float]


Postings = dict[str, list[tuple[int, float]]]
# What a built language part consists of, in plain types so the on-disk cache can store it (see bot/faq/cache.py):
# vocabulary, idf, idf of an unknown feature, entry of each wording, wording postings, whole-entry postings.
PartState = tuple[set[str], dict[str, float], float, list[int], Postings, Postings]


class LanguageIndex:
    """The entries of one language: each stored wording alone, and each entry's wordings plus answer together."""

    def __init__(self, state: PartState) -> None:
        self.vocabulary, self._idf, self._unknown_idf, self._docs, self._near, self._whole = state
        self._features: dict[int, set[str]] | None = None
        # Derived here, not stored (the cached state keeps its shape): each feature's weight, the same product
        # `weight` would compute on every call, and each entry's run of wordings (`build` appends an entry's
        # wordings together, in entry order), so the nearest wording is a `max` over a slice.
        self._weights = {f: idf * FAMILY_WEIGHT[f[0]] for f, idf in self._idf.items()}
        self._unknown_weights = {family: self._unknown_idf * w for family, w in FAMILY_WEIGHT.items()}
        self._runs: list[tuple[int, int, int]] = []
        start = 0
        for d in range(1, len(self._docs) + 1):
            if d == len(self._docs) or self._docs[d] != self._docs[start]:
                self._runs.append((self._docs[start], start, d))
                start = d
        self._entries = 1 + max(
            [*self._docs, *(i for postings in self._whole.values() for i, _w in postings)], default=-1
        )

    def state(self) -> PartState:
        return (self.vocabulary, self._idf, self._unknown_idf, self._docs, self._near, self._whole)

    @classmethod
    def build(cls, entries: Sequence[FaqEntry], lang: str) -> LanguageIndex:
        wordings: list[tuple[int, Counter[str]]] = []
        wholes: dict[int, defaultdict[str, float]] = {}
        vocabulary: set[str] = set()
        for i, entry in enumerate(entries):
            texts = entry.questions.get(lang)
            if not texts:
                continue
            whole: defaultdict[str, float] = defaultdict(float)
            for text in texts:
                content = words(text)
                found = features_of(content)
                wordings.append((i, found))
                for feature, n in found.items():
                    whole[feature] += n
                vocabulary.update(lexicon_words(content))
            if lang in entry.answer:
                content = words(_ENUMERATION.sub(" ", entry.answer[lang]))
                for feature, n in features_of(content).items():
                    whole[feature] += n * ANSWER_WEIGHT
                vocabulary.update(lexicon_words(content))
            wholes[i] = whole
        # Document frequency over entries: how many entries use a feature anywhere.
        df: Counter[str] = Counter()
        for whole_counts in wholes.values():
            df.update(whole_counts.keys())
        total = len(wholes) or 1
        idf = {f: math.log(1 + (total - n + 0.5) / (n + 0.5)) for f, n in df.items()}
        part = cls((vocabulary, idf, math.log(1 + (total + 0.5) / 0.5), [i for i, _counts in wordings], {}, {}))
        near: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        for d, (_i, counts) in enumerate(wordings):
            for feature, weight in part.vector(counts).items():
                near[feature].append((d, weight))
        lengths = {i: sum(whole_counts.values()) for i, whole_counts in wholes.items()}
        average = sum(lengths.values()) / len(lengths) if lengths else 1.0
        # BM25 term weights per entry, precomputed: the query side only adds them up.
        bm25: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, whole_counts in wholes.items():
            norm = K1 * (1 - B + B * lengths[i] / average)
            for feature, tf in whole_counts.items():
                bm25[feature].append((i, min(1.0, tf * (K1 + 1) / (tf + norm))))
        part._near, part._whole = dict(near), dict(bm25)
        return part

    def has(self, feature: str) -> bool:
        return feature in self._idf

    def weight(self, feature: str) -> float:
        found = self._weights.get(feature)
        return found if found is not None else self._unknown_weights[feature[0]]

    def vector(self, counts: Counter[str]) -> Vector:
        vector = {f: (1.0 + math.log(n)) * self.weight(f) for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {f: v / norm for f, v in vector.items() if v} if norm else {}

    def coverage(self, counts: Counter[str], entry: int) -> float:
        """The share of the question's words (by weight) that the entry's wordings or answer use at all."""
        if self._features is None:
            features: defaultdict[int, set[str]] = defaultdict(set)
            for feature, postings in self._whole.items():
                if feature[0] in _WORD_FAMILIES:
                    for i, _weight in postings:
                        features[i].add(feature)
            if COVERAGE_FROM == "wordings":
                features = defaultdict(set)
                for feature, near in self._near.items():
                    if feature[0] in _WORD_FAMILIES:
                        for d, _weight in near:
                            features[self._docs[d]].add(feature)
            self._features = dict(features)
        own = self._features.get(entry, set())
        asked = [f for f in counts if f[0] in _WORD_FAMILIES]
        mass = sum(self.weight(f) for f in asked)
        return sum(self.weight(f) for f in asked if f in own) / mass if mass else 1.0

    def scores(self, counts: Counter[str]) -> dict[int, float]:
        """Entry index → score in [0, 1]: the nearest wording (cosine) and the whole entry (BM25), blended.

        The same sums as `vector` and `weight` give, in the same order (so the same floats), with each feature's
        weight looked up once and the sums kept in lists indexed by wording and entry: a 4,000-character message
        hits a thousand postings per part, and this is most of its matching time."""
        known, unknown = self._weights.get, self._unknown_weights
        weights = [w if (w := known(f)) is not None else unknown[f[0]] for f in counts]
        vector = {f: (1.0 + math.log(n)) * w for (f, n), w in zip(counts.items(), weights, strict=True)}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        sims = [0.0] * len(self._docs)
        if norm:
            near = self._near
            for feature, v in vector.items():
                postings = near.get(feature)
                if postings and v:
                    weight = v / norm
                    for d, doc_weight in postings:
                        sims[d] += weight * doc_weight
        # Every posting's weight is positive: an entry some feature reached has a score above 0, one none reached
        # has 0 and is left out, as it always was.
        nearest = [0.0] * self._entries
        for entry, start, end in self._runs:
            nearest[entry] = max(sims[start:end])
        mass = sum(weights)
        whole = [0.0] * self._entries
        if mass:
            bm25 = self._whole
            for feature, w in zip(counts, weights, strict=True):
                postings = bm25.get(feature)
                if postings:
                    weight = w / mass
                    for entry, part in postings:
                        whole[entry] += weight * part
        return {
            entry: NEAREST_SHARE * near_score + (1 - NEAREST_SHARE) * whole_score
            for entry, (near_score, whole_score) in enumerate(zip(nearest, whole, strict=True))
            if near_score or whole_score
        }


def is_part_state(value: object) -> bool:
    """A shallow check of a cached part: the checksum already caught damage, this catches a wrong shape."""
    kinds = (set, dict, float, list, dict, dict)
    return (
        isinstance(value, tuple)
        and len(value) == len(kinds)
        and all(isinstance(item, kind) for item, kind in zip(value, kinds, strict=True))
    )
