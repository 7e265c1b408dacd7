"""Cleaning what people type before anything reads it."""

from __future__ import annotations

import re
import unicodedata

from bot.domain.ids import MAX_ID, is_number, parse_id

MAX_TEXT = 4000
# Terminal escape sequences (colours, cursor moves) pasted into a chat: drop them whole, not just the ESC.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def clean_text(text: str) -> str:
    """Drop control characters (keeping line breaks and tabs as spaces) and trim; keep every script intact."""
    if text.isprintable():
        # Most messages (every command): no escape, line break or tab, and no character of category Cc or Cs
        # (str.isprintable is False for those, for every C* and Z* but the space): nothing below would change.
        return text.strip()
    out = []
    for char in _ANSI.sub("", text):
        category = unicodedata.category(char)
        if char in "\n\t\r":
            out.append(" " if char != "\n" else "\n")
        # Cc control characters and Cs lone surrogates carry no meaning; Cf (e.g. RTL marks, ZWJ) stays.
        elif category not in ("Cc", "Cs"):
            out.append(char)
    return "".join(out).strip()


# The id rules live in the domain (every layer parses ids alike); re-exported for the chat and the adapters.
__all__ = ["MAX_ID", "MAX_TEXT", "clean_text", "is_number", "parse_id"]
