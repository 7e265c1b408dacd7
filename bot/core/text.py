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


# Ids are 32-bit integer columns on PostgreSQL (SERIAL): anything larger cannot name a row, and would overflow the
# query parameter instead of simply finding nothing.
MAX_ID = 2**31 - 1


def parse_id(text: str) -> int | None:
    """A row id typed or carried by a button ("42", "#42"), or None: only ASCII digits, only 1..2^31-1.

    Out of range is None like any unknown id, so callers answer "no such ..." instead of overflowing the database.
    """
    value = text.strip()
    value = value[1:] if value.startswith("#") else value
    # The length cap keeps int() from parsing a 4,000-digit number only to refuse it.
    if not is_number(value) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
