"""Who is talking, as the core sees them: a plain value, free of any database or platform type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Participant:
    user_id: int | None
    account_id: int | None
    platform: str
    display_name: str
    locale: str
    # The language the person chose with /language; None while the platform's hint decides.
    chosen_locale: str | None = None
    timezone: str | None = None
    # While they have set no zone: the zone of the workshop they signed up for, which the zone rule prefers.
    venue_zone: str | None = None
    full_name: str | None = None
    birth_year: int | None = None
    is_staff: bool = False
    # A message could not reach them (DMs closed, bot blocked) and they have not been told yet.
    unreachable_notice_due: bool = False
