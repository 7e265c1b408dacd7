"""Deleting one's data is confirmed by a button that only counts for a short while."""

from __future__ import annotations

from datetime import datetime, timedelta

# An old confirmation pressed by mistake must not delete anything.
CONFIRM_WINDOW = timedelta(minutes=10)


def confirmation_stamp(now: datetime) -> int:
    """What the confirm button carries: when it was offered (seconds since the epoch)."""
    return int(now.timestamp())


def confirmation_valid(stamp: int | None, now: datetime, window: timedelta = CONFIRM_WINDOW) -> bool:
    """The button was offered at most `window` ago (and not in the future)."""
    return stamp is not None and 0 <= now.timestamp() - stamp <= window.total_seconds()
