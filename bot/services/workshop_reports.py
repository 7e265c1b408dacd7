"""What staff read about the workshops: the list with seats, one workshop's registrants with their numbers,
counts per city and the CSV export. The same figures for the chat, the CLI and the web console."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.certificates.rules import AgeRule, age_rule
from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshops import WorkshopStatus, queue_numbers
from bot.services.unit_of_work import UnitOfWork
from bot.services.workshops import WorkshopView, find_workshop, views
from storage import registrations as regs
from storage import workshops as store
from storage.models import Registration, User


async def all_workshops(uow: UnitOfWork, now: datetime) -> list[WorkshopView]:
    return await views(uow, await store.list_workshops(uow.session), now)


async def one_workshop(uow: UnitOfWork, workshop_id: int | None, now: datetime) -> WorkshopView:
    [view] = await views(uow, [await find_workshop(uow, workshop_id)], now)
    return view


@dataclass(frozen=True, slots=True)
class Registrant:
    registration: Registration
    user: User
    # Number on the waiting list or among the pre-registrations (the one the person is told); None otherwise.
    number: int | None

    @property
    def record_name(self) -> str:
        """The name printed on the person's records ("" until they give one with /name)."""
        return self.user.full_name or ""


def age_standing(workshop: WorkshopInfo, user: User, age_limit: int) -> AgeRule | None:
    """The workshop certificate's age rule for this person, or None while the year of birth or the date is unknown."""
    if not user.birth_year or workshop.starts_at is None:
        return None
    return age_rule(workshop.starts_at.year, user.birth_year, age_limit)


async def registrants(uow: UnitOfWork, workshop_id: int) -> list[Registrant]:
    """Everyone registered, seat holders first, then pre-registrations and the waiting list, each in order."""
    numbers = queue_numbers(await regs.queue_of(uow.session, workshop_id))
    return [Registrant(r, u, numbers.get(r.id)) for r, u in await regs.registrants(uow.session, workshop_id)]


@dataclass(frozen=True, slots=True)
class CityCount:
    city: str
    registered: int
    waiting: int
    attended: int


async def counts_per_city(uow: UnitOfWork) -> list[CityCount]:
    """Registered (seat holders and pre-registrations), waiting and attended, summed per city."""
    workshops = [w for w in await store.list_workshops(uow.session) if w.status != WorkshopStatus.CANCELLED]
    seats = await store.seat_counts(uow.session, workshops)
    totals: dict[str, list[int]] = {}
    for w in workshops:
        s = seats[w.id]
        row = totals.setdefault(w.city, [0, 0, 0])
        row[0] += s.confirmed + s.offered + s.preregistered
        row[1] += s.waiting
        row[2] += s.attended
    return [CityCount(city, *values) for city, values in sorted(totals.items())]


CSV_HEADER = (
    "workshop_id",
    "city",
    "starts_at_local",
    "timezone",
    "user_id",
    "record_name",
    "display_name",
    "status",
    "waiting_position",
    "registered_at_utc",
    "attended_at_utc",
    "birth_year",
    "under_35",
)


@dataclass(frozen=True, slots=True)
class Export:
    csv: str
    workshops: int
    rows: int


async def export_rows(
    uow: UnitOfWork, workshop_ids: Sequence[int | None] | None = None
) -> list[tuple[WorkshopInfo, list[Registrant]]]:
    """What an export holds: the given workshops (each refused if unknown), or all of them, each with its
    registrants in order. The CLI's CSV and the staff console's CSV are both made of these rows."""
    if workshop_ids is None:
        workshops = await store.list_workshops(uow.session)
    else:
        workshops = [await find_workshop(uow, wid) for wid in workshop_ids]
    return [(WorkshopInfo.of(workshop), await registrants(uow, workshop.id)) for workshop in workshops]


async def export_registrants(
    uow: UnitOfWork, workshop_ids: Sequence[int | None] | None = None, *, age_limit: int
) -> Export:
    """Registrants as CSV: the given workshops (each refused if unknown), or all of them. One file for the chat,
    the CLI and the console: the names on records beside the platform names, and the certificate's age rule
    (under, unclear or not_under; empty without a year of birth or a date)."""
    workshops = await export_rows(uow, workshop_ids)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    rows = 0
    for workshop, entries in workshops:
        local = (
            workshop.starts_at.astimezone(ZoneInfo(workshop.timezone)).strftime("%Y-%m-%d %H:%M")
            if workshop.starts_at
            else ""
        )
        for entry in entries:
            reg, user = entry.registration, entry.user
            standing = age_standing(workshop, user, age_limit)
            writer.writerow(
                (
                    workshop.id,
                    _csv_safe(workshop.city),
                    local,
                    workshop.timezone,
                    user.id,
                    _csv_safe(entry.record_name),
                    _csv_safe(user.display_name),
                    reg.status,
                    "" if entry.number is None else entry.number,
                    reg.registered_at.isoformat(),
                    reg.attended_at.isoformat() if reg.attended_at else "",
                    user.birth_year or "",
                    "" if standing is None else standing.value,
                )
            )
            rows += 1
    return Export(out.getvalue(), len(workshops), rows)


def _csv_safe(value: str) -> str:
    # A name starting with = + - @ would run as a formula when staff open the file in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
