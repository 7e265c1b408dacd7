"""Certificate records: where a person stands for each certificate (issuing the records they earned), the name on
their records, verifying a code, and staff revoking one.

/certificate, /name, /revoke, the course-complete message, `wego-bot verify` / `certificate revoke`, the public
verify page and the staff console call these. Refusals are typed (bot.domain.certificates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.certificates import codes
from bot.certificates.rules import clean_name
from bot.domain.certificates import (
    NoSuchRecord,
    NotACode,
    RecordKind,
    WorkshopEligibility,
    WorkshopVerdict,
    course_record_due,
    workshop_eligibility,
    workshop_year,
)
from bot.domain.progress import CourseProgress
from bot.services.progress import progress_of
from bot.services.unit_of_work import commits
from storage import certificates as store
from storage.models import Certificate, User

if TYPE_CHECKING:
    from bot.content import Content
    from bot.services.unit_of_work import UnitOfWork
    from storage.certificates import Verification


@dataclass(frozen=True, slots=True)
class RecordView:
    code: str
    kind: RecordKind
    name: str
    issued_at: datetime
    revoked_at: datetime | None
    superseded_at: datetime | None
    # The row and its holder, for staff's audit log.
    id: int = 0
    user_id: int | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def _record(row: Certificate) -> RecordView:
    return RecordView(
        code=row.code or "",
        kind=RecordKind(row.kind),
        name=row.name,
        issued_at=row.issued_at,
        revoked_at=row.revoked_at,
        superseded_at=row.superseded_at,
        id=row.id,
        user_id=row.user_id,
    )


@dataclass(frozen=True, slots=True)
class CourseStanding:
    """`record`: the course record, issued now if it was due; `earlier`: a record issued before some lectures were
    unmarked (it stays valid), shown while the course is incomplete."""

    progress: CourseProgress
    missing: tuple[str, ...]
    record: RecordView | None
    earlier: RecordView | None


@dataclass(frozen=True, slots=True)
class WorkshopStanding:
    workshop_id: int
    title: str
    city: str
    eligibility: WorkshopEligibility
    record: RecordView | None


@dataclass(frozen=True, slots=True)
class Standing:
    name: str | None
    course: CourseStanding
    workshops: tuple[WorkshopStanding, ...]


async def record_name(uow: UnitOfWork, user_id: int) -> str | None:
    """The name the person's records show (None until they set one with /name)."""
    return (await uow.session.get_one(User, user_id)).full_name


async def _issue(
    uow: UnitOfWork, user_id: int, kind: RecordKind, workshop_id: int | None, name: str, now: datetime, secret: bytes
) -> RecordView:
    row = await store.issue(
        uow.session, user_id=user_id, kind=kind, workshop_id=workshop_id, name=name, now=now, secret=secret
    )
    return _record(row)


@commits
async def course_standing(
    uow: UnitOfWork, user_id: int, *, content: Content, now: datetime, secret: bytes, name: str | None = None
) -> CourseStanding:
    """Progress towards the course record; the record is issued (once) when every lecture is marked and a name set."""
    name = name if name is not None else await record_name(uow, user_id)
    progress = await progress_of(uow, user_id, content)
    missing = tuple(lecture.key for lecture in content.all_lectures() if lecture.key not in progress.done)
    if course_record_due(progress, name):
        assert name is not None
        record = await _issue(uow, user_id, RecordKind.COURSE, None, name, now, secret)
        return CourseStanding(progress, missing, record, None)
    earlier = None
    if not progress.complete:
        row = await store.record_for(uow.session, user_id, RecordKind.COURSE, None)
        earlier = _record(row) if row is not None else None
    return CourseStanding(progress, missing, None, earlier)


@commits
async def workshop_standings(
    uow: UnitOfWork, user_id: int, *, age_limit: int, now: datetime, secret: bytes, name: str | None = None
) -> tuple[WorkshopStanding, ...]:
    """One standing per workshop the person was checked in at, earliest first; a workshop record is issued (once)
    where the age rule lets them through and a name is set."""
    name = name if name is not None else await record_name(uow, user_id)
    user = await uow.session.get_one(User, user_id)
    standings = []
    for registration, workshop in await store.attended(uow.session, user_id):
        year = workshop_year(workshop.starts_at, registration.attended_at, workshop.timezone)
        eligibility = workshop_eligibility(year, user.birth_year, age_limit)
        record = None
        if eligibility.verdict is WorkshopVerdict.QUALIFIES and name:
            record = await _issue(uow, user_id, RecordKind.WORKSHOP, workshop.id, name, now, secret)
        standings.append(WorkshopStanding(workshop.id, workshop.title, workshop.city, eligibility, record))
    return tuple(standings)


@commits
async def standing(
    uow: UnitOfWork, user_id: int, *, content: Content, age_limit: int, now: datetime, secret: bytes
) -> Standing:
    """Where the person stands for every certificate (/certificate), issuing the records they earned."""
    name = await record_name(uow, user_id)
    course = await course_standing(uow, user_id, content=content, now=now, secret=secret, name=name)
    workshops = await workshop_standings(uow, user_id, age_limit=age_limit, now=now, secret=secret, name=name)
    return Standing(name, course, workshops)


@dataclass(frozen=True, slots=True)
class Renamed:
    name: str
    # Records issued again with the new name (the earlier ones keep theirs, marked as replaced).
    successors: tuple[RecordView, ...]


@commits
async def set_record_name(uow: UnitOfWork, user_id: int, text: str, *, now: datetime, secret: bytes) -> Renamed:
    """Set the name on the person's records (InvalidName refuses it, with its reason)."""
    name = clean_name(text)
    (await uow.session.get_one(User, user_id)).full_name = name
    successors = await store.rename_records(uow.session, user_id, name, now=now, secret=secret)
    return Renamed(name, tuple(_record(row) for row in successors))


@commits
async def revoke_record(uow: UnitOfWork, code: str, *, now: datetime) -> RecordView:
    """Revoke the record with this code (staff); revoking one already revoked keeps its first date."""
    try:
        row = await store.revoke(uow.session, code, now)
    except codes.CodeFormatError as exc:
        raise NotACode(str(exc)) from None
    if row is None:
        raise NoSuchRecord(codes.normalize(code))
    return _record(row)


async def verify_record(uow: UnitOfWork, code: str, *, secret: bytes) -> Verification:
    """What a record code shows (valid, superseded, revoked or invalid); NotACode for text that cannot be one."""
    try:
        return await store.verify(uow.session, code, secret)
    except codes.CodeFormatError as exc:
        raise NotACode(str(exc)) from None
