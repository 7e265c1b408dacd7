"""Cleaning what people type before anything reads it."""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 4000
# Terminal escape sequences (colours, cursor moves) pasted into a chat: drop them whole, not just the ESC.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def clean_text(text: str) -> str:
    """Drop control characters (keeping line breaks and tabs as spaces) and trim; keep every script intact."""
    out = []
    for char in _ANSI.sub("", text):
        category = unicodedata.category(char)
        if char in "\n\t\r":
            out.append(" " if char != "\n" else "\n")
        # Cc control characters and Cs lone surrogates carry no meaning; Cf (e.g. RTL marks, ZWJ) stays.
        elif category not in ("Cc", "Cs"):
            out.append(char)
    return "".join(out).strip()


def is_number(value: str) -> bool:
    """Plain ASCII digits only: `str.isdigit()` also accepts "²" or "٣", which `int()` then refuses or misreads."""
    return value.isascii() and value.isdigit()
