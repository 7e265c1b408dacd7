"""A second opinion on a question the FAQ was unsure of: the nearest entry by the character n-grams of its wordings.

Why: the retrieval (bot/faq/index.py) reads whole words, and corrects a typo word by word. A paraphrase typed by
someone who never saw the stored wordings often shares only pieces of words with them ("inscri", "zertifi",
"수료"): it falls below the retrieval's confidence, and the bot declines or offers topics although the nearest
topic is the right one. A nearest centroid over character 2-5-grams (with the words and word pairs) of the stored
questions, every language at once, reads those pieces.

It is a cautious second opinion: it never overrules an answer, and it turns a declined question into an answer
only when three things hold. The retrieval's own nearest entry is the same entry (the two readings agree); the
question is close to that entry's centroid (cosine at least AGREE); and most of the question's n-grams, weighted
by how rare they are, occur in that entry's stored wordings (at least COVERED): a question about something the
entries never mention ("the weather on the workshop day") brings n-grams no stored wording has.

Measured on the TUNE set with its batches split in two: thresholds picked on the odd-numbered batches, figures on
the even-numbered ones and on ten batches written blind, run with the code they were written against. Each gained
a few right answers and no wrong one; letting the model answer without agreement, or veto a confident answer it
disagrees with, cost more wrong answers than it gained (the commit adding this module has the figures).

Built from the FAQ's stored questions only, deterministically, and kept in the index's disk cache like the facets.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from bot.content.models import FaqEntry
from bot.domain.scripts import CJK
from bot.faq.index import FaqIndex
from bot.faq.text import MAX_READ, normalize

# The question must be at least this close (cosine) to the entry's centroid...
AGREE = 0.25
# ...and at least this share of its n-grams (idf-weighted) must occur in the entry's stored wordings.
COVERED = 0.6
SMALLEST, LARGEST = 2, 5
_NOT_WORD = re.compile(r"[\W_]+")


def ngrams(text: str) -> Counter[str]:
    """The features of a question: its character 2-5-grams (across word boundaries, with a space before and after),
    its CJK and Hangul characters alone, its words and its word pairs, each kind marked by its first letter."""
    plain = " " + _NOT_WORD.sub(" ", normalize(text[:MAX_READ])).strip() + " "
    if not plain.strip():
        return Counter()
    # (Spaces never come two in a row, so no n-gram is only spaces.)
    pieces = [
        plain[start : start + size] for size in range(SMALLEST, LARGEST + 1) for start in range(len(plain) - size + 1)
    ]
    found = Counter(map("c".__add__, pieces))
    # A CJK or Hangul character alone already says something.
    found.update("u" + char for char in CJK.findall(plain))
    tokens = plain.split()
    found.update(map("w".__add__, tokens))
    found.update(f"b{first} {second}" for first, second in pairwise(tokens))
    return found


@dataclass(frozen=True, slots=True)
class Opinion:
    entry_id: str
    closeness: float  # cosine to the entry's centroid
    covered: float  # idf-weighted share of the question's n-grams that the entry's wordings use


# What the cache holds: entry ids, each feature's idf, per feature its weight in each entry's centroid, and the weight
# of a feature no wording has (log of the number of wordings, plus one).
State = tuple[list[str], dict[str, float], dict[str, dict[int, float]], float]


class NgramCentroids:
    """One centroid per entry: the mean of its stored wordings' unit tf-idf vectors, made a unit vector."""

    def __init__(self, state: State) -> None:
        self.ids, self.idf, self.postings, self.unseen = state
        self._numbers = {entry_id: number for number, entry_id in enumerate(self.ids)}

    @classmethod
    def build(cls, entries: Sequence[FaqEntry]) -> NgramCentroids:
        return cls(cls.state_of(entries))

    @staticmethod
    def state_of(entries: Sequence[FaqEntry]) -> State:
        ids = [entry.id for entry in entries]
        wordings = [
            (number, ngrams(question))
            for number, entry in enumerate(entries)
            for lang in sorted(entry.questions)
            for question in entry.questions[lang]
        ]
        documents: Counter[str] = Counter()
        for _number, found in wordings:
            documents.update(found.keys())
        count = len(wordings)
        idf = {feature: math.log((count + 1) / (seen + 1)) + 1.0 for feature, seen in sorted(documents.items())}
        sums: list[dict[str, float]] = [{} for _ in ids]
        for number, found in wordings:
            total = sums[number]
            for feature, weight in _unit(found, idf).items():
                total[feature] = total.get(feature, 0.0) + weight
        postings: dict[str, dict[int, float]] = {}
        for number, total in enumerate(sums):
            norm = math.sqrt(sum(weight * weight for weight in total.values())) or 1.0
            for feature in sorted(total):
                postings.setdefault(feature, {})[number] = total[feature] / norm
        return ids, idf, postings, math.log(max(count, 1)) + 1.0

    def state(self) -> State:
        return self.ids, self.idf, self.postings, self.unseen

    def nearest(self, text: str) -> Opinion | None:
        """The entry whose centroid is closest to `text`, how close, and how much of `text` its wordings cover."""
        found = ngrams(text)
        vector = _unit(found, self.idf)
        scores: dict[int, float] = {}
        for feature, weight in vector.items():
            for number, centroid_weight in self.postings.get(feature, {}).items():
                scores[number] = scores.get(number, 0.0) + weight * centroid_weight
        if not scores:
            return None
        best = min(scores, key=lambda number: (-scores[number], self.ids[number]))
        return Opinion(self.ids[best], scores[best], self._covered(found, best))

    def agrees(self, text: str, entry_id: str) -> bool:
        """Whether `text` is, by its n-grams, clearly a question for `entry_id`: that entry's centroid is the
        nearest, at least AGREE close, and its wordings cover at least COVERED of the question (the module's
        docstring says why). The same as asking `nearest`, but the closeness and cover of `entry_id` alone are
        read first, and most questions stop there: every entry's closeness costs a few milliseconds on a long
        message."""
        number = self._numbers.get(entry_id)
        if number is None:
            return False
        found = ngrams(text)
        # The closeness to this entry's centroid and its cover, in one pass over the question's n-grams.
        dot = squares = total = used = 0.0
        for feature, count in found.items():
            weight = self.idf.get(feature)
            if weight is None:
                total += self.unseen
                continue
            total += weight
            tf_idf = weight if count == 1 else (1.0 + math.log(count)) * weight
            squares += tf_idf * tf_idf
            centroid = self.postings[feature].get(number)
            if centroid is not None:
                used += weight
                dot += tf_idf * centroid
        closeness = dot / math.sqrt(squares) if squares else 0.0
        if closeness < AGREE or used / (total or 1.0) < COVERED:
            return False
        opinion = self.nearest(text)
        return opinion is not None and opinion.entry_id == entry_id

    def _covered(self, found: Counter[str], number: int) -> float:
        total = used = 0.0
        for feature in found:
            weight = self.idf.get(feature)
            if weight is None:
                total += self.unseen
                continue
            total += weight
            if number in self.postings[feature]:
                used += weight
        return used / (total or 1.0)


def _unit(found: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear tf times idf, as a unit vector; features no stored wording has are left out."""
    vector = {feature: (1.0 + math.log(count)) * idf[feature] for feature, count in found.items() if feature in idf}
    norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
    return {feature: weight / norm for feature, weight in vector.items()}


_PART: str | None = None


def _part() -> str:
    """The cache part's name: it changes with this code and with how text is normalized."""
    global _PART
    if _PART is None:
        digest = hashlib.sha256()
        folder = Path(__file__).parent
        for name in ("ngram_centroids.py", "text.py", "../domain/scripts.py"):
            with contextlib.suppress(OSError):
                digest.update((folder / name).read_bytes())
        _PART = "ngram-centroids-" + digest.hexdigest()[:16]
    return _PART


def centroids_of(index: FaqIndex) -> NgramCentroids:
    """The index's entries' centroids: built once per index (about a second), kept on it, and kept in its disk
    cache for the next process."""
    state = index.memo(_part(), lambda: NgramCentroids.state_of(index.entries))
    if not _is_state(state, len(index.entries)):
        state = NgramCentroids.state_of(index.entries)
    return NgramCentroids(state)


def _is_state(value: object, entries: int) -> bool:
    if not isinstance(value, tuple) or len(value) != 4:
        return False
    ids, idf, postings, unseen = value
    return (
        isinstance(ids, list)
        and len(ids) == entries
        and isinstance(idf, dict)
        and isinstance(postings, dict)
        and isinstance(unseen, float)
    )
