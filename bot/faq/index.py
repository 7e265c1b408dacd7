"""A ranked retrieval over FAQ entries, each language's part scored by BM25 and cosine (bot/faq/language_index.py).

The bot answers only when the best entry is both close enough and clearly ahead of the next one; otherwise it
offers the closest topics. The user's language is searched first; when it gives no confident match, the other
languages count too, slightly discounted, so a staff entry written in one language and a question typed in
another language both still work. A word no entry uses is corrected to the nearest known word (a typo) before
scoring.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.content.models import FaqEntry
from bot.faq.cache import IndexCache, cache_key
from bot.faq.kinds import question_kinds
from bot.faq.language_index import LanguageIndex, is_part_state
from bot.faq.stems import is_arabic, latin_stem
from bot.faq.text import coverage_features, features_of, lexicon_words, normalize, split_compound, words
from bot.faq.vocabulary import TYPO_MIN_LENGTH, Vocabulary, is_name

T = TypeVar("T")

# A match found only in another language than the user's counts a little less.
OTHER_LANGUAGE = 0.85
# At or above this score, and MARGIN ahead of the next entry, the bot answers; below, it offers the closest.
CONFIDENT = 0.25
MARGIN = 0.03
# Below this, even the closest topics are not worth offering.
SUGGEST = 0.12
# A question asking for a kind of answer (a time, a place, a count...) that an entry's wordings never ask for
# keeps this share of its score; an entry at least KIND_SATURATE of whose wordings ask that way keeps it all.
KIND_WEIGHT = 0.4
KIND_SATURATE = 0.1
# The best entry must use at least this share of the question's words (by weight): "a student visa for
# Canada" shares only "visa" with the workshop travel entry, and is not asking about it.
COVERAGE = 0.3
COVERAGE_WITH_UNKNOWN = 0.5
# A question is read up to this many content words: no question needs more, and each costs scoring time.
MAX_WORDS = 8
# Two entries tied on content: a stored wording at least this similar to the whole question (rapidfuzz ratio)
# decides, when the other entry's closest wording is at least TIE_GAP less similar.
TIE_SIMILAR = 90
TIE_GAP = 10
_PLAIN = re.compile(r"[^\W_]+")
# The kind of answer an entry must have been asked for to answer it: a person.
PERSON = "who"


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
        self._parts: dict[str, LanguageIndex] = {}
        self._vocabulary: Vocabulary | None = None
        self._kind_shares: list[dict[str, float]] | None = None
        self._last_counts: tuple[str, str, list[str], Counter[str]] | None = None
        self._memo: dict[str, object] = {}

    def _disk(self) -> IndexCache | None:
        if self._cache is None and self.cache_dir is not None:
            self._cache = IndexCache(self.cache_dir, cache_key(self.entries))
        return self._cache

    def _part(self, lang: str) -> LanguageIndex:
        part = self._parts.get(lang)
        if part is None:
            disk = self._disk()
            state = disk.load(lang) if disk else None
            if is_part_state(state):
                part = LanguageIndex(state)  # type: ignore[arg-type]
            else:
                part = LanguageIndex.build(self.entries, lang)
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

    def _never_asked(self, question: str, entry: FaqEntry) -> bool:
        """The question asks who, and none of the entry's stored wordings, in any language, does."""
        kinds = question_kinds(question)
        if PERSON not in kinds or len(kinds) > 1:
            return False
        return self._shares()[self.entries.index(entry)].get(PERSON, 0.0) == 0.0

    def _known(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(set().union(*(self._part(lang).vocabulary for lang in self.languages)))
        return self._vocabulary

    def _corrected(self, found: list[str], lang: str) -> list[str]:
        """Korean compounds split into known words; then words no entry uses in any language replaced by the
        nearest known word, when one is close (a typo)."""
        own = self._part(lang).vocabulary if lang in self.languages else set()
        found = [part for word in found for part in split_compound(word, own)]
        # Chinese runs are not words: their characters and bigrams already tolerate a changed character.
        unknown = [
            w
            for w in found
            if w not in own
            and (len(w) >= TYPO_MIN_LENGTH or (len(w) == TYPO_MIN_LENGTH - 1 and is_arabic(w)))
            and not w.isdigit()
            and not "\u4e00" <= w[0] <= "\u9fff"
        ]
        if not unknown:
            return found
        return self._known().corrected(found, unknown)

    def scores(self, question: str, lang: str, subject: Sequence[float] | None = None) -> dict[int, float]:
        """Entry index → score in [0, 1]; other languages are searched only when the user's is not sure.

        `subject`: per entry, the share of its score it keeps given the question's subject (see
        bot/faq/facets.py), applied like the kind of answer asked for."""
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
        found = self._read(question, lang)[0]
        # A question mixing in another language's words ("شو الـ new topic هالسنة"; "내 progress") is read in that
        # language too, however sure its own language is: its own entries only know the words of its own.
        own = self._part(lang).vocabulary if lang in self.languages else set()
        mixed = any(word.isascii() and not word.isdigit() and word not in own for word in found) and not all(
            word.isascii() for word in found
        )
        if not mixed and self._confident(sorted(best.values(), reverse=True)[:2]):
            return best
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
        # A function word no entry uses in any language ("فيه", "ده", "ابي", "kindly"): it can match nothing, and
        # would only make the question look farther from every entry. Left out before the question is cut to
        # MAX_WORDS, so a formal request's courtesy ("could you kindly let me know") does not take the place of
        # what it asks; and again once typos are corrected.
        found = self._without_unknown_function_words(words(question), lang)
        found = self._corrected(found[:MAX_WORDS], lang)
        found = self._without_unknown_function_words(found, lang)
        counts = features_of(found)
        self._last_counts = (question, lang, found, counts)
        return found, counts

    def read_words(self, question: str, lang: str) -> list[str]:
        """The words the index reads of a question (at most MAX_WORDS, typos corrected)."""
        return self._read(question, lang)[0]

    def corrections(self, question: str, lang: str) -> dict[str, str]:
        """The question's words that were read as another (a typo, German without umlauts...), each with the word it
        was read as: "certifcate" → "certificate"."""
        typed = words(question)[:MAX_WORDS]
        read = self._read(question, lang)[0]
        # Word for word when as many were read as typed, unless a word was read in another's place: a framing word
        # left out and a compound read as two words keep the count ("bin grad 35 geworden, krieg ich die
        # workshopbescheinigung" is read without "grad"), and "grad" was not read as "35".
        pairs = list(zip(typed, read, strict=False))
        if len(typed) == len(read) and not any(a != b and b in typed for a, b in pairs):
            # Another form of the same word ("lezione" read as "lezioni") is left as typed: the cues know it so.
            return {a: b for a, b in pairs if a != b and not _same_stem(a, b)}
        # A compound read as two words ("workshopzertifikat" → "workshop zertifikat"), or a framing word left out.
        found: dict[str, str] = {}
        at = 0
        for word in typed:
            pieces = _pieces_of(word, read, at)
            if at < len(read) and read[at] == word:
                at += 1
            elif pieces > 1:
                # Korean typed without its spaces ("온라인강의" → "온라인 강의", "어떻게받아요"): the pieces, in order.
                found[word] = " ".join(read[at : at + pieces])
                at += pieces
            elif at + 1 < len(read) and word.isascii() and word.startswith(read[at]) and word.endswith(read[at + 1]):
                found[word] = f"{read[at]} {read[at + 1]}"
                at += 2
            elif at < len(read) and read[at] not in typed:
                if not _same_stem(word, read[at]):
                    found[word] = read[at]  # a typo
                at += 1
        return found

    def _without_unknown_function_words(self, found: list[str], lang: str) -> list[str]:
        from bot.faq.stopwords import framing_words

        # Only the framing words listed here, not the whole stopword lists: those hold words such as "longest" and
        # "غدا" (lunch, or tomorrow), which may be what a question no entry answers is about.
        common = framing_words()
        framing = [w for w in found if w in common]
        if not framing:
            return found
        own = self._part(lang).vocabulary if lang in self.languages else set()
        # The other languages' parts are built (or read) only for a framing word the user's own does not use.
        unknown = {w for w in framing if w not in own and w not in self._known().known}
        kept = [w for w in found if w not in unknown]
        return kept if kept else found

    def vocabulary(self) -> set[str]:
        """Every word some entry uses, in any language."""
        return self._known().known

    def unknown_words(self, question: str, lang: str) -> list[str]:
        """The question's words (typos corrected) that no entry uses in any language."""
        own = self._part(lang).vocabulary if lang in self.languages else set()
        # The other languages' parts are built (or read) only when a word is not in the user's own.
        found = lexicon_words(self._read(question, lang)[0])
        candidates = [word for word in found if word not in own and not word.isdigit()]
        if not candidates:
            return []
        known = self._known().known
        return [word for word in candidates if word not in known]

    def coverage(
        self, question: str, lang: str, entry: FaqEntry, enough: float = 1.0, without: frozenset[str] = frozenset()
    ) -> float:
        """How much of the question the entry speaks of, in the language where it speaks of most; the words in
        `without` (place names) are left out of the question."""
        i = self.entries.index(entry)
        found = self._read(question, lang)[0]
        own_words = self._part(lang).vocabulary if lang in self.languages else set()
        # A word that only says what kind of answer is asked for ("pagamento": a price) and that no entry uses
        # is not a subject left uncovered: the kind of answer is weighed apart (`_kind_factors`).
        kept = [
            w
            for w in found
            if not is_name(w, without)
            and ("\u4e00" <= w[0] <= "\u9fff" or not question_kinds(w) or w in own_words or w in self._known().known)
        ]
        counts = coverage_features(kept, self._known_feature, lambda word: bool(question_kinds(word)))
        own = self._part(lang).coverage(counts, i) if lang in self.languages else 0.0
        if own >= enough:
            return own  # no need to build or read the other languages' parts
        return max([own, *(self._part(part).coverage(counts, i) for part in self.languages if part != lang)])

    def _known_feature(self, feature: str) -> bool:
        """Some entry, in some language, has this feature."""
        return any(self._part(lang).has(feature) for lang in self.languages)

    def topic_words(self, question: str, lang: str, names: frozenset[str] = frozenset()) -> list[str]:
        """Words no entry uses in any language that say what the question is about ("wifi", "parking"), not
        how it is asked: function words of the seven languages (bot/faq/stopwords.py) and short words are
        left out."""
        unknown = self.unknown_words(question, lang)
        if not unknown:
            return []
        return self._known().topic_words(unknown, names)

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
        if confident and self._never_asked(question, ranked[0].entry):
            # "Who teaches part 3": a person is asked for, and the entry never answers who (the documents do
            # not name the lecturers); its facts are only neighbours of the question.
            confident = False
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


def _pieces_of(word: str, read: list[str], at: int) -> int:
    """How many of the words read from `at` on, put together, make `word` exactly (0: none do)."""
    joined, n = "", 0
    while at + n < len(read) and len(joined) < len(word):
        joined += read[at + n]
        n += 1
        if joined == word:
            return n
        if not word.startswith(joined):
            return 0
    return 0


def _same_stem(typed: str, read: str) -> bool:
    return typed.isascii() and latin_stem(typed) == latin_stem(read)
