"""Questions for the team: inbox, answers, FAQ; the question use cases of bot/services as the chat and the CLI
call them, refusals worded by handlers/questions.py."""

from __future__ import annotations

from bot.app import App
from bot.domain.questions import QuestionRefused
from bot.services import console as audit_log
from bot.services import questions as service
from bot.services import stats
from bot.services.questions import QuestionView
from bot.services.stats import Question
from bot.settings import LANGUAGES
from bot.web.console.actions.base import Refused, clock_now, refused_text, unit_of_work
from handlers.questions import answer_notice, refusal_text


def refused_question(refusal: QuestionRefused) -> Refused:
    return refused_text(refusal_text(refusal))


async def inbox(app: App) -> list[QuestionView]:
    """The questions waiting for an answer, oldest first: staff's list in the chat too."""
    async with unit_of_work(app) as uow:
        return await service.unanswered(uow, limit=100)


async def recently_answered(app: App) -> list[Question]:
    async with unit_of_work(app) as uow:
        return await stats.recently_answered(uow)


async def waiting_texts(app: App) -> list[tuple[int, str, str]]:
    async with unit_of_work(app) as uow:
        return await stats.unanswered_texts(uow)


async def answer_question(app: App, who: audit_log.Staffer, question_id: int, text: str) -> str:
    """The chat's /answer: saved, queued to the person in their language; returns how it reaches them."""
    now = clock_now(app)
    try:
        async with unit_of_work(app) as uow:
            answered = await service.answer(
                uow,
                question_id,
                text,
                answered_by=who.actor,
                now=now,
                default_locale=app.settings.default_language,
                languages=LANGUAGES,
                write=answer_notice,
                answered_by_user_id=who.user_id,
            )
            await audit_log.audit(uow, who, "question.answer", f"question:{question_id}", now)
            return str(answered.reach)
    except QuestionRefused as refusal:
        raise refused_question(refusal) from None


async def save_faq(app: App, who: audit_log.Staffer, question_id: int) -> str:
    """The chat's /faq: the answered question appended to the staff FAQ file."""
    now = clock_now(app)
    try:
        async with unit_of_work(app) as uow:
            entry = await service.save_as_faq(uow, question_id, app.settings.content_dir, now=now)
            await audit_log.audit(uow, who, "question.faq", f"question:{question_id}", now, entry=entry)
            return entry
    except QuestionRefused as refusal:
        raise refused_question(refusal) from None
