"""Workshops in the server's Events tab: one guild scheduled event per dated workshop, kept in step with it.

The guild is the record of which event belongs to which workshop: the event description ends with a marker line
(`WeGO workshop #12`), so no table is needed and a restart or a lost update is repaired by the next sync.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

import discord

from bot.domain.workshops import WorkshopStatus
from bot.services import calendar
from bot.services.calendar import CalendarEntry

if TYPE_CHECKING:
    from bot.content import Content
    from bot.services.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)

SyncResult = Literal["created", "updated", "cancelled", "unchanged"]
MAX_NAME = 100
MAX_LOCATION = 100
MAX_DESCRIPTION = 1000
LIVE = (discord.EventStatus.scheduled, discord.EventStatus.active)


def marker(workshop_id: int) -> str:
    return f"WeGO workshop #{workshop_id}"


@dataclass(frozen=True, slots=True)
class WorkshopEventData(CalendarEntry):
    """A workshop's calendar facts (bot/services/calendar.py) as its Discord event shows them, within Discord's
    limits."""

    @classmethod
    def from_entry(cls, entry: CalendarEntry, city: str) -> WorkshopEventData:
        """`city`: the entry's city as the server's language names it (a guild's events have one language)."""
        facts = {field.name: getattr(entry, field.name) for field in fields(entry)}
        return cls(**{**facts, "city": city})

    @property
    def ends_at(self) -> datetime | None:
        return self.starts_at + timedelta(minutes=self.duration_minutes) if self.starts_at else None

    @property
    def name(self) -> str:
        return f"{self.title} · {self.city}"[:MAX_NAME]

    @property
    def location(self) -> str:
        return (f"{self.venue}, {self.city}" if self.venue else self.city)[:MAX_LOCATION]

    @property
    def description(self) -> str:
        tail = "\n\n" + marker(self.workshop_id)
        return f"{self.title}\n{self.location}"[: MAX_DESCRIPTION - len(tail)] + tail


def _is_ours(event: discord.ScheduledEvent, workshop_id: int) -> bool:
    return (event.description or "").rstrip().endswith(marker(workshop_id))


async def sync_workshop_event(guild: discord.Guild, data: WorkshopEventData, *, now: datetime) -> SyncResult:
    """Create, update or cancel the guild event for one workshop, so that it matches `data`."""
    events = await guild.fetch_scheduled_events(with_counts=False)
    existing = next((e for e in events if _is_ours(e, data.workshop_id) and e.status in LIVE), None)
    wanted = data.starts_at is not None and data.status is not WorkshopStatus.CANCELLED
    if not wanted:
        if existing is not None and existing.status is discord.EventStatus.scheduled:
            await existing.cancel(reason="workshop cancelled or undated")
            return "cancelled"
        return "unchanged"
    assert data.starts_at is not None and data.ends_at is not None
    # Discord refuses a start in the past; a running or finished workshop keeps the event it has.
    if data.starts_at <= now:
        return "unchanged"
    if existing is None:
        await guild.create_scheduled_event(
            name=data.name,
            start_time=data.starts_at,
            end_time=data.ends_at,
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            location=data.location,
            description=data.description,
            reason=marker(data.workshop_id),
        )
        return "created"
    same = (
        existing.name == data.name
        and existing.location == data.location
        and existing.description == data.description
        and existing.start_time == data.starts_at
        and existing.end_time == data.ends_at
    )
    if same or existing.status is not discord.EventStatus.scheduled:
        return "unchanged"
    await existing.edit(
        name=data.name,
        description=data.description,
        start_time=data.starts_at,
        end_time=data.ends_at,
        entity_type=discord.EntityType.external,
        location=data.location,
        privacy_level=discord.PrivacyLevel.guild_only,
        reason=marker(data.workshop_id),
    )
    return "updated"


async def load_workshop(
    storage: UnitsOfWork, workshop_id: int, content: Content, lang: str
) -> WorkshopEventData | None:
    """The workshop as its Discord event shows it, the city named in `lang` (the server's default language)."""
    async with storage.unit_of_work() as uow:
        entry = await calendar.entry(uow, workshop_id)
    return WorkshopEventData.from_entry(entry, content.city_name(entry.city, lang)) if entry is not None else None
