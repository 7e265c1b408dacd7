"""The scripts written without spaces between words, where one character already says something: Hangul
syllables and jamo; Han ideographs (with kana, read alike). One definition for the FAQ, the places and the
reminders' time words."""

from __future__ import annotations

import re

_HANGUL = ((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F))
_HAN = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x3040, 0x30FF))
# Every character of those scripts, for a search in a whole text.
CJK = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _HANGUL + _HAN) + "]")


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def script_of(char: str) -> str:
    """ "hangul", "han" or "spaced"."""
    code = ord(char)
    if any(low <= code <= high for low, high in _HANGUL):
        return "hangul"
    if any(low <= code <= high for low, high in _HAN):
        return "han"
    return "spaced"
