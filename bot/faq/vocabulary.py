"""The words the FAQ's entries use, in all languages together: what a typo is corrected to, and which of a
question's words no entry uses say what it is about.

Built from every language's part of the index, so only when a question has a word its own language's entries
do not use.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable

from bot.faq.kinds import question_kinds
from bot.faq.stems import is_arabic, korean_stem

UNKNOWN_MIN_LENGTH = 3
# German separable verb prefixes ("teil-nehmen", "ab-schließen"), as `normalize` spells them.
_DE_SEPARABLE = (
    *("ab", "an", "auf", "aus", "bei", "ein", "mit", "nach", "vor", "weg", "zuruck", "her", "hin", "teil", "fest"),
    *("statt", "dar", "durch", "um", "uber", "unter", "wieder", "zusammen", "vorbei", "los"),
)
# Korean endings of must ("-야 돼", "-야 해") and may ("-어도", "-아도"), as chat writes them, and the connective
# endings that tie what one says to the question ("참고하려고", to use it for; "하는데", and; "걱정돼서요", because).
_KO_MODAL_ENDINGS = (
    *("야돼", "야되", "야해", "야 돼", "야 해", "어도", "아도", "야돼요", "야해요", "야되요"),
    *("려고", "는데", "는데요", "인데", "인데요", "어서", "아서", "해서", "서요", "니까", "거든요", "다고"),
)
# Words of at least this many letters that start like a known word are another form of it.
ROOT_FROM = 5
KOREAN_UNKNOWN = True
# Arabic words are shorter (no written short vowels) and already stripped of their article and clitics.
ARABIC_UNKNOWN_LENGTH = 3
# At most this many unknown words are looked up as typos: a pasted page must not cost a fuzzy search per word.
TYPO_LOOKUPS = 3
# Arabic prepositions written glued to the next word.
_AR_GLUED = "بلوفك"
# The spoken Arabic future, before the imperfect's prefix: Egyptian "ه", Levantine "ح".
_AR_FUTURE = "هح"
# "For me", "for you", "for us", glued after a spoken verb ("هيدفعولي").
_AR_DATIVE = ("لنا", "لكم", "لي", "لك", "له")
# The prefixes of the Arabic imperfect (I, he, she/you, we).
_IMPERFECT = "ايتن"
# A word no entry has is replaced by the nearest known word at least this similar (rapidfuzz ratio, 0-100).
TYPO_SIMILARITY = 82
TYPO_MIN_LENGTH = 5
TYPO_LETTERS = 4


def is_name(word: str, names: frozenset[str]) -> bool:
    """A place name, perhaps with a Korean particle or an Arabic preposition glued to it."""
    return (
        word in names or korean_stem(word) in names or (is_arabic(word) and word[0] in _AR_GLUED and word[1:] in names)
    )


class Vocabulary:
    """Every word some entry uses, in any language; the lookups over it are prepared the first time one is
    needed."""

    def __init__(self, words: Iterable[str]) -> None:
        self.ordered = sorted(words)
        self.known = set(self.ordered)
        self._by_length: defaultdict[int, list[str]] | None = None
        self._by_initial: defaultdict[tuple[str, int], list[str]] = defaultdict(list)
        self._roots: list[str] | None = None

    def corrected(self, found: list[str], unknown: list[str]) -> list[str]:
        """`found` with those of the `unknown` words (its words the user's language does not use) that no entry
        uses in any language replaced by the nearest known word, when one is close (a typo)."""
        everywhere = self.known
        unknown = [w for w in unknown if w not in everywhere]
        # German typed without umlauts ("uebernommen", "bestaetigung"): the word as the index spells it, when
        # that is a known word.
        umlauts = {w: w.replace("ae", "a").replace("oe", "o").replace("ue", "u") for w in unknown}
        spelled = {w: plain for w, plain in umlauts.items() if plain != w and plain in everywhere}
        if spelled:
            found = [spelled.get(w, w) for w in found]
            unknown = [w for w in unknown if w not in spelled]
        # A German separable verb with "zu" inside ("teilzunehmen", "abzuschließen", "anzumelden"): the infinitive,
        # when that is a known word.
        separable = {w: form for w in unknown if w.isascii() and (form := self._zu_infinitive(w)) is not None}
        if separable:
            found = [separable.get(w, w) for w in found]
            unknown = [w for w in unknown if w not in separable]
        # Spoken Arabic marks the present with a glued "b" ("بسجل", "بينظم", "بتعلم" for "أسجل", "ينظم", "تتعلم"):
        # the verb as the entries write it, when that is a known word.
        # (Not a word that only frames a question: "يتكلم", talks about, is not the entries' "اكلم", I call.)
        from bot.faq.stopwords import framing_words, function_words

        framing, common = framing_words(), function_words()
        spoken = {
            w: form
            for w in unknown
            if is_arabic(w) and w not in framing and w not in common and (form := self._verb_form(w)) is not None
        }
        if spoken:
            found = [spoken.get(w, w) for w in found]
            unknown = [w for w in unknown if w not in spoken]
        # A preposition or conjunction glued to a short word, which the stemmer leaves on (it cuts one letter off
        # longer words only): "بفيه" (in the category) stemmed "بفي" is "فيه".
        glued = {w: form for w in unknown if is_arabic(w) and (form := self._unglued(w)) is not None}
        if glued:
            found = [glued.get(w, w) for w in found]
            unknown = [w for w in unknown if w not in glued]
        # A typo is looked for in longer words only (a short Arabic word came for its spoken verb form alone), and
        # never in a function word or a word listed as one that frames questions: those are words, not slips
        # ("laufen" is not a misspelt "kaufen", nor "gerne" "gere").
        unknown = [w for w in unknown if len(w) >= TYPO_MIN_LENGTH and w not in framing and w not in common]
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
            self._by_initial = defaultdict(list)
            for candidate in self.ordered:
                if candidate not in common:
                    self._by_length[len(candidate)].append(candidate)
                    # Kept by first letter too: a Latin-script word is compared with those alone (below), and
                    # filtering every candidate of a length by it cost a millisecond a question.
                    self._by_initial[(candidate[0], len(candidate))].append(candidate)
        fixes: dict[str, str] = {}
        for word in unknown:
            # A ratio of 82 or more needs lengths within about 40% of each other: only those are compared.
            spread = max(2, int(len(word) * 0.4))
            # A slip is rarely the first letter, and a word read with another first letter is often another word
            # ("erzahlen" is not "bezahlen", nor "kosten" "osten"): only words with the same first letter are near
            # (in Latin script: an Arabic verb's first letter is its person, "اتابع" is "تابع").
            lengths = range(len(word) - spread, len(word) + spread + 1)
            if word.isascii():
                near = [c for n in lengths for c in self._by_initial.get((word[0], n), ())]
            else:
                near = [c for n in lengths for c in self._by_length.get(n, ())]
            best = process.extractOne(word, near, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY)
            # A typo is one slip (a letter added, dropped, changed or two swapped) per four letters or so: "dress" is
            # not a misspelt "address".
            if best is not None and OSA.distance(word, best[0]) <= max(1, len(word) // TYPO_LETTERS):
                fixes[word] = best[0]
        return [fixes.get(w, w) for w in found]

    def _zu_infinitive(self, word: str) -> str | None:
        for prefix in _DE_SEPARABLE:
            if word.startswith(prefix + "zu") and len(word) > len(prefix) + 5:
                form = prefix + word[len(prefix) + 2 :]
                if form in self.known:
                    return form
        return None

    def _unglued(self, word: str) -> str | None:
        if len(word) < 3 or word[0] not in _AR_GLUED:
            return None
        rest = word[1:]
        # The stemmer cut the feminine ending ("ه") off the whole word, not off the shorter one left.
        return next((form for form in (rest, rest + "ه") if len(form) >= 3 and form in self.known), None)

    def _verb_form(self, word: str) -> str | None:
        if len(word) >= 5 and word[0] in _AR_FUTURE and word[1] in _IMPERFECT:
            # The spoken future ("هيدفعوا", Egyptian; "حيدفع", Levantine): the verb without it, and without a
            # pronoun "for me/you/us" glued after ("هيدفعولي", they will pay for me).
            rest = word[1:]
            for ending in _AR_DATIVE:
                if rest.endswith(ending) and len(rest) - len(ending) >= 3:
                    rest = rest[: -len(ending)]
                    break
            if rest.endswith(("وا", "و")) and len(rest) >= 5:
                # Said of "you" or "they" (plural): the verb as the entries write it, for one person.
                stem = rest[:-2] if rest.endswith("وا") else rest[:-1]
                rest = next((p + stem[1:] for p in _IMPERFECT if p + stem[1:] in self.known), stem)
            return rest if rest in self.known else self._verb_form(rest)
        found = self._one_person(word)
        if found is None and len(word) >= 5 and word[0] in "نت" and word.endswith(("و", "وا")):
            # The spoken plural of "we" and "you" ("نسجلو", "تدفعوا"): the verb as the entries write it, for one
            # person. ("They" is left: "يعلمو", they teach, is not "تعلم", to learn.)
            stem = word[:-2] if word.endswith("وا") else word[:-1]
            found = next((p + stem[1:] for p in _IMPERFECT if p + stem[1:] in self.known), None)
        if found is None and len(word) >= 5 and word[0] in _IMPERFECT and word[1] == "ت":
            # The reflexive form (V/VI) of the entries' verb, as the dialects use it ("نتسجل", I get registered,
            # Maghrebi "n-" for "I"): the verb as the entries write it ("اسجل").
            stem = word[2:]
            found = next((form for form in (*(p + stem for p in _IMPERFECT), stem) if form in self.known), None)
        return found

    def _one_person(self, word: str) -> str | None:
        if len(word) >= 4 and word[0] in _IMPERFECT:
            # The same verb for another person: "تنظم" (she organises) as the entries' "ينظم", "اعرف" as "يعرف".
            found = next((p + word[1:] for p in _IMPERFECT if p + word[1:] in self.known), None)
            if found is not None:
                return found
        if len(word) >= 3 and word[-1] == "ت" and word[:-1] + "ه" in self.known:
            # A feminine noun with a pronoun glued on writes its ending "ت": "سنته" (its year), stemmed "سنت".
            return word[:-1] + "ه"
        if len(word) >= 4 and word[-1] == "ت" and word[:-1] in self.known:
            # The past with "I"/"you" ("خلصت", "سجلت"): the verb as the entries write it.
            return word[:-1]
        if len(word) < 4 or word[0] != "ب":
            return None
        rest = word[1:]
        # "بسجل" → "سجل", "اسجل"; "بينظم" → "ينظم"; "بنظم" → "ينظم"; "بتعلم" → "تعلم", "يتعلم".
        forms = ["ا" + rest, rest, "ي" + rest, "ت" + rest]
        if rest[0] in "ينتا":
            forms += ["ي" + rest[1:], "ت" + rest[1:], "ا" + rest[1:]]
        return next((form for form in forms if len(form) >= 3 and form in self.known), None)

    def topic_words(self, unknown: list[str], names: frozenset[str]) -> list[str]:
        """Of the `unknown` words (no entry uses them in any language), those that say what the question is about
        ("wifi", "parking"), not how it is asked: function words of the seven languages (bot/faq/stopwords.py)
        and short words are left out, and so are the place names in `names`."""
        from bot.faq.stopwords import framing_words, function_words
        from bot.faq.subjects import program_word

        common = function_words()
        known = self.known
        return [
            w
            for w in unknown
            if w not in common
            # A Korean function word with its particle ("딸이", the daughter; "아이가").
            and not ("\uac00" <= w[0] <= "\ud7a3" and korean_stem(w) in common)
            and not is_name(w, names)
            # "几号", "언제": how the question asks, not what about.
            and not question_kinds(w)
            and not program_word(w)
            # An Arabic preposition glued to a known word or a place: "بمصر" is "in Egypt".
            # (A root of three letters at least: "كبس" is not "ك" + "بس".)
            and not (
                is_arabic(w)
                and w[0] in _AR_GLUED
                and len(w) > 3
                and (w[1:] in known or w[1:] in names or w[1:] in common)
            )
            and not self._shares_root(w)
            and not _function_form(w, common, framing_words())
            and not _arabic_function_form(w, common)
            # Korean words carry their particles: unknown as a whole, not always as a stem.
            and (
                (len(w) >= UNKNOWN_MIN_LENGTH and w.isascii())
                or (len(w) >= ARABIC_UNKNOWN_LENGTH and is_arabic(w))
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
            self._roots = sorted(w for w in self.known if w.isascii() and len(w) >= ROOT_FROM)
        root = word[: max(ROOT_FROM, len(word) - 3)]
        at = bisect.bisect_left(self._roots, root)
        return at < len(self._roots) and self._roots[at].startswith(root)

    def _unknown_korean(self, word: str) -> bool:
        """A Korean word whose stem (particles cut) no entry uses: "비자", "드레스"."""
        if not KOREAN_UNKNOWN or not word or not ("\uac00" <= word[0] <= "\ud7a3"):
            return False
        if len(word) >= 3 and word.endswith(_KO_MODAL_ENDINGS):
            # A verb with the ending of must or may ("가야돼", must go; "들어도", even if I listen) or a connective
            # one ("참고하려고"): how the question is asked, or what comes before it, whatever the verb.
            return False
        stem = korean_stem(word)
        return len(stem) >= 2 and stem not in self.known


# German typed without umlauts ("uebernommen"), as the function word lists spell it ("ubernehmen").
_UMLAUT_PAIRS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def _function_form(word: str, common: frozenset[str], framing: frozenset[str]) -> bool:
    """Another form of a function word, in Latin script: the German one without its final "e" or "en" as people
    type it ("komm", "hab": "kommen", "habe"), its participle ("geworden"), or one sharing its root with a framing
    word (`framing`, the list bot/faq/stopwords.py adds: "uebernommen" beside "übernehmen"): how a question is
    asked, not what about. (Not the roots of the whole lists: English's holds "different", and "difference" may be
    what is asked about.)"""
    if not word.isascii() or len(word) < 3:
        return False
    for pair in _UMLAUT_PAIRS:
        word = word.replace(*pair)
    if word in common or any(word + ending in common for ending in ("e", "en", "n")):
        return True
    if word.startswith("ge") and (word[2:] in common or word[2:] in framing):
        return True  # a German participle: "geworden", "gemacht"
    if len(word) < ROOT_FROM:
        return False
    roots = _function_roots(framing)
    # A verb's forms change past their first letters ("ubernehmen", "ubernommen"): the first ROOT_FROM only.
    root = word[:ROOT_FROM]
    at = bisect.bisect_left(roots, root)
    return at < len(roots) and roots[at].startswith(root)


_ROOTS: dict[int, list[str]] = {}


def _function_roots(common: frozenset[str]) -> list[str]:
    """The Latin-script verbs of a list long enough to have a root of ROOT_FROM letters, sorted (kept per list)."""
    found = _ROOTS.get(id(common))
    if found is None:
        # Verbs only (their infinitive ends in "-en", "-re", "-er", "-ir"): their forms change past the root; a
        # noun's or adjective's root may begin another word ("differenza", "difference").
        found = _ROOTS[id(common)] = sorted(
            w for w in common if w.isascii() and len(w) > ROOT_FROM and w.endswith(("en", "re", "er", "ir"))
        )
    return found


def _arabic_function_form(word: str, common: frozenset[str]) -> bool:
    """A spoken Arabic function verb for another person ("تعطيني", you give me, beside the listed "عطيني" and
    "اعطيني"; "نقدر" beside "اقدر"; "يسألني", asks me, beside "اسال"): how a question is asked, not what about."""
    if not is_arabic(word) or len(word) < 4 or word[0] not in _IMPERFECT:
        return False
    rest = word[1:]
    # Also with "me" glued after ("يسألني", asks me).
    forms = [rest, rest[:-2]] if rest.endswith("ني") and len(rest) >= 5 else [rest]
    return any(form in common or any(person + form in common for person in _IMPERFECT) for form in forms)
