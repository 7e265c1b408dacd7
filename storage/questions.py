"""Questions handed to staff: asked, forwarded to the staff chats, answered."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from storage.models import Question

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


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
            .where(Question.asked_at.is_not(None), Question.answered_at.is_(None))
            .order_by(Question.asked_at, Question.id)
            .limit(limit)
        )
        return list(result)

    async def unforwarded(self, limit: int = 20) -> list[Question]:
        result = await self.session.scalars(
            select(Question)
            .where(Question.asked_at.is_not(None), Question.forwarded_at.is_(None), Question.answered_at.is_(None))
            .order_by(Question.id)
            .limit(limit)
        )
        return list(result)

    async def by_forwarded_message(self, platform: str, message_id: str) -> Question | None:
        """The question a staff chat message was posted for (a staff reply to it answers the question)."""
        column = Question.telegram_message_id if platform == "telegram" else Question.discord_message_id
        return await self.session.scalar(select(Question).where(column == message_id))
