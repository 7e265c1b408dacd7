"""Workshop rows: read, lock, list, count seats, add, and the seeding upsert. Queries only; the rules are in
bot/domain/workshops.py and the use cases in bot/services/.

The capacity invariant is held by the database, not by Python alone: every change that reads the seat count
first locks the workshop row (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite already serializes writers with
BEGIN IMMEDIATE, so the lock is a no-op there), and `UNIQUE(workshop_id, user_id)` forbids a second place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.workshops import RegistrationStatus, Seats, WorkshopStatus, new_checkin_secret
from storage.models import Registration, Workshop


async def get_workshop(session: AsyncSession, workshop_id: int) -> Workshop | None:
    return await session.get(Workshop, workshop_id)


async def lock_workshop(session: AsyncSession, workshop_id: int) -> Workshop | None:
    """The workshop row, locked until commit on PostgreSQL, so seat counts read after it cannot go stale."""
    return await session.scalar(
        select(Workshop).where(Workshop.id == workshop_id).with_for_update().execution_options(populate_existing=True)
    )


async def list_workshops(session: AsyncSession) -> list[Workshop]:
    result = await session.scalars(select(Workshop))
    # Dated workshops first, soonest first; then those still to be announced, by city.
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(result, key=lambda w: (w.starts_at or far, w.city, w.id))


async def recent_dated(session: AsyncSession, since: datetime) -> list[Workshop]:
    """Workshops with a date from `since` on (check-in looks at sessions from yesterday on)."""
    result = await session.scalars(
        select(Workshop).where(Workshop.starts_at.is_not(None), Workshop.starts_at >= since).order_by(Workshop.id)
    )
    return list(result)


async def seat_counts(session: AsyncSession, workshops: Sequence[Workshop]) -> dict[int, Seats]:
    ids = [w.id for w in workshops]
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    # Checked-in people are counted apart: attendance is a time stamp on a place, not a status.
    attended_counts: dict[int, int] = {}
    if ids:
        rows = await session.execute(
            select(Registration.workshop_id, Registration.status, func.count())
            .where(Registration.workshop_id.in_(ids))
            .group_by(Registration.workshop_id, Registration.status)
        )
        for workshop_id, status, count in rows:
            counts[workshop_id][status] = count
        attended = await session.execute(
            select(Registration.workshop_id, func.count())
            .where(Registration.workshop_id.in_(ids), Registration.attended_at.is_not(None))
            .group_by(Registration.workshop_id)
        )
        attended_counts = dict(attended.all())
    return {
        w.id: Seats(
            capacity=w.capacity,
            confirmed=counts[w.id].get(RegistrationStatus.CONFIRMED, 0),
            offered=counts[w.id].get(RegistrationStatus.OFFERED, 0),
            waiting=counts[w.id].get(RegistrationStatus.WAITLISTED, 0),
            preregistered=counts[w.id].get(RegistrationStatus.PREREGISTERED, 0),
            attended=attended_counts.get(w.id, 0),
        )
        for w in workshops
    }


async def seats_of(session: AsyncSession, workshop: Workshop) -> Seats:
    return (await seat_counts(session, [workshop]))[workshop.id]


async def add_workshop(session: AsyncSession, workshop: Workshop) -> Workshop:
    """Store a new workshop and give it its id."""
    session.add(workshop)
    await session.flush()
    return workshop


@dataclass(frozen=True, slots=True)
class Seed:
    slug: str
    city: str
    title: str
    timezone: str
    capacity: int
    duration_minutes: int


async def seed_workshops(session: AsyncSession, seeds: Sequence[Seed], now: datetime) -> int:
    """Create workshops from content by slug; update those staff never touched. Returns how many were new."""
    existing = {
        w.slug: w for w in await session.scalars(select(Workshop).where(Workshop.slug.in_([s.slug for s in seeds])))
    }
    created = 0
    for seed in seeds:
        workshop = existing.get(seed.slug)
        if workshop is None:
            session.add(
                Workshop(
                    slug=seed.slug,
                    city=seed.city,
                    title=seed.title,
                    venue="",
                    starts_at=None,
                    timezone=seed.timezone,
                    duration_minutes=seed.duration_minutes,
                    capacity=seed.capacity,
                    status=WorkshopStatus.SCHEDULED,
                    checkin_code=new_checkin_secret(),
                    staff_edited=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            created += 1
        elif not workshop.staff_edited:
            workshop.city, workshop.title, workshop.timezone = seed.city, seed.title, seed.timezone
            workshop.capacity, workshop.duration_minutes = seed.capacity, seed.duration_minutes
    await session.flush()
    return created
