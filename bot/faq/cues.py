"""Cue phrases: the words and phrases that tell what a message is or is about, in all seven languages.

Cue words are per language but kept together: people mix languages, and a cue in another language is still a cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.faq.text import normalize

# Every word of every cue phrase (spaced scripts): the words the understanding knows besides the entries' own.
CUE_WORDS: set[str] = set()
# An apostrophe joins an elided word to the next ("j'en", "t'es", "c'est"): the phrases write them apart.
# A hyphen too ("quelle heure est-il", "check-in"): phrases and text are read with a space in its place.
_APOSTROPHES = str.maketrans({"'": " ", "\u2019": " ", "`": " ", "-": " "})


def apart(plain: str) -> str:
    if "'" in plain or "\u2019" in plain or "`" in plain or "-" in plain:
        return plain.translate(_APOSTROPHES)
    return plain


class Cues:
    """Phrases found in normalised text: as whole words in spaced scripts, as substrings in Korean/Chinese."""

    def __init__(self, phrases: Iterable[str]) -> None:
        plain = {apart(normalize(p.strip())) for p in phrases if p.strip()}
        # Korean is often typed without its spaces ("안녕히계세요", "다시시작"): each phrase is found either way.
        plain |= {p.replace(" ", "") for p in plain if " " in p and _hangul(p)}
        self._all = sorted(plain)
        CUE_WORDS.update(word for p in plain if not _cjk(p) for word in p.split())
        # One-word phrases, for telling a misspelt one ("thnx", "helo").
        self.words = frozenset(p for p in plain if " " not in p and not _cjk(p))
        # Longest first, then alphabetical: the same phrases always match the same way.
        spaced = sorted((p for p in plain if not _cjk(p)), key=lambda p: (-len(p), p))
        # Arabic writes "and", "in", "for" and the article glued to the next word: "بورشة القاهرة" names the
        # workshop too. One optional prefix in the pattern, not a variant per phrase: compiling those took a tenth
        # of a second at every start. The prefix is tried last, so a phrase that itself starts with the article
        # ("السلام عليكم") is read whole, not as "ال" + a shorter phrase ("سلام").
        alternatives = "|".join(map(re.escape, spaced))
        # A Latin-script phrase may have a Korean particle glued on ("AI로", "SDGs에"): Hangul may follow it.
        self._spaced = re.compile(rf"(?<!\w)(?:{_AR_GLUED})??(?:{alternatives})(?!{_NOT_HANGUL})") if spaced else None
        self._pieces = sorted((p for p in plain if _cjk(p)), key=lambda p: (-len(p), p))
        # Korean and Chinese pieces are taken leftmost first: in "多谢啦" the thanks is "多谢", not "谢啦".
        self._piece = re.compile("|".join(map(re.escape, self._pieces))) if self._pieces else None

    def phrases(self) -> list[str]:
        """Every phrase, normalised."""
        return [*self._all]

    def names(self, word: str) -> bool:
        """The word is one of the phrases (whole)."""
        return word in self.words or word in self._pieces

    def found(self, plain: str) -> bool:
        plain = apart(plain)
        if self._spaced is not None and self._spaced.search(plain):
            return True
        # Korean and Chinese pieces, by one search of them all (and none in Latin-script text).
        return self._piece is not None and not plain.isascii() and self._piece.search(plain) is not None

    def first(self, plain: str) -> int:
        """Where the first phrase found in `plain` starts (-1: none). `plain` as `found` reads it."""
        plain = apart(plain)
        starts = [m.start() for m in [self._spaced.search(plain)] if m] if self._spaced is not None else []
        piece = self._piece.search(plain) if self._piece is not None and not plain.isascii() else None
        starts += [piece.start()] if piece is not None else []
        return min(starts, default=-1)

    def longest(self, plain: str) -> int:
        """The length of the longest phrase found in `plain` (0: none)."""
        plain = apart(plain)
        found = [len(m.group()) for m in self._spaced.finditer(plain)] if self._spaced is not None else []
        found += [len(p) for p in self._pieces if p in plain]
        return max(found, default=0)

    def remove(self, plain: str) -> tuple[str, bool]:
        """The text without the phrases, and whether any was there."""
        plain = apart(plain)
        hit = False
        if self._spaced is not None:
            plain, n = self._spaced.subn(" ", plain)
            hit = n > 0
        if self._piece is not None:
            plain, n = self._piece.subn(" ", plain)
            hit = hit or n > 0
        return plain, hit


# Longest first; each only before an Arabic letter, so no Latin-script phrase is read with a prefix.
_AR_GLUED = "(?:وال|بال|فال|لل|ال|[وبلف])(?=[\u0621-\u064a])"


# A word character that is not a Hangul syllable.
_NOT_HANGUL = r"[^\W\uac00-\ud7af]"


def _hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7af" for c in text)


def _cjk(text: str) -> bool:
    return any("\u1100" <= c <= "\u11ff" or "\uac00" <= c <= "\ud7af" or "\u4e00" <= c <= "\u9fff" for c in text)


def cues_of(*lines: str) -> Cues:
    return Cues(phrase for line in lines for phrase in line.split("|"))
