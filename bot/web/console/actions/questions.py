"""Questions for the team: inbox, answers, FAQ."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.core.replies import to_plain
from bot.web.console.actions.base import Refused, clock_now, storage_of
from storage import console as store
from storage import stats
from storage.console import Staffer
from storage.models import Question, User


async def inbox(app: App) -> list[tuple[Question, User]]:
    from storage.questions import QuestionRepository

    async with storage_of(app).unit_of_work() as uow:
        rows = await QuestionRepository(uow.session).unanswered(limit=100)
        return [(row, await uow.session.get_one(User, row.user_id)) for row in rows]


async def recently_answered(app: App) -> list[Question]:
    async with storage_of(app).unit_of_work() as uow:
        return list(
            await uow.session.scalars(
                select(Question)
                .where(Question.answered_at.is_not(None))
                .order_by(Question.answered_at.desc())
                .limit(20)
            )
        )


async def waiting_texts(app: App) -> list[tuple[int, str, str]]:
    async with storage_of(app).unit_of_work() as uow:
        return await stats.unanswered_texts(uow.session)


async def answer_question(app: App, who: Staffer, question_id: int, text: str) -> str:
    """The chat's /answer: saved, queued to the person in their language; returns how it reaches them."""
    from handlers.questions import QuestionProblem, give_answer

    now = clock_now(app)
    try:
        async with storage_of(app).unit_of_work() as uow:
            answered = await give_answer(
                uow.session,
                question_id,
                text,
                answered_by=who.actor,
                now=now,
                default_locale=app.settings.default_language,
                answered_by_user_id=who.user_id,
            )
            await store.audit(uow.session, who, "question.answer", f"question:{question_id}", now)
            return str(answered.reach)
    except QuestionProblem as problem:
        raise Refused(to_plain(str(problem))) from None


async def save_faq(app: App, who: Staffer, question_id: int) -> str:
    from handlers.questions import QuestionProblem, save_as_faq

    now = clock_now(app)
    try:
        async with storage_of(app).unit_of_work() as uow:
            entry = await save_as_faq(uow.session, question_id, app.settings.content_dir, now=now)
            await store.audit(uow.session, who, "question.faq", f"question:{question_id}", now, entry=entry)
            return entry
    except QuestionProblem as problem:
        raise Refused(to_plain(str(problem))) from None
