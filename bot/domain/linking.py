"""Linking two accounts of one person: why a link code is refused, and the refusal while wrong codes are paused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LinkCodeProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    # The code was made by this same account: it must be sent from the other platform.
    SAME = "same"


@dataclass(eq=False)
class LinkingPaused(Exception):
    """Too many wrong codes: no code from this person is checked until `until` (UTC)."""

    until: datetime
