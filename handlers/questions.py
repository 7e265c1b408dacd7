"""A human behind the bot: questions handed to staff, and staff's answers sent back to the participant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content import ContentError
from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.core.text import is_number
from bot.faq.library import save_staff_entry
from bot.i18n import LANGUAGE_NAMES, _, current_locale
from bot.settings import LANGUAGES
from handlers.menu import back_to_menu
from storage.models import Question, User
from storage.questions import QuestionRepository

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

router = Router()

MAX_QUESTION = 1000
MAX_ANSWER = 3000


class QuestionProblem(Exception):
    """A staff answer that cannot be given; the message is already translated."""


def _thanks() -> Reply:
    return Reply(
        _("Thank you! I passed your question to the program team. Their answer will come here."),
        buttons=[back_to_menu()],
    )


@router.action("faq.ask")
async def ask_pressed(ctx: Context) -> Reply:
    """The "Ask the team" button under an unsure answer: the draft question becomes a question for staff."""
    question_id = int(ctx.args[0]) if len(ctx.args) == 1 and is_number(ctx.args[0]) else None
    question = await QuestionRepository(ctx.session).get(question_id, lock=True) if question_id else None
    if question is None or question.user_id != ctx.user_id:
        raise UserError(_("That button is no longer valid. Here is the menu again."), [back_to_menu()])
    if question.asked_at is not None:
        return Reply(_("You already asked the team this question; their answer will come here."))
    question.asked_at = ctx.now()
    return _thanks()


@router.command("team", args_hint="question")
async def team(ctx: Context) -> Reply:
    """Ask the program team a question directly."""
    text = ctx.text.strip()
    if not text:
        return await _open_questions(ctx)
    if len(text) > MAX_QUESTION:
        raise UserError(_("Please keep your question under {limit} characters.").format(limit=MAX_QUESTION))
    await QuestionRepository(ctx.session).add(
        user_id=ctx.user_id, text=text, language=ctx.locale, platform=ctx.event.platform, now=ctx.now(), asked=True
    )
    return _thanks()


async def _open_questions(ctx: Context) -> Reply:
    """`/team` alone: the person's questions the team has not answered yet, and how to ask one."""
    how = _("Write your question after the command, for example: /team Is there parking at the venue?")
    rows = await QuestionRepository(ctx.session).open_of(ctx.user_id)
    if not rows:
        return Reply(how)
    lines = [_("<b>Your questions waiting for the team</b>")]
    lines += [
        _("{age} ago: “{text}”").format(age=_age(row.asked_at or row.created_at, ctx.now()), text=esc(row.text))
        for row in rows
    ]
    return Reply("\n".join([*lines, "", how]), personal=True)


def _age(asked: datetime, now: datetime) -> str:
    from babel.dates import format_timedelta

    return format_timedelta(now - asked, locale=current_locale(), threshold=1.0)


@router.command("questions", staff=True)
async def questions(ctx: Context) -> Reply:
    """Unanswered questions for the team, oldest first."""
    rows = await QuestionRepository(ctx.session).unanswered()
    if not rows:
        return Reply(_("No unanswered questions."))
    lines = [_("<b>Unanswered questions</b> (oldest first):")]
    for row in rows:
        lines.append(
            _("#{id} · {age} ago · {language} · {platform}").format(
                id=row.id,
                age=_age(row.asked_at or row.created_at, ctx.now()),
                language=LANGUAGE_NAMES.get(row.language, row.language),
                platform=esc(row.platform),
            )
        )
        lines.append(f"“{esc(row.text)}”")
    lines += ["", _("Answer with /answer ID followed by your answer.")]
    return Reply("\n".join(lines), personal=True)


def _answer_notice(question_text: str, answer: str) -> Reply:
    return Reply(
        "\n".join(
            [
                _("<b>The program team answered your question</b>"),
                f"<i>“{esc(question_text)}”</i>",
                "",
                esc(answer),
            ]
        ),
        buttons=[back_to_menu()],
    )


async def give_answer(
    session: AsyncSession, question_id: int, answer: str, *, answered_by: str, now: datetime, default_locale: str
) -> Question:
    """Record staff's answer and queue it for the participant in their language (one outbox row).

    Shared by `/answer`, `wego-bot questions answer` and the adapters (a staff reply to a forwarded question).
    """
    # Imported here: the outbox pulls in SQLAlchemy's asyncio layer, which `wego-bot ask` never needs.
    from storage.outbox import enqueue_for_user

    answer = answer.strip()
    if not answer:
        raise QuestionProblem(_("The answer is empty."))
    if len(answer) > MAX_ANSWER:
        raise QuestionProblem(_("Please keep the answer under {limit} characters.").format(limit=MAX_ANSWER))
    question = await QuestionRepository(session).get(question_id, lock=True)
    if question is None or question.asked_at is None:
        raise QuestionProblem(_("There is no question #{id}.").format(id=question_id))
    if question.answered_at is not None:
        raise QuestionProblem(
            _("Question #{id} was already answered by {who}.").format(id=question_id, who=esc(question.answered_by))
        )
    asker = await session.get(User, question.user_id)
    if asker is None or asker.deleted_at is not None:
        raise QuestionProblem(
            _("The person who asked question #{id} has deleted their data, so no answer can reach them.").format(
                id=question_id
            )
        )
    question.answer = answer
    question.answered_by = answered_by[:100]
    question.answered_at = now
    text = question.text
    await enqueue_for_user(
        session,
        question.user_id,
        lambda: _answer_notice(text, answer),
        kind="question.answer",
        ref_id=question.id,
        not_before=now,
        # Someone who never chose a language gets the answer in the one they asked in, not the bot's default.
        default_locale=question.language if question.language in LANGUAGES else default_locale,
    )
    return question


async def save_as_faq(session: AsyncSession, question_id: int, content_dir: Path, *, now: datetime) -> str:
    """Append an answered question to the staff FAQ file; returns the new entry's id."""
    question = await QuestionRepository(session).get(question_id, lock=True)
    if question is None or question.answer is None:
        raise QuestionProblem(_("Question #{id} has no answer to save yet.").format(id=question_id))
    if question.faq_id:
        raise QuestionProblem(
            _("Question #{id} is already saved as FAQ entry {entry}.").format(id=question_id, entry=question.faq_id)
        )
    entry_id = f"staff-{question.id}"
    try:
        save_staff_entry(
            content_dir,
            entry_id=entry_id,
            question=question.text,
            language=question.language,
            answer=question.answer,
            added_by=question.answered_by or "",
            now=now,
        )
    except (ContentError, OSError) as exc:
        raise QuestionProblem(_("The FAQ file could not be saved: {reason}").format(reason=esc(exc))) from exc
    question.faq_id = entry_id
    return entry_id


def _who(ctx: Context) -> str:
    return f"{ctx.event.platform}:{ctx.user.display_name or ctx.event.user_id}"


@router.command("answer", staff=True, args_hint="ID text")
async def answer(ctx: Context) -> Reply:
    """Answer a participant's question: /answer ID text."""
    head, _sep, text = ctx.text.partition(" ")
    if not is_number(head.lstrip("#")) or not text.strip():
        raise UserError(_("Write it as: /answer ID your answer (the ID is in /questions)."))
    question_id = int(head.lstrip("#"))
    try:
        question = await give_answer(
            ctx.session,
            question_id,
            text,
            answered_by=_who(ctx),
            now=ctx.now(),
            default_locale=ctx.settings.default_language,
        )
    except QuestionProblem as problem:
        raise UserError(str(problem)) from None
    user = await ctx.session.get(User, question.user_id)
    name = user.display_name if user else "?"
    return Reply(
        _("Answer to #{id} sent to {name}.").format(id=question_id, name=esc(name)),
        buttons=[[Button(_("Save as FAQ"), act("faq.save", question_id))]],
    )


@router.action("faq.save", staff=True)
async def save_pressed(ctx: Context) -> Reply:
    if len(ctx.args) != 1 or not is_number(ctx.args[0]):
        raise UserError(_("That button is no longer valid. Here is the menu again."), [back_to_menu()])
    try:
        entry_id = await save_as_faq(ctx.session, int(ctx.args[0]), ctx.settings.content_dir, now=ctx.now())
    except QuestionProblem as problem:
        raise UserError(str(problem)) from None
    return Reply(
        _("Saved as FAQ entry {entry}; I will answer this question myself from now on.").format(entry=entry_id)
    )
