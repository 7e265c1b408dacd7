"""Row ids as people type them or buttons carry them: a pure rule every layer reads the same way."""

from __future__ import annotations


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
