"""A participant's workshop use cases: sign up (with the year of birth given on the way), cancel, confirm an
offered seat, and the year-of-birth question. Each takes the event's unit of work and plain values, decides by
the rules in bot/domain/workshops.py and returns what happened; a refusal is raised before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshop_refusals import AlreadyRegistered, NoSuchRegistration, NoSuchWorkshop
from bot.domain.workshops import (
    QUEUES,
    RegistrationStatus,
    accept_offer_decision,
    place_for,
    question_open,
    queue_numbers,
    queue_time,
    refuse_if_registered,
    refuse_unless_cancellable,
    refuse_unless_open,
)
from bot.services.seats import Notify, cancel_registration_row, expire_offers, promote
from bot.services.unit_of_work import UnitOfWork, commits
from storage import registrations as regs
from storage import workshops as store
from storage.models import BirthYearPrompt, Registration, User, Workshop


class YearOutcome(StrEnum):
    """What became of a year of birth given (or not) on the way to a sign-up."""

    SAVED = "saved"
    # Already known: a year pressed on an old button changes nothing (correcting it is its own flow).
    KNOWN = "known"
    # None known, but a record rests on the (missing) year: only the Secretariat can add it now.
    IN_USE = "in_use"
    NOT_GIVEN = "not_given"


@dataclass(frozen=True, slots=True)
class SignedUp:
    registration: Registration
    workshop: WorkshopInfo
    # The number on the waiting list or among the pre-registrations; None with a seat.
    number: int | None
    year: YearOutcome


async def queue_number(uow: UnitOfWork, registration: Registration) -> int | None:
    """The person's number in their queue (waiting list or pre-registrations); None outside them."""
    if registration.status not in QUEUES:
        return None
    return queue_numbers(await regs.queue_of(uow.session, registration.workshop_id)).get(registration.id)


async def open_for(uow: UnitOfWork, workshop_id: int | None, user_id: int, now: datetime) -> WorkshopInfo:
    """The workshop, if this person may sign up for it now: open, and not already registered.

    Asked by the questions on the way (consent, year of birth); `sign_up` asks the same two rules of the domain
    (refuse_unless_open, refuse_if_registered) again under the workshop's lock, where the answer is final."""
    session = uow.session
    workshop = None if workshop_id is None else await store.get_workshop(session, workshop_id)
    if workshop is None:
        raise NoSuchWorkshop(workshop_id)
    refuse_unless_open(workshop, now)
    mine = await regs.registration_of(session, workshop.id, user_id)
    refuse_if_registered(workshop.id, mine.id if mine else None, mine.status if mine else None)
    return WorkshopInfo.of(workshop)


@commits
async def sign_up(
    uow: UnitOfWork,
    workshop_id: int,
    user_id: int,
    now: datetime,
    *,
    notify: Notify,
    offer_hours: int,
    birth_year: int | None = None,
) -> SignedUp:
    """Register the person: a seat while one is free, else the waiting list; pre-registered while the date is
    to be announced. `birth_year` is saved only by a sign-up that happens, and only if none is known yet."""
    session = uow.session
    workshop = await store.lock_workshop(session, workshop_id)
    if workshop is None:
        raise NoSuchWorkshop(workshop_id)
    refuse_unless_open(workshop, now)
    # Lapsed offers first: their seats count as free for this sign-up.
    await expire_offers(session, now, notify=notify, offer_hours=offer_hours, workshop_id=workshop.id)
    existing = await regs.registration_of(session, workshop.id, user_id)
    refuse_if_registered(workshop.id, existing.id if existing else None, existing.status if existing else None)
    status = place_for(workshop, await store.seats_of(session, workshop))
    at = queue_time(now, await regs.last_registered_at(session, workshop.id), reused_row=existing is not None)
    if existing is not None:
        # Signing up again after cancelling: same row (one per person), back of the queue.
        registration = existing
        registration.status, registration.registered_at, registration.consent_at = status, at, at
        registration.cancelled_at = registration.offer_expires_at = None
        await session.flush()
    else:
        registration = Registration(
            workshop_id=workshop.id, user_id=user_id, status=status, registered_at=at, consent_at=at
        )
        try:
            async with session.begin_nested():
                session.add(registration)
        except IntegrityError:
            # Only reachable if a concurrent press slipped past the row lock; the unique constraint still holds.
            raced = await regs.registration_of(session, workshop.id, user_id)
            assert raced is not None
            raise AlreadyRegistered(workshop.id, raced.id, RegistrationStatus(raced.status)) from None
    await regs.delete_birth_year_prompt(session, user_id)
    year = await _year_given(uow, user_id, birth_year)
    return SignedUp(registration, WorkshopInfo.of(workshop), await queue_number(uow, registration), year)


async def _year_given(uow: UnitOfWork, user_id: int, birth_year: int | None) -> YearOutcome:
    user = await uow.session.get_one(User, user_id)
    if user.birth_year is not None:
        return YearOutcome.KNOWN
    if await regs.birth_year_in_use(uow.session, user_id):
        return YearOutcome.IN_USE
    if birth_year is None:
        return YearOutcome.NOT_GIVEN
    return YearOutcome.SAVED if await save_birth_year(uow, user_id, birth_year) else YearOutcome.IN_USE


async def own_registration(uow: UnitOfWork, registration_id: int | None, user_id: int) -> tuple[Registration, Workshop]:
    """One of the person's active registrations with its workshop row; anyone else's is as missing as no row."""
    registration = None if registration_id is None else await regs.get_registration(uow.session, registration_id)
    if registration is None or registration.user_id != user_id or registration.status == RegistrationStatus.CANCELLED:
        raise NoSuchRegistration()
    return registration, await uow.session.get_one(Workshop, registration.workshop_id)


async def cancellable(
    uow: UnitOfWork, registration_id: int | None, user_id: int, now: datetime
) -> tuple[Registration, WorkshopInfo]:
    """The registration, if the person may still cancel it (asked before the "are you sure" question)."""
    registration, workshop = await own_registration(uow, registration_id, user_id)
    refuse_unless_cancellable(registration.attended_at, workshop, now)
    return registration, WorkshopInfo.of(workshop)


@commits
async def cancel(
    uow: UnitOfWork, registration_id: int | None, user_id: int, now: datetime, *, notify: Notify, offer_hours: int
) -> tuple[Registration, WorkshopInfo]:
    """Cancel the person's registration; a seat they held is offered to the next person waiting."""
    registration, _unlocked = await own_registration(uow, registration_id, user_id)
    workshop = await store.lock_workshop(uow.session, registration.workshop_id)
    assert workshop is not None  # the foreign key guarantees it
    refuse_unless_cancellable(registration.attended_at, workshop, now)
    held_seat = cancel_registration_row(registration, now)
    await uow.session.flush()
    if held_seat:
        await promote(uow.session, workshop, now, notify=notify, offer_hours=offer_hours)
    return registration, WorkshopInfo.of(workshop)


@commits
async def confirm_offer(
    uow: UnitOfWork, registration_id: int | None, user_id: int, now: datetime
) -> tuple[Registration, WorkshopInfo]:
    """Take the seat offered from the waiting list (pressing again after confirming changes nothing)."""
    registration, _unlocked = await own_registration(uow, registration_id, user_id)
    workshop = await store.lock_workshop(uow.session, registration.workshop_id)
    assert workshop is not None
    await uow.session.refresh(registration)
    if accept_offer_decision(registration.id, registration.status, registration.offer_expires_at, workshop, now):
        registration.status = RegistrationStatus.CONFIRMED
        registration.offer_expires_at = None
    return registration, WorkshopInfo.of(workshop)


# ------------------------------------------------------------------------------------------ year of birth


async def birth_year_in_use(uow: UnitOfWork, user_id: int) -> bool:
    """Whether a record (an attendance, a workshop certificate) rests on the year: then only staff change it."""
    return await regs.birth_year_in_use(uow.session, user_id)


@commits
async def ask_birth_year(uow: UnitOfWork, user_id: int, workshop_id: int | None, now: datetime) -> None:
    """Remember that the question was asked (for a sign-up to `workshop_id`, or to add or correct the year), so
    a year typed next answers it."""
    await regs.save_birth_year_prompt(uow.session, user_id, workshop_id, now)


async def pending_birth_year_question(uow: UnitOfWork, user_id: int, now: datetime) -> BirthYearPrompt | None:
    prompt = await regs.birth_year_prompt(uow.session, user_id)
    return prompt if prompt is not None and question_open(prompt.asked_at, now) else None


@commits
async def forget_birth_year_question(uow: UnitOfWork, user_id: int) -> None:
    await regs.delete_birth_year_prompt(uow.session, user_id)


@commits
async def save_birth_year(uow: UnitOfWork, user_id: int, year: int) -> bool:
    """Add or correct the year of birth; False (nothing changed) once a record rests on it."""
    # The user's row lock (PostgreSQL) orders this against a record being issued at the same moment.
    user = await regs.lock_user(uow.session, user_id)
    if user.birth_year != year and await regs.birth_year_in_use(uow.session, user_id):
        return False
    user.birth_year = year
    await regs.delete_birth_year_prompt(uow.session, user_id)
    return True
