"""Certificate records: issuing, looking up by code, revoking, and the workshop attendance they rest on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.certificates import codes
from bot.domain.statuses import RecordStatus
from storage.models import Certificate, Registration, User, Workshop

COURSE = "course"
WORKSHOP = "workshop"


async def record_for(session: AsyncSession, user_id: int, kind: str, workshop_id: int | None) -> Certificate | None:
    """The user's record of that kind (revoked ones included: a revoked record is not silently re-issued)."""
    query = select(Certificate).where(Certificate.user_id == user_id, Certificate.kind == kind)
    query = query.where(
        Certificate.workshop_id.is_(None) if workshop_id is None else Certificate.workshop_id == workshop_id
    )
    return await session.scalar(query.order_by(Certificate.id.desc()).limit(1))


async def issue(
    session: AsyncSession,
    *,
    user_id: int,
    kind: str,
    workshop_id: int | None,
    name: str,
    now: datetime,
    secret: bytes,
) -> Certificate:
    """The user's record of that kind, created (and signed) when there is none yet."""
    # Two events of one person (a double tap, two linked platforms) must not both create a record: on
    # PostgreSQL the user's row lock serializes them (SQLite's BEGIN IMMEDIATE already does).
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    existing = await record_for(session, user_id, kind, workshop_id)
    if existing is not None:
        return existing
    record = Certificate(user_id=user_id, kind=kind, workshop_id=workshop_id, name=name, issued_at=now)
    session.add(record)
    # The code signs the id, which exists only once the row is inserted.
    await session.flush()
    record.code = codes.sign(record.id, secret)
    await session.flush()
    return record


async def records_of(session: AsyncSession, user_id: int) -> list[Certificate]:
    result = await session.scalars(select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.id))
    return list(result)


async def rename_records(
    session: AsyncSession, user_id: int, name: str, *, now: datetime, secret: bytes
) -> list[Certificate]:
    """A new name for the user's current records: each gets a successor with the new name, and is superseded.

    A record keeps the name it was issued with, so a code that verified as one name never verifies as another.
    Revoked records stay revoked (no successor); records already showing `name` stay as they are. Returns the
    new records.
    """
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    current = [
        record
        for record in await records_of(session, user_id)
        if record.revoked_at is None and record.superseded_at is None and record.name != name
    ]
    successors = []
    for record in current:
        successor = Certificate(
            user_id=user_id, kind=record.kind, workshop_id=record.workshop_id, name=name, issued_at=now
        )
        session.add(successor)
        await session.flush()
        successor.code = codes.sign(successor.id, secret)
        record.superseded_at = now
        record.superseded_by_id = successor.id
        successors.append(successor)
    await session.flush()
    return successors


@dataclass(frozen=True, slots=True)
class Verification:
    """What a verification shows (`status`: bot.domain.statuses.RecordStatus)."""

    status: RecordStatus
    code: str
    name: str = ""
    kind: str = ""
    issued_at: datetime | None = None
    revoked_at: datetime | None = None
    superseded_at: datetime | None = None
    workshop_title: str = ""
    workshop_city: str = ""
    workshop_starts_at: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.status is RecordStatus.VALID


async def verify(session: AsyncSession, text: str, secret: bytes) -> Verification:
    """Check a typed code; raises codes.CodeFormatError when it cannot be a code at all."""
    code = codes.normalize(text)
    record = await session.scalar(select(Certificate).where(Certificate.code == code))
    # Recomputing the signature means a row altered in the database does not verify either.
    if record is None or not codes.verify(code, record.id, secret):
        return Verification(RecordStatus.INVALID, code)
    user = await session.get(User, record.user_id)
    if user is None or user.deleted_at is not None or not record.name:
        return Verification(RecordStatus.INVALID, code)
    workshop = await session.get(Workshop, record.workshop_id) if record.workshop_id is not None else None
    if record.revoked_at is not None:
        status = RecordStatus.REVOKED
    elif record.superseded_at is not None:
        status = RecordStatus.SUPERSEDED
    else:
        status = RecordStatus.VALID
    return Verification(
        status,
        code,
        name=record.name,
        kind=record.kind,
        issued_at=record.issued_at,
        revoked_at=record.revoked_at,
        superseded_at=record.superseded_at,
        workshop_title=workshop.title if workshop else "",
        workshop_city=workshop.city if workshop else "",
        workshop_starts_at=workshop.starts_at if workshop else None,
    )


async def revoke(session: AsyncSession, text: str, now: datetime) -> Certificate | None:
    """Revoke the record with this code; None when there is none. Raises codes.CodeFormatError on garbage."""
    code = codes.normalize(text)
    record = await session.scalar(select(Certificate).where(Certificate.code == code))
    if record is not None and record.revoked_at is None:
        record.revoked_at = now
    return record


async def attended(session: AsyncSession, user_id: int) -> list[tuple[Registration, Workshop]]:
    """Workshops where the user was checked in, earliest first."""
    rows = await session.execute(
        select(Registration, Workshop)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(Registration.user_id == user_id, Registration.attended_at.is_not(None))
        .order_by(Registration.attended_at)
    )
    return [(registration, workshop) for registration, workshop in rows]
