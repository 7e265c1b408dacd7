"""Read-only figures for the staff console's overview: one set-based query per chart, each on an index.

Nothing here reads rows one by one: the overview must draw from 100,000 participants in well under a second
(bench/console). Deleted participants are left out everywhere, so no count disagrees with another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, distinct, exists, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Account,
    Broadcast,
    Certificate,
    Delivery,
    Question,
    Registration,
    User,
    Workshop,
)

ACTIVE = User.deleted_at.is_(None)


def _day(session: AsyncSession, column: Any) -> Any:
    # SQLite keeps UTC text (date() reads it as is); PostgreSQL takes the date in UTC whatever the session's zone.
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return func.date(func.timezone("UTC", column))


def _seconds(session: AsyncSession, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return extract("epoch", later - earlier)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    key: str
    count: int


async def joined_by_platform(session: AsyncSession) -> list[DayCount]:
    """New participants per day and platform: the day each started on that platform (their account there was made;
    someone who links a second platform later counts on it from then). Read from the accounts alone: deleting a
    participant deletes their accounts, so no join with users is needed (it tripled the time at 100,000)."""
    day = _day(session, Account.created_at)
    rows = await session.execute(
        select(day, Account.platform, func.count(distinct(Account.user_id)))
        .group_by(day, Account.platform)
        .order_by(day)
    )
    return [DayCount(_as_date(d), str(key), int(n)) for d, key, n in rows]


async def joined_by_language(session: AsyncSession, default_language: str) -> list[DayCount]:
    """New participants per day and the language they are written to in (chosen, else the platform's hint)."""
    day = _day(session, User.created_at)
    language = func.coalesce(User.locale, User.locale_hint, default_language)
    rows = await session.execute(
        select(day, language, func.count()).where(ACTIVE).group_by(day, language).order_by(day)
    )
    return [DayCount(_as_date(d), str(key), int(n)) for d, key, n in rows]


@dataclass(frozen=True, slots=True)
class Funnel:
    started: int
    first_lecture: int
    parts: list[int]
    all_lectures: int
    records: int


async def funnel(session: AsyncSession, parts: Sequence[tuple[int, int]], lectures: int) -> Funnel:
    """Started → at least one lecture → each part complete → every lecture → a course record.

    `parts` are (part number, its number of lectures). Read from the per-part tallies the database keeps
    (storage/console.py PartTally): each step is one range of their index, whatever the number of participants.
    """
    from storage.console import PartTally

    def having(part: int, at_least: int) -> Any:
        return (
            select(func.count())
            .select_from(PartTally)
            .where(PartTally.part == part, PartTally.marks >= at_least)
            .scalar_subquery()
        )

    records = (
        select(func.count(distinct(Certificate.user_id)))
        .join(User, User.id == Certificate.user_id)
        .where(
            ACTIVE,
            Certificate.kind == "course",
            Certificate.revoked_at.is_(None),
            Certificate.superseded_at.is_(None),
        )
        .scalar_subquery()
    )
    started = select(func.count()).select_from(User).where(ACTIVE).scalar_subquery()
    steps = [started, having(0, 1), *[having(number, size) for number, size in parts], having(0, lectures), records]
    row = (await session.execute(select(*steps))).one()
    values = [int(v or 0) for v in row]
    return Funnel(values[0], values[1], values[2 : 2 + len(parts)], values[-2], values[-1])


async def lecture_completion(session: AsyncSession) -> dict[str, int]:
    """How many people marked each lecture (keys as stored: the caller orders them by the course), from the
    tallies the database keeps (storage/console.py LectureTally)."""
    from storage.console import LectureTally

    rows = await session.execute(
        select(LectureTally.lecture_key, func.sum(LectureTally.people)).group_by(LectureTally.lecture_key)
    )
    return {str(key): int(n or 0) for key, n in rows}


@dataclass(frozen=True, slots=True)
class CityRow:
    city: str
    registered: int
    waiting: int
    attended: int
    # (workshop year, birth year) → attended people: the caller applies the program's age rule to the years.
    attended_years: dict[tuple[int, int], int]


async def workshops_per_city(session: AsyncSession) -> list[CityRow]:
    """Per city, over workshops not cancelled: seat holders and pre-registrations, waiting, attended."""
    live = and_(ACTIVE, Workshop.status != "cancelled")
    rows = await session.execute(
        select(
            Workshop.city,
            func.sum(case((Registration.status.in_(("confirmed", "offered", "preregistered")), 1), else_=0)),
            func.sum(case((Registration.status == "waitlisted", 1), else_=0)),
            func.sum(
                case((and_(Registration.status == "confirmed", Registration.attended_at.is_not(None)), 1), else_=0)
            ),
        )
        .join(Registration, Registration.workshop_id == Workshop.id)
        .join(User, User.id == Registration.user_id)
        .where(live)
        .group_by(Workshop.city)
        .order_by(Workshop.city)
    )
    counts = {str(city): (int(r or 0), int(w or 0), int(a or 0)) for city, r, w, a in rows}
    year = extract("year", Workshop.starts_at)
    years = await session.execute(
        select(Workshop.city, year, User.birth_year, func.count())
        .join(Registration, Registration.workshop_id == Workshop.id)
        .join(User, User.id == Registration.user_id)
        .where(
            live,
            Registration.status == "confirmed",
            Registration.attended_at.is_not(None),
            User.birth_year.is_not(None),
            Workshop.starts_at.is_not(None),
        )
        .group_by(Workshop.city, year, User.birth_year)
    )
    by_city: dict[str, dict[tuple[int, int], int]] = {}
    for city, workshop_year, birth_year, n in years:
        by_city.setdefault(str(city), {})[(int(workshop_year), int(birth_year or 0))] = int(n)
    return [CityRow(city, *values, attended_years=by_city.get(city, {})) for city, values in counts.items()]


@dataclass(frozen=True, slots=True)
class BroadcastRow:
    id: int
    status: str
    created_at: datetime
    scheduled_at: datetime | None
    recipients: int
    deliveries: dict[str, int]


async def recent_broadcasts(session: AsyncSession, limit: int = 12) -> list[BroadcastRow]:
    """The latest broadcasts that were sent or are due, with their deliveries counted by status."""
    broadcasts = list(
        await session.scalars(
            select(Broadcast)
            .where(Broadcast.status.in_(("scheduled", "sending", "done", "cancelled")))
            .order_by(Broadcast.id.desc())
            .limit(limit)
        )
    )
    counts: dict[int, dict[str, int]] = {b.id: {} for b in broadcasts}
    if broadcasts:
        rows = await session.execute(
            select(Delivery.ref_id, Delivery.status, func.count())
            .where(Delivery.kind == "broadcast", Delivery.ref_id.in_(list(counts)))
            .group_by(Delivery.ref_id, Delivery.status)
        )
        for ref_id, status, n in rows:
            counts[int(ref_id or 0)][str(status)] = int(n)
    return [BroadcastRow(b.id, b.status, b.created_at, b.scheduled_at, b.recipients, counts[b.id]) for b in broadcasts]


async def delivery_reasons(session: AsyncSession, broadcast_id: int) -> list[tuple[str, str, int]]:
    """(status, reason, count) of a broadcast's deliveries that did not arrive."""
    rows = await session.execute(
        select(Delivery.status, func.coalesce(Delivery.last_error, ""), func.count())
        .where(
            Delivery.kind == "broadcast",
            Delivery.ref_id == broadcast_id,
            Delivery.status.in_(("unreachable", "failed")),
        )
        .group_by(Delivery.status, func.coalesce(Delivery.last_error, ""))
        .order_by(func.count().desc())
    )
    return [(str(s), str(reason), int(n)) for s, reason, n in rows]


# Upper bounds, in hours, of the time-to-answer and waiting-time buckets; the last bucket is open.
HOUR_BUCKETS = (1, 24, 72)


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    waiting: int
    answered: int
    # Counts per bucket of HOUR_BUCKETS, plus one for "longer".
    waiting_ages: list[int]
    answer_times: list[int]
    mean_answer_seconds: float | None


def _bucket_columns(seconds: Any) -> list[Any]:
    columns = []
    lower = 0
    for upper in HOUR_BUCKETS:
        columns.append(func.sum(case((and_(seconds >= lower * 3600, seconds < upper * 3600), 1), else_=0)))
        lower = upper
    columns.append(func.sum(case((seconds >= lower * 3600, 1), else_=0)))
    return columns


async def questions(session: AsyncSession, now: datetime, since: timedelta = timedelta(days=90)) -> QuestionFigures:
    """Questions waiting (by how long) and, over `since`, how long answers took."""
    asked = and_(ACTIVE, Question.asked_at.is_not(None))
    age = _seconds(session, now, Question.asked_at)
    waiting = (
        await session.execute(
            select(func.count(), *_bucket_columns(age))
            .join(User, User.id == Question.user_id)
            .where(asked, Question.answered_at.is_(None))
        )
    ).one()
    took = _seconds(session, Question.answered_at, Question.asked_at)
    answered = (
        await session.execute(
            select(func.count(), func.avg(took), *_bucket_columns(took))
            .join(User, User.id == Question.user_id)
            .where(asked, Question.answered_at.is_not(None), Question.answered_at >= now - since)
        )
    ).one()
    return QuestionFigures(
        waiting=int(waiting[0] or 0),
        answered=int(answered[0] or 0),
        waiting_ages=[int(v or 0) for v in waiting[1:]],
        answer_times=[int(v or 0) for v in answered[2:]],
        mean_answer_seconds=float(answered[1]) if answered[1] is not None else None,
    )


async def unanswered_texts(session: AsyncSession, limit: int = 500) -> list[tuple[int, str, str]]:
    """(id, language, text) of the questions waiting, newest first, for grouping alike ones."""
    rows = await session.execute(
        select(Question.id, Question.language, Question.text)
        .join(User, User.id == Question.user_id)
        .where(ACTIVE, Question.asked_at.is_not(None), Question.answered_at.is_(None))
        .order_by(Question.id.desc())
        .limit(limit)
    )
    return [(int(i), str(lang), str(text)) for i, lang, text in rows]


# -- the console's lists: people, their accounts, answered questions, cities --------------------------------------


async def search_people(session: AsyncSession, text: str, number: int | None, limit: int = 50) -> list[User]:
    """People (not deleted) whose name contains `text`, whose number is `number`, or who have an account with
    that platform id (a Telegram or Discord number, a console name)."""
    clauses: list[Any] = [User.full_name.ilike(f"%{text}%"), User.display_name.ilike(f"%{text}%")]
    if number is not None:
        clauses.append(User.id == number)
    clauses.append(exists().where(Account.user_id == User.id, Account.platform_user_id == text))
    return list(await session.scalars(select(User).where(ACTIVE, or_(*clauses)).order_by(User.id).limit(limit)))


async def platforms_of(session: AsyncSession, user_id: int) -> list[str]:
    return sorted(set(await session.scalars(select(Account.platform).where(Account.user_id == user_id))))


async def recently_answered(session: AsyncSession, limit: int = 20) -> list[Question]:
    return list(
        await session.scalars(
            select(Question).where(Question.answered_at.is_not(None)).order_by(Question.answered_at.desc()).limit(limit)
        )
    )


async def workshop_cities(session: AsyncSession) -> set[str]:
    """Every city a workshop is (or was) held in, lower-cased."""
    return {city.lower() for city in await session.scalars(select(Workshop.city))}
