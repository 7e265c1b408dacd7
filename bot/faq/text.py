"""Normalising and tokenizing questions in seven languages and three kinds of script.

Spaced scripts (Latin, Arabic) give whole words plus character n-grams of each word, so a typo or a missing
accent still shares most of its n-grams with the right word. Chinese has no spaces and Korean glues particles
to words, so Han and Hangul runs give character unigrams and bigrams instead: the standard, dictionary-free way
to index CJK text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Arabic letters that people write interchangeably; the hamza-carrying alefs lose their hamza (a combining
# mark after NFKD) in `normalize` already.
_ARABIC_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "ـ": None, "گ": "ك", "پ": "ب", "ڤ": "ف"})
_WORD = re.compile(r"[^\W_]+")
# Arabic clitics: the article and the conjunctions/prepositions glued in front of it.
_AR_PREFIXES = ("وبال", "وكال", "ولل", "وال", "بال", "كال", "فال", "لل", "ال")

# Words that say how a question is asked, not what it is about. Kept short: IDF weighs down the rest.
_STOPWORDS_RAW = [
    "a",
    "an",
    "the",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "do",
    "does",
    "did",
    "i",
    "me",
    "my",
    "you",
    "your",
    "we",
    "our",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "and",
    "or",
    "how",
    "what",
    "which",
    "who",
    "whom",
    "when",
    "where",
    "why",
    "can",
    "could",
    "should",
    "would",
    "will",
    "there",
    "any",
    "some",
    "please",
    "pls",
    "about",
    "tell",
    "il",
    "lo",
    "la",
    "le",
    "gli",
    "i",
    "un",
    "una",
    "uno",
    "di",
    "da",
    "del",
    "della",
    "dei",
    "delle",
    "al",
    "alla",
    "ai",
    "e",
    "o",
    "che",
    "chi",
    "cosa",
    "come",
    "quando",
    "dove",
    "perche",
    "mi",
    "ti",
    "si",
    "ci",
    "ne",
    "sono",
    "ho",
    "hai",
    "ha",
    "per",
    "con",
    "su",
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einen",
    "einem",
    "ist",
    "sind",
    "und",
    "oder",
    "wie",
    "was",
    "wer",
    "wann",
    "wo",
    "warum",
    "ich",
    "du",
    "es",
    "mir",
    "mich",
    "kann",
    "gibt",
    "zu",
    "mit",
    "fur",
    "von",
    "im",
    "am",
    "an",
    "auf",
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "de",
    "et",
    "ou",
    "est",
    "sont",
    "que",
    "qui",
    "quoi",
    "comment",
    "quand",
    "ou",
    "pourquoi",
    "je",
    "tu",
    "il",
    "me",
    "mon",
    "ma",
    "mes",
    "ce",
    "cette",
    "ces",
    "pour",
    "avec",
    "sur",
    "dans",
    "au",
    "aux",
    "y",
    "a",
    "في",
    "من",
    "على",
    "عن",
    "ما",
    "ماذا",
    "هل",
    "كيف",
    "متى",
    "اين",
    "لماذا",
    "انا",
    "هو",
    "هي",
    "هذا",
    "هذه",
    "الى",
    "او",
    "و",
]


def normalize(text: str) -> str:
    """Case-folded, accents and Arabic diacritics dropped, Arabic letter variants unified; Hangul kept whole."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # NFC puts Hangul syllables back together after NFKD split them into jamo.
    return unicodedata.normalize("NFC", stripped).translate(_ARABIC_FOLD)


def _script(char: str) -> str:
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "han"
    if 0x3040 <= code <= 0x30FF:
        return "han"
    return "spaced"


def _runs(word: str) -> list[tuple[str, str]]:
    """A word split where its script changes: "파트2" → [("hangul", "파트"), ("spaced", "2")]."""
    runs: list[tuple[str, str]] = []
    for char in word:
        script = _script(char)
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + char)
        else:
            runs.append((script, char))
    return runs


def _arabic_stem(word: str) -> str:
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix) :]
    return word


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in word)


def words(text: str) -> list[str]:
    """The content words of a spaced-script text (stopwords dropped), normalised; CJK runs kept whole."""
    out = []
    for word in _WORD.findall(normalize(text)):
        for script, run in _runs(word):
            if script == "spaced" and _is_arabic(run):
                run = _arabic_stem(run)
            if run not in STOPWORDS or KEEP_STOPWORDS:
                out.append(run)
    return out


def features(text: str) -> Counter[str]:
    """Counted features of a text; the first character names the family: `w` word, `3`/`4` character n-gram
    of a word, `c` CJK character, `b` CJK bigram."""
    found: Counter[str] = Counter()
    for word in words(text):
        script = _script(word[0])
        if script == "spaced":
            found["w" + word] += 1
            if word.isdigit():
                continue
            padded = f"<{word}>"
            for size in (3, 4):
                for i in range(len(padded) - size + 1):
                    found[f"{size}{padded[i : i + size]}"] += 1
        else:
            for char in word:
                found["c" + char] += 1
            for i in range(len(word) - 1):
                found["b" + word[i : i + 2]] += 1
            if script == "hangul" and len(word) > 1:
                found["w" + word] += 1
    return found


KEEP_STOPWORDS = True
STOPWORDS = frozenset(_arabic_stem(normalize(word)) for word in _STOPWORDS_RAW)
