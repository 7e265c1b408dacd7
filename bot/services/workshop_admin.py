"""Staff's workshop use cases, the same for the chat (/ws_*), the CLI (`wego-bot workshop`) and the web console:
create, edit, set the date, close and reopen registration, cancel, and seed from content. Each takes the unit of
work and plain values and returns the workshop as it now is; refusals are raised before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshop_input import WorkshopFields, optional_venue_time, start_time, venue_time
from bot.domain.workshop_refusals import CapacityBelowTaken, MissingFields, NoSuchWorkshop
from bot.domain.workshops import (
    ACTIVE,
    NoticeKind,
    RegistrationStatus,
    Seats,
    WorkshopStatus,
    new_checkin_secret,
    queue_numbers,
    refuse_if_cancelled,
    split_preregistrations,
)
from bot.services.seats import Notice, Notify, cancel_registration_row, promote
from bot.services.unit_of_work import UnitOfWork, commits
from storage import registrations as regs
from storage import workshops as store
from storage.models import Workshop

if TYPE_CHECKING:
    from bot.content import Content
    from bot.services.unit_of_work import UnitsOfWork

DEFAULT_DURATION_MINUTES = 180


async def _locked(uow: UnitOfWork, workshop_id: int | None) -> Workshop:
    """The workshop, locked for a change, unless it is cancelled (a cancelled workshop stays as it was)."""
    workshop = None if workshop_id is None else await store.lock_workshop(uow.session, workshop_id)
    if workshop is None:
        raise NoSuchWorkshop(workshop_id)
    refuse_if_cancelled(workshop)
    return workshop


def _touched(workshop: Workshop, now: datetime) -> None:
    # Staff's change: a content reload must not overwrite it.
    workshop.staff_edited = True
    workshop.updated_at = now


@commits
async def create_workshop(
    uow: UnitOfWork, fields: WorkshopFields, now: datetime, *, default_title: str
) -> WorkshopInfo:
    """A new workshop; the start may be "tba" (pre-registration until staff set the date)."""
    missing = tuple(
        name
        for name, value in (("city", fields.city), ("zone", fields.timezone), ("capacity", fields.capacity))
        if not value
    )
    if missing or fields.city is None or fields.timezone is None or fields.capacity is None:
        raise MissingFields(missing)
    zone = fields.timezone
    workshop = Workshop(
        city=fields.city,
        title=fields.title if fields.title is not None else default_title,
        venue=fields.venue or "",
        timezone=zone,
        starts_at=start_time(fields.start_local or "", zone, now),
        duration_minutes=fields.duration_minutes or DEFAULT_DURATION_MINUTES,
        capacity=fields.capacity,
        registration_opens_at=optional_venue_time(fields.opens_local or "", zone, now),
        registration_closes_at=optional_venue_time(fields.closes_local or "", zone, now),
        status=WorkshopStatus.SCHEDULED,
        checkin_code=new_checkin_secret(),
        staff_edited=True,
        created_at=now,
        updated_at=now,
    )
    return WorkshopInfo.of(await store.add_workshop(uow.session, workshop))


@commits
async def edit_workshop(
    uow: UnitOfWork, workshop_id: int | None, fields: WorkshopFields, now: datetime, *, notify: Notify, offer_hours: int
) -> WorkshopInfo:
    """Change what staff gave; a new date tells everyone registered, more seats go to the waiting list."""
    workshop = await _locked(uow, workshop_id)
    seats = await store.seats_of(uow.session, workshop)
    if fields.capacity is not None and fields.capacity < seats.taken:
        raise CapacityBelowTaken(workshop.id, seats.taken)
    # Every time is read before anything changes, so a refused one leaves the workshop as it was.
    zone = fields.timezone or workshop.timezone
    starts_at = workshop.starts_at
    if fields.timezone is not None and fields.timezone != workshop.timezone and workshop.starts_at is not None:
        # A zone fix keeps the venue's wall-clock time: that is what staff typed in the first place. A workshop
        # already held keeps its (past) date; only the zone is corrected.
        local = workshop.starts_at.astimezone(ZoneInfo(workshop.timezone)).strftime("%Y-%m-%d %H:%M")
        starts_at = venue_time(local, zone, now=now, past_ok=True)
    opens = optional_venue_time(fields.opens_local, zone, now) if fields.opens_local is not None else None
    closes = optional_venue_time(fields.closes_local, zone, now) if fields.closes_local is not None else None
    for name in ("city", "title", "venue", "duration_minutes", "capacity"):
        value = getattr(fields, name)
        if value is not None:
            setattr(workshop, name, value)
    workshop.timezone, workshop.starts_at = zone, starts_at
    if fields.opens_local is not None:
        workshop.registration_opens_at = opens
    if fields.closes_local is not None:
        workshop.registration_closes_at = closes
    _touched(workshop, now)
    await uow.session.flush()
    if fields.start_local is not None:
        await set_date(uow, workshop.id, fields.start_local, now, notify=notify, offer_hours=offer_hours)
    if fields.capacity is not None:
        await promote(uow.session, workshop, now, notify=notify, offer_hours=offer_hours)
    return WorkshopInfo.of(workshop)


@commits
async def set_date(
    uow: UnitOfWork, workshop_id: int | None, local: str, now: datetime, *, notify: Notify, offer_hours: int
) -> WorkshopInfo:
    """Announce (or move) the date; pre-registrations are confirmed in order up to capacity, the rest wait."""
    session = uow.session
    workshop = await _locked(uow, workshop_id)
    starts_at = venue_time(local, workshop.timezone, now=now)
    was_tba = workshop.starts_at is None
    workshop.starts_at = starts_at
    _touched(workshop, now)
    await session.flush()
    if not was_tba:
        for registration in await regs.in_status(session, workshop.id, ACTIVE):
            await notify(Notice(NoticeKind.RESCHEDULED, registration.user_id, WorkshopInfo.of(workshop), registration))
        return WorkshopInfo.of(workshop)
    seats = await store.seats_of(session, workshop)
    queue = await regs.in_status(session, workshop.id, [RegistrationStatus.PREREGISTERED])
    confirmed, waiting = split_preregistrations(seats.free, queue)
    for registration in confirmed:
        registration.status = RegistrationStatus.CONFIRMED
        await notify(Notice(NoticeKind.DATE_CONFIRMED, registration.user_id, WorkshopInfo.of(workshop), registration))
    for registration in waiting:
        registration.status = RegistrationStatus.WAITLISTED
    await session.flush()
    numbers = queue_numbers(await regs.queue_of(session, workshop.id))
    for registration in waiting:
        await notify(
            Notice(
                NoticeKind.DATE_WAITLISTED,
                registration.user_id,
                WorkshopInfo.of(workshop),
                registration,
                numbers[registration.id],
            )
        )
    return WorkshopInfo.of(workshop)


@commits
async def set_registration_open(uow: UnitOfWork, workshop_id: int | None, open_: bool, now: datetime) -> WorkshopInfo:
    """Close registration, or open it again (offers already made stand either way)."""
    workshop = await _locked(uow, workshop_id)
    workshop.status = WorkshopStatus.SCHEDULED if open_ else WorkshopStatus.CLOSED
    _touched(workshop, now)
    return WorkshopInfo.of(workshop)


@dataclass(frozen=True, slots=True)
class CancelPreview:
    workshop: WorkshopInfo
    seats: Seats


async def cancel_preview(uow: UnitOfWork, workshop_id: int | None) -> CancelPreview:
    """What cancelling would do (asked before staff confirm): the workshop and how many people would be told."""
    workshop = None if workshop_id is None else await store.get_workshop(uow.session, workshop_id)
    if workshop is None:
        raise NoSuchWorkshop(workshop_id)
    refuse_if_cancelled(workshop)
    return CancelPreview(WorkshopInfo.of(workshop), await store.seats_of(uow.session, workshop))


@commits
async def cancel_workshop(uow: UnitOfWork, workshop_id: int | None, now: datetime, *, notify: Notify) -> list[int]:
    """Cancel the workshop and every registration; returns the ids of the people told."""
    workshop = await _locked(uow, workshop_id)
    workshop.status = WorkshopStatus.CANCELLED
    _touched(workshop, now)
    told = []
    for registration in await regs.in_status(uow.session, workshop.id, ACTIVE):
        cancel_registration_row(registration, now)
        told.append(registration.user_id)
        await notify(
            Notice(NoticeKind.WORKSHOP_CANCELLED, registration.user_id, WorkshopInfo.of(workshop), registration)
        )
    await uow.session.flush()
    return told


def seeds_of(content: Content) -> list[store.Seed]:
    file = content.workshops
    return [
        store.Seed(
            slug=w.slug,
            city=w.city,
            title=file.title,
            timezone=w.timezone,
            capacity=w.capacity or file.default_capacity,
            duration_minutes=w.duration_minutes or file.default_duration_minutes,
        )
        for w in file.workshops
    ]


async def seed_from_content(storage: UnitsOfWork, content: Content) -> int:
    """Run at start: idempotent, and it never overwrites a workshop staff have edited. Returns how many are new."""
    async with storage.unit_of_work() as uow:
        added = await store.seed_workshops(uow.session, seeds_of(content), datetime.now(UTC))
        await uow.commit()
        return added
