"""What people see of the workshops: the list, one workshop's page, their own sign-ups, suggestions and the
calendar file's workshop. Reading lets lapsed seat offers pass on first, so nobody is shown a seat that is
about to move. They hand out `WorkshopInfo` copies, never the stored rows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshop_refusals import NoDate, NoSuchWorkshop, WorkshopCancelled
from bot.domain.workshops import (
    DisplayStatus,
    RegistrationStatus,
    Seats,
    WorkshopStatus,
    display_status,
    is_past,
)
from bot.services.seats import Notify, expire_offers
from bot.services.signups import queue_number
from bot.services.unit_of_work import UnitOfWork, commits
from storage import registrations as regs
from storage import workshops as store
from storage.models import Registration, Workshop


@dataclass(frozen=True, slots=True)
class WorkshopView:
    workshop: WorkshopInfo
    seats: Seats
    status: DisplayStatus


@dataclass(frozen=True, slots=True)
class MyPlace:
    """One of the person's registrations as they see it."""

    registration: Registration
    workshop: WorkshopInfo
    # Their number on the waiting list or among the pre-registrations; None with a seat or an offer.
    number: int | None
    over: bool


@dataclass(frozen=True, slots=True)
class WorkshopPage:
    view: WorkshopView
    mine: MyPlace | None


async def find_workshop(uow: UnitOfWork, workshop_id: int | None) -> Workshop:
    """The stored row, for the use cases that change it or read further."""
    workshop = None if workshop_id is None else await store.get_workshop(uow.session, workshop_id)
    if workshop is None:
        raise NoSuchWorkshop(workshop_id)
    return workshop


async def views(uow: UnitOfWork, workshops: list[Workshop], now: datetime) -> list[WorkshopView]:
    seats = await store.seat_counts(uow.session, workshops)
    return [WorkshopView(WorkshopInfo.of(w), seats[w.id], display_status(w, seats[w.id], now)) for w in workshops]


@commits
async def overview(uow: UnitOfWork, now: datetime, *, notify: Notify, offer_hours: int) -> list[WorkshopView]:
    """Every workshop, dated ones soonest first, then those to be announced."""
    await expire_offers(uow.session, now, notify=notify, offer_hours=offer_hours)
    return await views(uow, await store.list_workshops(uow.session), now)


async def place_of(uow: UnitOfWork, registration: Registration, workshop: Workshop, now: datetime) -> MyPlace:
    return MyPlace(
        registration, WorkshopInfo.of(workshop), await queue_number(uow, registration), is_past(workshop, now)
    )


@commits
async def workshop_page(
    uow: UnitOfWork, workshop_id: int | None, user_id: int, now: datetime, *, notify: Notify, offer_hours: int
) -> WorkshopPage:
    workshop = await find_workshop(uow, workshop_id)
    await expire_offers(uow.session, now, notify=notify, offer_hours=offer_hours, workshop_id=workshop.id)
    [view] = await views(uow, [workshop], now)
    mine = await regs.registration_of(uow.session, workshop.id, user_id)
    if mine is None or mine.status == RegistrationStatus.CANCELLED:
        return WorkshopPage(view, None)
    return WorkshopPage(view, await place_of(uow, mine, workshop, now))


async def my_place(uow: UnitOfWork, workshop_id: int, user_id: int, now: datetime) -> MyPlace | None:
    registration = await regs.registration_of(uow.session, workshop_id, user_id)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return None
    return await place_of(uow, registration, await find_workshop(uow, workshop_id), now)


@commits
async def my_signups(
    uow: UnitOfWork, user_id: int, now: datetime, *, notify: Notify, offer_hours: int
) -> list[MyPlace]:
    """The person's active registrations, in the order they signed up."""
    await expire_offers(uow.session, now, notify=notify, offer_hours=offer_hours)
    return [await place_of(uow, r, w, now) for r, w in await regs.registrations_of_user(uow.session, user_id)]


async def suggestions(
    uow: UnitOfWork, user_id: int, except_id: int, now: datetime, limit: int
) -> tuple[list[WorkshopInfo], list[WorkshopInfo]]:
    """Other workshops this person can still join: dated ones with a free seat, then undated ones
    (pre-registration), at most `limit` in all. Full, closed, past and cancelled workshops, and those the person
    is already registered for, are not offered."""
    mine = {r.workshop_id for r, _w in await regs.registrations_of_user(uow.session, user_id)}
    others = [w for w in await store.list_workshops(uow.session) if w.id != except_id and w.id not in mine]
    shown = await views(uow, others, now)
    dated = [v.workshop for v in shown if v.status == DisplayStatus.OPEN][:limit]
    undated = [v.workshop for v in shown if v.status == DisplayStatus.TBA][: limit - len(dated)]
    return dated, undated


async def calendar_workshop(uow: UnitOfWork, workshop_id: int | None) -> WorkshopInfo:
    """The workshop for a calendar file: one with a date, not cancelled."""
    workshop = await find_workshop(uow, workshop_id)
    if workshop.status == WorkshopStatus.CANCELLED:
        raise WorkshopCancelled(workshop.id, workshop.city)
    if workshop.starts_at is None:
        raise NoDate(workshop.id)
    return WorkshopInfo.of(workshop)


async def workshops_in_city(uow: UnitOfWork, city: str, slugs: Collection[str]) -> list[WorkshopInfo]:
    """Workshops seeded for `city` (by slug: staff may rename a city) or named like it."""
    return [
        WorkshopInfo.of(w)
        for w in await store.list_workshops(uow.session)
        if w.slug in slugs or w.city.casefold() == city.casefold()
    ]
