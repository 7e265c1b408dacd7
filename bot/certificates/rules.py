"""Who qualifies for a workshop certificate: the age rule, stated the way the program states it."""

from __future__ import annotations

import unicodedata

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


def meets_age_rule(workshop_year: int, birth_year: int, age_limit: int) -> bool:
    """ "Under `age_limit`": with the program's 35, a workshop year minus birth year of at most 34 qualifies."""
    return age_in_workshop_year(workshop_year, birth_year) <= age_limit - 1


class InvalidName(ValueError):
    """The text cannot be a name on a record; the message says why (in English, for logs)."""


def clean_name(text: str) -> str:
    """A name for records: 1..100 characters, no control characters; inner spaces collapsed."""
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") or c in _BIDI_CONTROLS for c in text):
        raise InvalidName("control characters")
    name = " ".join(text.split())
    if not name:
        raise InvalidName("empty")
    if len(name) > NAME_MAX:
        raise InvalidName("too long")
    return name
