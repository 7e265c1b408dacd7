"""Lectures a user marked as watched. Keys are whatever the content says; this module never checks them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LectureProgress

# Built once: /progress and the lecture pages read it on every event, and building the statement (and its cache
# key) cost more than running it.
_DONE_KEYS = select(LectureProgress.lecture_key, LectureProgress.completed_at).where(
    LectureProgress.user_id == bindparam("user_id")
)


async def done_keys(session: AsyncSession, user_id: int) -> dict[str, datetime]:
    """Every key the user marked, including keys the content no longer has (kept, not counted)."""
    rows = await session.execute(_DONE_KEYS, {"user_id": user_id})
    return {key: at for key, at in rows}


async def mark_done(session: AsyncSession, user_id: int, key: str, now: datetime) -> bool:
    """True when newly marked; False when it already was."""
    existing = await session.scalar(
        select(LectureProgress.id).where(LectureProgress.user_id == user_id, LectureProgress.lecture_key == key)
    )
    if existing is not None:
        return False
    try:
        # A savepoint: a double press racing on PostgreSQL hits the unique constraint, not the whole event.
        async with session.begin_nested():
            session.add(LectureProgress(user_id=user_id, lecture_key=key, completed_at=now))
    except IntegrityError:
        return False
    return True


async def unmark(session: AsyncSession, user_id: int, key: str) -> bool:
    """True when a mark was removed."""
    result = await session.execute(
        delete(LectureProgress).where(LectureProgress.user_id == user_id, LectureProgress.lecture_key == key)
    )
    return bool(getattr(result, "rowcount", 0))
