"""Registration rows: one person's place at one workshop, the queues, the year-of-birth question and wrong
check-in codes. Queries only; which status a row takes is decided in bot/domain/workshops.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.workshops import ACTIVE, RegistrationStatus, WrongCodes
from storage.models import BirthYearPrompt, Certificate, CheckinAttempts, Registration, User, Workshop

# Order of the staff list and the export: seat holders first, then pre-registrations and the waiting list.
_LIST_ORDER = {
    RegistrationStatus.CONFIRMED: 0,
    RegistrationStatus.OFFERED: 1,
    RegistrationStatus.PREREGISTERED: 2,
    RegistrationStatus.WAITLISTED: 3,
    RegistrationStatus.CANCELLED: 4,
}


async def registration_of(session: AsyncSession, workshop_id: int, user_id: int) -> Registration | None:
    return await session.scalar(
        select(Registration).where(Registration.workshop_id == workshop_id, Registration.user_id == user_id)
    )


async def get_registration(session: AsyncSession, registration_id: int) -> Registration | None:
    return await session.get(Registration, registration_id)


async def in_status(
    session: AsyncSession, workshop_id: int, statuses: Iterable[str], *, before: datetime | None = None
) -> list[Registration]:
    """The workshop's registrations in these statuses, in queue order (registered_at, then id).

    `before`: only offers whose deadline is at or before it (the lapsed ones)."""
    query = select(Registration).where(
        Registration.workshop_id == workshop_id, Registration.status.in_([str(s) for s in statuses])
    )
    if before is not None:
        query = query.where(Registration.offer_expires_at <= before)
    return list(await session.scalars(query.order_by(Registration.registered_at, Registration.id)))


async def queue_of(session: AsyncSession, workshop_id: int) -> list[tuple[int, str]]:
    """(registration id, status) of every registration in queue order: what queue numbers are counted from."""
    rows = await session.execute(
        select(Registration.id, Registration.status)
        .where(Registration.workshop_id == workshop_id)
        .order_by(Registration.registered_at, Registration.id)
    )
    return [(row[0], row[1]) for row in rows]


async def last_registered_at(session: AsyncSession, workshop_id: int) -> datetime | None:
    return await session.scalar(
        select(Registration.registered_at)
        .where(Registration.workshop_id == workshop_id)
        .order_by(Registration.registered_at.desc())
        .limit(1)
    )


async def workshops_with_lapsed_offers(session: AsyncSession, now: datetime, workshop_id: int | None) -> list[int]:
    """Ids of the workshops holding an offer whose deadline passed, in id order (the order locks are taken in)."""
    query = select(Registration.workshop_id).where(
        Registration.status == RegistrationStatus.OFFERED, Registration.offer_expires_at <= now
    )
    if workshop_id is not None:
        query = query.where(Registration.workshop_id == workshop_id)
    return sorted(set(await session.scalars(query.distinct())))


async def registrations_of_user(session: AsyncSession, user_id: int) -> list[tuple[Registration, Workshop]]:
    rows = await session.execute(
        select(Registration, Workshop)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(Registration.user_id == user_id, Registration.status.in_(ACTIVE))
        .order_by(Registration.registered_at, Registration.id)
    )
    return [(row[0], row[1]) for row in rows]


async def active_of_user(session: AsyncSession, user_id: int) -> list[Registration]:
    result = await session.scalars(
        select(Registration)
        .where(Registration.user_id == user_id, Registration.status.in_(ACTIVE))
        .order_by(Registration.workshop_id, Registration.id)
    )
    return list(result)


async def registrants(session: AsyncSession, workshop_id: int) -> list[tuple[Registration, User]]:
    """Everyone registered, seat holders first, then pre-registrations and the waiting list, each in order."""
    rows = await session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(Registration.workshop_id == workshop_id)
        .order_by(Registration.registered_at, Registration.id)
    )
    pairs = [(row[0], row[1]) for row in rows]
    return sorted(pairs, key=lambda pair: _LIST_ORDER.get(RegistrationStatus(pair[0].status), 9))


# ------------------------------------------------------------------------------------------ year of birth


async def birth_year_in_use(session: AsyncSession, user_id: int) -> bool:
    """Whether a record rests on the person's year of birth: an attendance counted or a workshop record issued.

    From then on the year is evidence for the age rule, and only the Secretariat changes it.
    """
    attended = await session.scalar(
        select(Registration.id).where(Registration.user_id == user_id, Registration.attended_at.is_not(None)).limit(1)
    )
    if attended is not None:
        return True
    record = await session.scalar(
        select(Certificate.id).where(Certificate.user_id == user_id, Certificate.kind == "workshop").limit(1)
    )
    return record is not None


async def lock_user(session: AsyncSession, user_id: int) -> User:
    """The user's row, locked until commit on PostgreSQL (orders a year change against a record being issued,
    and one person's check-in attempts against each other)."""
    user = await session.scalar(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    )
    assert user is not None  # callers pass the id of the person they serve
    return user


async def save_birth_year_prompt(session: AsyncSession, user_id: int, workshop_id: int | None, now: datetime) -> None:
    prompt = await session.get(BirthYearPrompt, user_id)
    if prompt is None:
        session.add(BirthYearPrompt(user_id=user_id, workshop_id=workshop_id, asked_at=now))
    else:
        prompt.workshop_id, prompt.asked_at = workshop_id, now
    await session.flush()


async def birth_year_prompt(session: AsyncSession, user_id: int) -> BirthYearPrompt | None:
    return await session.get(BirthYearPrompt, user_id)


async def delete_birth_year_prompt(session: AsyncSession, user_id: int) -> None:
    prompt = await session.get(BirthYearPrompt, user_id)
    if prompt is not None:
        await session.delete(prompt)
        await session.flush()


# ------------------------------------------------------------------------------------ wrong check-in codes


async def wrong_codes(session: AsyncSession, user_id: int) -> WrongCodes | None:
    row = await session.get(CheckinAttempts, user_id, populate_existing=True)
    return None if row is None else WrongCodes(row.failures, row.first_failure_at, row.paused_until)


async def save_wrong_codes(session: AsyncSession, user_id: int, codes: WrongCodes) -> None:
    row = await session.get(CheckinAttempts, user_id)
    if row is None:
        row = CheckinAttempts(user_id=user_id)
        session.add(row)
    row.failures, row.first_failure_at, row.paused_until = codes.failures, codes.first_failure_at, codes.paused_until
    await session.flush()


async def forget_wrong_codes(session: AsyncSession, user_id: int) -> None:
    row = await session.get(CheckinAttempts, user_id)
    if row is not None:
        await session.delete(row)
