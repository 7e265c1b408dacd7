"""A ranked retrieval over FAQ entries: BM25 and cosine over word stems, character n-grams and CJK n-grams.

Every entry is indexed per language twice: each stored wording of the question on its own, compared by cosine
(the wording nearest to the question, as a whole, decides most), and all wordings plus the answer together,
scored by BM25 (so a question about a detail only the answer mentions, a city or a partner, still finds it).
Both scores are normalised to [0, 1] by what the question itself carries: a question feature no entry has
counts against every entry, so "who won the champions league final" is not close to "WeGO Champions" just
because one word matches.

The bot answers only when the best entry is both close enough and clearly ahead of the next one; otherwise it
offers the closest topics. The user's language is searched first; when it gives no confident match, the other
languages count too, slightly discounted, so a staff entry written in one language and a question typed in
another language both still work. A word no entry uses is corrected to the nearest known word (a typo) before
scoring.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.content.models import FaqEntry
from bot.faq.cache import IndexCache, cache_key
from bot.faq.kinds import question_kinds
from bot.faq.text import features_of, korean_stem, lexicon_words, normalize, split_compound, words
from bot.faq.text import is_arabic as _is_arabic_word

T = TypeVar("T")

# Feature families do not weigh the same: a whole word is stronger evidence than one of its n-grams, and a
# number ("part 3", "under 35", "24 lectures") tells siblings apart better than any word.
FAMILY_WEIGHT = {"n": 1.5, "m": 1.0, "w": 1.0, "3": 0.35, "4": 0.5, "c": 0.4, "b": 1.0}
# How much the nearest stored wording counts against the entry's whole text.
NEAREST_SHARE = 0.5
# A match found only in another language than the user's counts a little less.
OTHER_LANGUAGE = 0.85
# At or above this score, and MARGIN ahead of the next entry, the bot answers; below, it offers the closest.
CONFIDENT = 0.25
MARGIN = 0.03
# Below this, even the closest topics are not worth offering.
SUGGEST = 0.12
# The answer's words count less than the ways of asking: answers are long and full of related terms.
ANSWER_WEIGHT = 0.5
# "1) Global Context ...": list numbers in answers are not facts anyone asks about.
_ENUMERATION = re.compile(r"(?<!\w)\d+\)")
# A question asking for a kind of answer (a time, a place, a count...) that an entry's wordings never ask for
# keeps this share of its score; an entry at least KIND_SATURATE of whose wordings ask that way keeps it all.
KIND_WEIGHT = 0.4
KIND_SATURATE = 0.1
# Whole words, numbers and CJK bigrams: what a question is about (n-grams only help to find it).
_WORD_FAMILIES = "wnb"
# The best entry must use at least this share of the question's words (by weight): "a student visa for
# Canada" shares only "visa" with the workshop travel entry, and is not asking about it.
COVERAGE = 0.3
COVERAGE_FROM = "whole"
COVERAGE_WITH_UNKNOWN = 0.5
UNKNOWN_MIN_LENGTH = 4
# Words of at least this many letters that start like a known word are another form of it.
ROOT_FROM = 5
KOREAN_UNKNOWN = True
# Arabic words are shorter (no written short vowels) and already stripped of their article and clitics.
ARABIC_UNKNOWN_LENGTH = 3
# A question is read up to this many content words: no question needs more, and each costs scoring time.
MAX_WORDS = 8
# At most this many unknown words are looked up as typos: a pasted page must not cost a fuzzy search per word.
TYPO_LOOKUPS = 3
# Two entries tied on content: a stored wording at least this similar to the whole question (rapidfuzz ratio)
# decides, when the other entry's closest wording is at least TIE_GAP less similar.
TIE_SIMILAR = 90
TIE_GAP = 10
_PLAIN = re.compile(r"[^\W_]+")
# Arabic prepositions written glued to the next word.
_AR_GLUED = "بلوفك"
# BM25's usual constants.
K1 = 1.2
B = 0.75
# A word no entry has is replaced by the nearest known word at least this similar (rapidfuzz ratio, 0-100).
TYPO_SIMILARITY = 82
TYPO_MIN_LENGTH = 5
TYPO_LETTERS = 4


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


Postings = dict[str, list[tuple[int, float]]]
# What a built language part consists of, in plain types so the on-disk cache can store it (see bot/faq/cache.py):
# vocabulary, idf, idf of an unknown feature, entry of each wording, wording postings, whole-entry postings.
PartState = tuple[set[str], dict[str, float], float, list[int], Postings, Postings]


class _LanguageIndex:
    """The entries of one language: each stored wording alone, and each entry's wordings plus answer together."""

    def __init__(self, state: PartState) -> None:
        self.vocabulary, self._idf, self._unknown_idf, self._docs, self._near, self._whole = state
        self._features: dict[int, set[str]] | None = None

    def state(self) -> PartState:
        return (self.vocabulary, self._idf, self._unknown_idf, self._docs, self._near, self._whole)

    @classmethod
    def build(cls, entries: Sequence[FaqEntry], lang: str) -> _LanguageIndex:
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

    def weight(self, feature: str) -> float:
        return self._idf.get(feature, self._unknown_idf) * FAMILY_WEIGHT[feature[0]]

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
        """Entry index → score in [0, 1]: the nearest wording (cosine) and the whole entry (BM25), blended."""
        sims: dict[int, float] = defaultdict(float)
        for feature, weight in self.vector(counts).items():
            for d, doc_weight in self._near.get(feature, ()):
                sims[d] += weight * doc_weight
        nearest: dict[int, float] = {}
        for d, sim in sims.items():
            entry = self._docs[d]
            if sim > nearest.get(entry, 0.0):
                nearest[entry] = sim
        mass = sum(self.weight(f) for f in counts)
        whole: dict[int, float] = defaultdict(float)
        if mass:
            for feature in counts:
                weight = self.weight(feature) / mass
                for entry, part in self._whole.get(feature, ()):
                    whole[entry] += weight * part
        return {
            entry: NEAREST_SHARE * nearest.get(entry, 0.0) + (1 - NEAREST_SHARE) * whole.get(entry, 0.0)
            for entry in nearest.keys() | whole.keys()
        }


def _is_name(word: str, names: frozenset[str]) -> bool:
    """A place name, perhaps with a Korean particle or an Arabic preposition glued to it."""
    return (
        word in names
        or korean_stem(word) in names
        or (_is_arabic_word(word) and word[0] in _AR_GLUED and word[1:] in names)
    )


def _is_part_state(value: object) -> bool:
    """A shallow check of a cached part: the checksum already caught damage, this catches a wrong shape."""
    kinds = (set, dict, float, list, dict, dict)
    return (
        isinstance(value, tuple)
        and len(value) == len(kinds)
        and all(isinstance(item, kind) for item, kind in zip(value, kinds, strict=True))
    )


class FaqIndex:
    """Built once per process; each language's part is built the first time a question needs it, or read from
    the on-disk cache in `cache_dir` when one is given and holds that part for these entries and this code."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        *,
        confident: float = CONFIDENT,
        margin: float = MARGIN,
        suggest: float = SUGGEST,
        coverage: float = COVERAGE,
        cache_dir: Path | None = None,
    ) -> None:
        self.entries = list(entries)
        self.cache_dir = cache_dir
        self._cache: IndexCache | None = None
        self.confident = confident
        self.margin = margin
        self.suggest = suggest
        self.coverage_needed = coverage
        self.languages = sorted({lang for entry in self.entries for lang in entry.questions})
        self._parts: dict[str, _LanguageIndex] = {}
        self._vocabulary: list[str] | None = None
        self._kind_shares: list[dict[str, float]] | None = None
        self._last_counts: tuple[str, str, list[str], Counter[str]] | None = None
        self._everywhere: set[str] | None = None
        self._by_length: defaultdict[int, list[str]] | None = None
        self._roots: list[str] | None = None
        self._memo: dict[str, object] = {}

    def _disk(self) -> IndexCache | None:
        if self._cache is None and self.cache_dir is not None:
            self._cache = IndexCache(self.cache_dir, cache_key(self.entries))
        return self._cache

    def _part(self, lang: str) -> _LanguageIndex:
        part = self._parts.get(lang)
        if part is None:
            disk = self._disk()
            state = disk.load(lang) if disk else None
            if _is_part_state(state):
                part = _LanguageIndex(state)  # type: ignore[arg-type]
            else:
                part = _LanguageIndex.build(self.entries, lang)
                if disk:
                    disk.store(lang, part.state())
            self._parts[lang] = part
        return part

    def cached(self, part: str, build: Callable[[], T]) -> T:
        """A value derived from these entries, kept in the on-disk cache under `part` (whose name must change
        with whatever else the value depends on); built and stored when missing or stale."""
        disk = self._disk()
        found = disk.load(part) if disk else None
        if found is not None:
            return found  # type: ignore[return-value]
        value = build()
        if disk:
            disk.store(part, value)
        return value

    def memo(self, part: str, build: Callable[[], T]) -> T:
        """`cached`, also kept on this index: derived once per index and process, then read from memory."""
        if part not in self._memo:
            self._memo[part] = self.cached(part, build)
        return self._memo[part]  # type: ignore[return-value]

    def warm(self) -> None:
        for lang in self.languages:
            self._part(lang)
        self._known()
        self._shares()

    def _shares(self) -> list[dict[str, float]]:
        """Per entry, the share of its stored wordings (all languages) asking for each kind of answer."""
        if self._kind_shares is None:
            disk = self._disk()
            cached = disk.load("kinds") if disk else None
            if isinstance(cached, list) and len(cached) == len(self.entries):
                self._kind_shares = cached
                return cached
            shares = []
            for entry in self.entries:
                found: Counter[str] = Counter()
                texts = [text for texts in entry.questions.values() for text in texts]
                for text in texts:
                    found.update(question_kinds(text))
                shares.append({kind: n / len(texts) for kind, n in found.items()})
            if disk:
                disk.store("kinds", shares)
            self._kind_shares = shares
        return self._kind_shares

    def _kind_factors(self, question: str) -> list[float] | None:
        """Per entry, the share of its score it keeps given the kind of answer the question asks for."""
        kinds = question_kinds(question)
        if not kinds:
            return None
        factors = []
        for shares in self._shares():
            affinity = max(min(1.0, shares.get(kind, 0.0) / KIND_SATURATE) for kind in kinds)
            factors.append(1.0 - KIND_WEIGHT * (1.0 - affinity))
        return factors

    def _known(self) -> list[str]:
        if self._vocabulary is None:
            self._vocabulary = sorted(set().union(*(self._part(lang).vocabulary for lang in self.languages)))
        return self._vocabulary

    def _known_set(self) -> set[str]:
        if self._everywhere is None:
            self._everywhere = set(self._known())
        return self._everywhere

    def _corrected(self, found: list[str], lang: str) -> list[str]:
        """Korean compounds split into known words; then words no entry uses in any language replaced by the
        nearest known word, when one is close (a typo)."""
        own = self._part(lang).vocabulary if lang in self.languages else set()
        found = [part for word in found for part in split_compound(word, own)]
        # Chinese runs are not words: their characters and bigrams already tolerate a changed character.
        unknown = [
            w
            for w in found
            if w not in own and len(w) >= TYPO_MIN_LENGTH and not w.isdigit() and not "\u4e00" <= w[0] <= "\u9fff"
        ]
        if not unknown:
            return found
        known = self._known()
        everywhere = self._known_set()
        unknown = [w for w in unknown if w not in everywhere]
        # German typed without umlauts ("uebernommen", "bestaetigung"): the word as the index spells it, when
        # that is a known word.
        umlauts = {w: w.replace("ae", "a").replace("oe", "o").replace("ue", "u") for w in unknown}
        spelled = {w: plain for w, plain in umlauts.items() if plain != w and plain in everywhere}
        if spelled:
            found = [spelled.get(w, w) for w in found]
            unknown = [w for w in unknown if w not in spelled]
        unknown = unknown[:TYPO_LOOKUPS]
        if not unknown:
            return found
        # Imported only when a question has an unknown word, so a plain `wego-bot ask` does not pay for it.
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA

        if self._by_length is None:
            from bot.faq.stopwords import function_words

            # A typo is corrected to a word that says what a question is about: "weather" is not a misspelt
            # "whether", nor "Wetter" "weiter".
            common = function_words()
            self._by_length = defaultdict(list)
            for candidate in known:
                if candidate not in common:
                    self._by_length[len(candidate)].append(candidate)
        fixes: dict[str, str] = {}
        for word in unknown:
            # A ratio of 82 or more needs lengths within about 40% of each other: only those are compared.
            spread = max(2, int(len(word) * 0.4))
            near = [c for n in range(len(word) - spread, len(word) + spread + 1) for c in self._by_length.get(n, ())]
            best = process.extractOne(word, near, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY)
            # A typo is one slip (a letter added, dropped, changed or two swapped) per four letters or so: "dress" is
            # not a misspelt "address".
            if best is not None and OSA.distance(word, best[0]) <= max(1, len(word) // TYPO_LETTERS):
                fixes[word] = best[0]
        return [fixes.get(w, w) for w in found]

    def scores(self, question: str, lang: str, subject: Sequence[float] | None = None) -> dict[int, float]:
        """Entry index → score in [0, 1]; other languages are searched only when the user's is not sure.

        `subject`: per entry, the share of its score it keeps given the question's subject (see
        bot/faq/understand.py), applied like the kind of answer asked for."""
        counts = self._counts(question, lang)
        factors = self._kind_factors(question)
        if subject is not None:
            factors = [a * b for a, b in zip(factors or [1.0] * len(subject), subject, strict=True)]

        def part_scores(part_lang: str) -> dict[int, float]:
            found = self._part(part_lang).scores(counts)
            if factors is not None:
                found = {entry: score * factors[entry] for entry, score in found.items()}
            return found

        best = part_scores(lang) if lang in self.languages else {}
        if self._confident(sorted(best.values(), reverse=True)[:2]):
            return best
        found = self._read(question, lang)[0]
        for other in self.languages:
            # A language none of whose entries uses any of the question's words cannot match it any better.
            if other == lang or not any(word in self._part(other).vocabulary for word in found):
                continue
            for entry, score in part_scores(other).items():
                score *= OTHER_LANGUAGE
                if score > best.get(entry, 0.0):
                    best[entry] = score
        return best

    def _counts(self, question: str, lang: str) -> Counter[str]:
        return self._read(question, lang)[1]

    def _read(self, question: str, lang: str) -> tuple[list[str], Counter[str]]:
        """The question's words (typos corrected) and features; the last question's are kept, as `match` asks
        for them twice."""
        last = self._last_counts  # read once: handlers/faq.py may match in a worker thread
        if last is not None and last[0] == question and last[1] == lang:
            return last[2], last[3]
        found = self._corrected(words(question)[:MAX_WORDS], lang)
        counts = features_of(found)
        self._last_counts = (question, lang, found, counts)
        return found, counts

    def vocabulary(self) -> set[str]:
        """Every word some entry uses, in any language."""
        return self._known_set()

    def unknown_words(self, question: str, lang: str) -> list[str]:
        """The question's words (typos corrected) that no entry uses in any language."""
        own = self._part(lang).vocabulary if lang in self.languages else set()
        # The other languages' parts are built (or read) only when a word is not in the user's own.
        found = lexicon_words(self._read(question, lang)[0])
        candidates = [word for word in found if word not in own and not word.isdigit()]
        if not candidates:
            return []
        known = self._known_set()
        return [word for word in candidates if word not in known]

    def coverage(
        self, question: str, lang: str, entry: FaqEntry, enough: float = 1.0, without: frozenset[str] = frozenset()
    ) -> float:
        """How much of the question the entry speaks of, in the language where it speaks of most; the words in
        `without` (place names) are left out of the question."""
        i = self.entries.index(entry)
        counts = self._counts(question, lang)
        if without:
            kept = [w for w in self._read(question, lang)[0] if not _is_name(w, without)]
            counts = features_of(kept)
        own = self._part(lang).coverage(counts, i) if lang in self.languages else 0.0
        if own >= enough:
            return own  # no need to build or read the other languages' parts
        return max([own, *(self._part(part).coverage(counts, i) for part in self.languages if part != lang)])

    def topic_words(self, question: str, lang: str, names: frozenset[str] = frozenset()) -> list[str]:
        """Words no entry uses in any language that say what the question is about ("wifi", "parking"), not
        how it is asked: function words of the seven languages (bot/faq/stopwords.py) and short words are
        left out."""
        unknown = self.unknown_words(question, lang)
        if not unknown:
            return []
        from bot.faq.stopwords import function_words

        common = function_words()
        known = self._known_set()
        return [
            w
            for w in unknown
            if w not in common
            and not _is_name(w, names)
            # "几号", "언제": how the question asks, not what about.
            and not question_kinds(w)
            # An Arabic preposition glued to a known word or a place: "بمصر" is "in Egypt".
            and not (_is_arabic_word(w) and w[0] in _AR_GLUED and (w[1:] in known or w[1:] in names or w[1:] in common))
            and not self._shares_root(w)
            # Korean words carry their particles: unknown as a whole, not always as a stem.
            and (
                (len(w) >= UNKNOWN_MIN_LENGTH and w.isascii())
                or (len(w) >= ARABIC_UNKNOWN_LENGTH and _is_arabic_word(w))
                or self._unknown_korean(w)
                or (len(w) >= 2 and "\u4e00" <= w[0] <= "\u9fff")
            )
        ]

    def _shares_root(self, word: str) -> bool:
        """Another form of a word some entry uses: "studiano" beside "studiare", "registering" beside
        "registration" (the first five letters, or all but the last three of a longer word)."""
        if not word.isascii() or len(word) < ROOT_FROM:
            return False
        if self._roots is None:
            self._roots = sorted(w for w in self._known_set() if w.isascii() and len(w) >= ROOT_FROM)
        root = word[: max(ROOT_FROM, len(word) - 3)]
        at = bisect.bisect_left(self._roots, root)
        return at < len(self._roots) and self._roots[at].startswith(root)

    def _unknown_korean(self, word: str) -> bool:
        """A Korean word whose stem (particles cut) no entry uses: "비자", "드레스"."""
        if not KOREAN_UNKNOWN or not word or not ("\uac00" <= word[0] <= "\ud7a3"):
            return False
        stem = korean_stem(word)
        return len(stem) >= 2 and stem not in self._known_set()

    def _break_tie(self, question: str, lang: str, ranked: list[Hit]) -> tuple[list[Hit], bool]:
        """Two entries equally close once the question words are dropped ("what is WeGO" and "what does WeGO
        do" both leave "wego"): the one with a stored wording nearly identical to the whole question wins, when
        the other has none as close."""
        from rapidfuzz import fuzz

        plain = " ".join(_PLAIN.findall(normalize(question)))

        def closest(hit: Hit) -> float:
            wordings = hit.entry.questions.get(lang, [])
            return max((fuzz.ratio(plain, " ".join(_PLAIN.findall(normalize(w)))) for w in wordings), default=0.0)

        first, second = closest(ranked[0]), closest(ranked[1])
        if max(first, second) >= TIE_SIMILAR and abs(first - second) >= TIE_GAP:
            if second > first:
                ranked = [ranked[1], ranked[0], *ranked[2:]]
            return ranked, True
        return ranked, False

    def _confident(self, top: list[float]) -> bool:
        if not top or top[0] < self.confident:
            return False
        runner_up = top[1] if len(top) > 1 else 0.0
        return top[0] - runner_up >= self.margin

    def search(self, question: str, lang: str, limit: int = 3, factors: Sequence[float] | None = None) -> list[Hit]:
        ranked = sorted(self.scores(question, lang, factors).items(), key=lambda item: (-item[1], item[0]))
        return [Hit(self.entries[i], score) for i, score in ranked[:limit]]

    def match(
        self,
        question: str,
        lang: str,
        limit: int = 3,
        factors: Sequence[float] | None = None,
        names: frozenset[str] = frozenset(),
    ) -> Match:
        """The ranked entries, and whether the best is confident. `names`: words that are place names (they
        say where, not what, though no entry uses them)."""
        ranked = self.search(question, lang, max(limit, 2), factors)
        confident = self._confident([hit.score for hit in ranked[:2]])
        if not confident and len(ranked) > 1 and ranked[1].score >= self.confident:
            ranked, confident = self._break_tie(question, lang, ranked)
        if confident:
            # A word no entry knows in any language ("hotel", "dress") is what the question is about more often
            # than not: then the entry must speak of more of the rest.
            topic = self.topic_words(question, lang, names)
            needed = COVERAGE_WITH_UNKNOWN if topic else self.coverage_needed
            # With a word no entry knows, a place name is where, not what: "where can I sleep in Geneva" is not
            # covered by the entry that names Geneva.
            without = names if topic else frozenset()
            confident = self.coverage(question, lang, ranked[0].entry, needed, without) >= needed
        hits = [hit for hit in ranked[:limit] if hit.score >= self.suggest]
        return Match(tuple(hits), confident=confident and bool(hits))
