"""Questions handed to staff: asked, forwarded to the staff chats, answered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from storage.attempts import next_allowed
from storage.models import Question, User

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import InstrumentedAttribute


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, user_id: int, text: str, language: str, platform: str, now: datetime, asked: bool
    ) -> Question:
        question = Question(
            user_id=user_id,
            text=text,
            language=language,
            platform=platform,
            created_at=now,
            asked_at=now if asked else None,
        )
        self.session.add(question)
        await self.session.flush()
        return question

    async def next_question_allowed(self, user_id: int, now: datetime, per_day: int) -> datetime | None:
        """None while the person may ask the team; else when they may again (at most `per_day` in any 24 hours).

        Every question asked counts, whichever way it was asked. The person's row is locked first (PostgreSQL;
        SQLite serializes writers), so questions sent at once cannot all slip under the limit.
        """
        await self.session.execute(select(User.id).where(User.id == user_id).with_for_update())
        window = timedelta(days=1)
        asked = await self.session.scalars(
            select(Question.asked_at)
            .where(Question.user_id == user_id, Question.asked_at.is_not(None), Question.asked_at > now - window)
            .order_by(Question.asked_at)
        )
        return next_allowed([moment for moment in asked if moment is not None], per_day, window)

    async def get(self, question_id: int, *, lock: bool = False) -> Question | None:
        # A row lock on PostgreSQL, so two staff answering at once cannot both notify; SQLite serializes writers.
        query = select(Question).where(Question.id == question_id)
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def unanswered(self, limit: int = 50) -> list[Question]:
        """Asked and not yet answered, oldest first."""
        result = await self.session.scalars(
            select(Question)
            .join(User, User.id == Question.user_id)
            .where(Question.asked_at.is_not(None), Question.answered_at.is_(None), User.deleted_at.is_(None))
            .order_by(Question.asked_at, Question.id)
            .limit(limit)
        )
        return list(result)

    async def open_of(self, user_id: int, limit: int = 20) -> list[Question]:
        """One person's questions asked and not yet answered, oldest first."""
        result = await self.session.scalars(
            select(Question)
            .where(Question.user_id == user_id, Question.asked_at.is_not(None), Question.answered_at.is_(None))
            .order_by(Question.asked_at, Question.id)
            .limit(limit)
        )
        return list(result)

    async def not_posted_to(self, platforms: list[str], limit: int = 20) -> list[Question]:
        """Asked, unanswered and not yet posted to the staff chat of at least one of `platforms`, oldest first."""
        result = await self.session.scalars(
            select(Question)
            .join(User, User.id == Question.user_id)
            .where(
                Question.asked_at.is_not(None),
                Question.answered_at.is_(None),
                User.deleted_at.is_(None),
                or_(*(forwarded_column(platform).is_(None) for platform in platforms)),
            )
            .order_by(Question.id)
            .limit(limit)
        )
        return list(result)

    async def record_post(self, question_id: int, platform: str, message_id: str | None, now: datetime) -> None:
        """A staff chat took the question; "" stands for a post without a message id (it still counts)."""
        question = await self.get(question_id, lock=True)
        if question is None:
            return
        setattr(question, forwarded_column(platform).key, message_id or "")
        question.forwarded_at = question.forwarded_at or now

    async def by_forwarded_message(self, platform: str, message_id: str) -> Question | None:
        """The question a staff chat message was posted for (a staff reply to it answers the question)."""
        return await self.session.scalar(select(Question).where(forwarded_column(platform) == message_id))


def forwarded_column(platform: str) -> InstrumentedAttribute[str | None]:
    """Where the id of a platform's staff chat message for the question is kept; set means posted there."""
    return {"telegram": Question.telegram_message_id, "discord": Question.discord_message_id}[platform]
