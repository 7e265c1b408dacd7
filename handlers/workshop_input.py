"""Reading staff input for workshops, one way for the chat (`key=value` words) and the CLI (`--key` flags):
fields, workshop and participant numbers, venue times. Refusals are the domain's, worded by workshop_refusals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.core.text import is_number, parse_id
from bot.domain.workshop_input import WorkshopFields, venue_time, zone_name
from bot.domain.workshop_refusals import BadField, WorkshopRefusal
from handlers.workshop_refusals import refused

# Longest values kept: the columns' sizes.
_TEXT_LIMITS = {"city": 100, "title": 300, "venue": 300}
# A capacity or a duration (minutes, at most a day) above these is a typo.
_NUMBER_LIMITS = {"capacity": 10000, "duration": 24 * 60}


def parse_fields(pairs: Iterable[tuple[str, str]]) -> WorkshopFields:
    """`(key, value)` pairs as typed (chat `key=value`, CLI `--key value`) into the fields to set."""
    fields = WorkshopFields()
    for key, value in pairs:
        key, value = key.strip().lower(), value.strip()
        if key in _TEXT_LIMITS:
            if key != "venue" and not value:
                raise BadField(key, "empty")
            setattr(fields, key, value[: _TEXT_LIMITS[key]])
        elif key in ("zone", "timezone"):
            fields.timezone = zone_name(value)
        elif key in ("start", "date"):
            fields.start_local = value
        elif key in _NUMBER_LIMITS:
            number = int(value) if is_number(value) else -1
            if not 1 <= number <= _NUMBER_LIMITS[key]:
                raise BadField(key, "not_a_number")
            if key == "capacity":
                fields.capacity = number
            else:
                fields.duration_minutes = number
        elif key == "opens":
            fields.opens_local = value
        elif key == "closes":
            fields.closes_local = value
        else:
            raise BadField(key, "unknown")
    return fields


def pairs_of(words: Iterable[str]) -> list[tuple[str, str]]:
    """Chat words `key=value` as pairs; a word without "=" is refused with the list of fields."""
    pairs = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            raise BadField(key, "no_value")
        pairs.append((key, value))
    return pairs


def participant_number(raw: str) -> int | None:
    """A participant number as staff type it ("42", "#42"); None when it is a number no row can have.

    Not a number at all raises ValueError: each door answers that with its own usage line."""
    if not is_number(raw.strip().removeprefix("#")):
        raise ValueError(raw)
    return parse_id(raw)


def workshop_number(raw: str) -> int | None:
    """A workshop number typed or carried by a button; None (answered "no such workshop") when it is none."""
    return parse_id(raw)


def parse_local(text: str, zone: str, *, now: datetime, past_ok: bool = False) -> datetime:
    """A staff venue time ("2026-03-29 10:00") as a UTC moment, refused in words: workshops and broadcasts, in
    chat and CLI, read a date this one way (bot/domain/workshop_input.py)."""
    try:
        return venue_time(text, zone, now=now, past_ok=past_ok)
    except WorkshopRefusal as refusal:
        raise refused(refusal) from None
