"""What the chat, the terminal and the console read of a workshop: a plain, read-only copy of the stored row.

The workshop services hand this out instead of the row, so nothing above them can change a workshop, or load
more of the database, by touching an attribute. It has every attribute the rules read (`WorkshopFacts`), so
`display_status`, `checkin_code_for` and the others take it as they take the row."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Protocol

from bot.domain.workshops import WorkshopFacts


class WorkshopRow(WorkshopFacts, Protocol):
    """What a copy is made from (the stored row has these attributes)."""

    @property
    def slug(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def venue(self) -> str: ...
    @property
    def capacity(self) -> int: ...


@dataclass(frozen=True, slots=True)
class WorkshopInfo:
    id: int
    slug: str | None
    city: str
    title: str
    venue: str
    status: str
    # None while the date is to be announced.
    starts_at: datetime | None
    duration_minutes: int
    # The venue's IANA zone.
    timezone: str
    capacity: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    # The check-in secret the day's code is derived from (never shown itself).
    checkin_code: str

    @classmethod
    def of(cls, row: WorkshopRow) -> WorkshopInfo:
        # Field by field from the row's attributes of the same names: a field added here is copied without more.
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})
