"""Reminder rows: notification preferences, weekly study reminders, and the once-only log of reminder slots."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reminders import NOTIFICATION_KINDS
from storage.models import LectureProgress, NotificationPrefs, SentReminder, StudyReminder, User


async def prefs(session: AsyncSession, user_id: int) -> NotificationPrefs:
    """The user's preferences row, created (everything on) on first use."""
    row = await session.get(NotificationPrefs, user_id)
    if row is None:
        row = NotificationPrefs(user_id=user_id, workshop=True, study=True, nudge=True)
        session.add(row)
        await session.flush()
    return row


async def choices(session: AsyncSession, user_id: int, kinds: tuple[str, ...]) -> dict[str, bool]:
    """Which of `kinds` the user wants; everything is on until they turn it off (no row is made to say so)."""
    row = await session.get(NotificationPrefs, user_id)
    return {kind: True if row is None else bool(getattr(row, kind)) for kind in kinds}


async def wants(session: AsyncSession, user_id: int, kind: str) -> bool:
    return (await choices(session, user_id, (kind,)))[kind]


async def set_wanted(session: AsyncSession, user_id: int, kind: str, on: bool) -> None:
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(kind)
    setattr(await prefs(session, user_id), kind, on)


async def study_reminders(session: AsyncSession, user_id: int) -> list[StudyReminder]:
    result = await session.scalars(
        select(StudyReminder).where(StudyReminder.user_id == user_id).order_by(StudyReminder.id)
    )
    return list(result)


async def study_reminder(session: AsyncSession, user_id: int, reminder_id: int) -> StudyReminder | None:
    row = await session.get(StudyReminder, reminder_id)
    return row if row is not None and row.user_id == user_id else None


async def study_due_times(session: AsyncSession, ids: Collection[int] | None = None) -> list[tuple[int, datetime]]:
    """Active study reminders with their next occurrence (all of them, or those of `ids`), in id order."""
    query = select(StudyReminder.id, StudyReminder.next_due_at).where(
        StudyReminder.paused.is_(False), StudyReminder.next_due_at.is_not(None)
    )
    if ids is not None:
        query = query.where(StudyReminder.id.in_(ids))
    rows = await session.execute(query.order_by(StudyReminder.id))
    return [(rid, due) for rid, due in rows if due is not None]


async def due_study_ids(session: AsyncSession, now: datetime) -> list[int]:
    result = await session.scalars(
        select(StudyReminder.id).where(
            StudyReminder.paused.is_(False), StudyReminder.next_due_at.is_not(None), StudyReminder.next_due_at <= now
        )
    )
    return list(result)


async def claim_study(session: AsyncSession, reminder_id: int, due: datetime, following: datetime) -> bool:
    """Move a reminder from `due` to `following`; only one caller wins, so an occurrence fires once."""
    result = await session.execute(
        update(StudyReminder)
        .where(StudyReminder.id == reminder_id, StudyReminder.next_due_at == due, StudyReminder.paused.is_(False))
        .values(next_due_at=following)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def record_slot(
    session: AsyncSession, kind: str, user_id: int, ref_id: int, slot: str, outcome: str, now: datetime
) -> bool:
    """Claim a reminder slot once for ever (the unique key decides); False when it was already handled."""
    try:
        async with session.begin_nested():
            session.add(
                SentReminder(kind=kind, user_id=user_id, ref_id=ref_id, slot=slot, outcome=outcome, created_at=now)
            )
    except IntegrityError:
        return False
    return True


def due_nudges_query(
    lecture_keys: Sequence[str], now: datetime, period: timedelta, after: int, limit: int
) -> Select[User]:
    """The people to nudge, in user id order after `after`: one query, not a loop over everyone.

    Due: their latest lecture mark is at least `period` old, some lecture of the course is still not done, they are
    not deleted, and they have not turned nudges off nor been nudged within `period`. `lecture_keys`: the course as
    the content has it now.
    """
    threshold = now - period
    keys = sorted(lecture_keys)
    stalled = (
        select(LectureProgress.user_id)
        .where(LectureProgress.user_id > after)
        .group_by(LectureProgress.user_id)
        .having(
            func.max(LectureProgress.completed_at) <= threshold,
            # (user, lecture) is unique: counting the marks of the course's lectures counts the lectures done.
            func.count(case((LectureProgress.lecture_key.in_(keys), 1))) < len(keys),
        )
        .subquery()
    )
    return (
        select(User)
        .join(stalled, stalled.c.user_id == User.id)
        .outerjoin(NotificationPrefs, NotificationPrefs.user_id == User.id)
        .where(
            User.deleted_at.is_(None),
            or_(
                NotificationPrefs.user_id.is_(None),
                and_(
                    NotificationPrefs.nudge.is_(True),
                    or_(NotificationPrefs.last_nudge_at.is_(None), NotificationPrefs.last_nudge_at <= threshold),
                ),
            ),
        )
        .order_by(User.id)
        .limit(limit)
    )
