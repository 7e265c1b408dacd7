"""Who qualifies for a workshop certificate: the age rule, stated the way the program states it."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

NAME_MAX = 100
# Bidi embeddings and overrides could make a name on a record read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# A year of birth the age rule can rest on: not before 1900, and at least 10 years ago (nobody younger takes part).
EARLIEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 10


def plausible_birth_year(year: int, current_year: int) -> bool:
    """Whether `year` can be someone's year of birth in `current_year` (typed or chosen from buttons)."""
    return EARLIEST_BIRTH_YEAR <= year <= current_year - YOUNGEST_AGE


def age_in_workshop_year(workshop_year: int, birth_year: int) -> int:
    """The age the rule looks at: the workshop's year minus the year of birth."""
    return workshop_year - birth_year


class AgeRule(StrEnum):
    """What the year of birth says about "under `age_limit`" at a workshop."""

    UNDER = "under"
    # Workshop year − birth year = the limit: under it before the birthday, not after. The year cannot tell.
    UNCLEAR = "unclear"
    NOT_UNDER = "not_under"


def age_rule(workshop_year: int, birth_year: int, age_limit: int) -> AgeRule:
    """ "Under `age_limit`" (the program's 35) judged from the years alone.

    A difference of at most 34 means at most 34 years old on the day; of 35, 34 or 35 depending on the birthday
    (so it is for the Secretariat to check, not for the bot to refuse); of 36 or more, 35 or older.
    """
    age = age_in_workshop_year(workshop_year, birth_year)
    if age < age_limit:
        return AgeRule.UNDER
    if age == age_limit:
        return AgeRule.UNCLEAR
    return AgeRule.NOT_UNDER


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
