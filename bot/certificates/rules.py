"""Who qualifies for a workshop certificate: the age rule, stated the way the program states it."""

from __future__ import annotations

import unicodedata

NAME_MAX = 100
# Bidi embeddings and overrides could make a name on a record read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def age_in_workshop_year(workshop_year: int, birth_year: int) -> int:
    """The age the rule looks at: the workshop's year minus the year of birth."""
    return workshop_year - birth_year


def meets_age_rule(workshop_year: int, birth_year: int, age_limit: int) -> bool:
    """ "Under `age_limit`": with the program's 35, a workshop year minus birth year of at most 34 qualifies."""
    return age_in_workshop_year(workshop_year, birth_year) <= age_limit - 1


class InvalidName(ValueError):
    """The text cannot be a name on a record; `reason` says why: lines | control | invisible | too_long | marks."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Characters Unicode counts as letters or symbols that show as blank space: a name of them alone looks empty.
_BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")
# Combining marks on one letter: scripts need up to 3 or 4 (Vietnamese, Thai, Tibetan); more is "zalgo" text
# that spills over the lines around it.
MARKS_MAX = 4


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and char not in _BLANK_LOOKALIKES


def clean_name(text: str) -> str:
    """A name for records: 1..100 characters on one line with at least one visible letter; inner spaces collapsed.

    Composed to NFC first, so the same name typed two ways is the same name. Control characters and the
    invisible bidi embeddings and overrides are refused anywhere; format characters such as the zero-width
    joiner (which some scripts need between letters) are kept, but a name of nothing else is refused.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if len(text.splitlines()) > 1:
        raise InvalidName("lines")
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") or c in _BIDI_CONTROLS for c in text):
        raise InvalidName("control")
    name = " ".join(text.split())
    if not any(_is_letter(c) for c in name):
        raise InvalidName("invisible")
    if len(name) > NAME_MAX:
        raise InvalidName("too_long")
    run = 0
    for char in name:
        run = run + 1 if unicodedata.category(char).startswith("M") else 0
        if run > MARKS_MAX:
            raise InvalidName("marks")
    return name
