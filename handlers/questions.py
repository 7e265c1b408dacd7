"""A human behind the bot: questions handed to staff, and staff's answers sent back to the participant."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content import ContentError
from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.core.text import is_number, parse_id
from bot.faq.library import save_staff_entry
from bot.i18n import LANGUAGE_NAMES, _, current_locale, format_moment, ngettext
from bot.settings import LANGUAGES
from handlers.menu import back_to_menu
from storage.models import Question, User
from storage.questions import QuestionRepository

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.reachability import Reach

router = Router()

MAX_QUESTION = 1000
MAX_ANSWER = 3000


class QuestionProblem(Exception):
    """A staff answer that cannot be given; the message is already translated."""


def _thanks(ctx: Context) -> Reply:
    # Asked in a server or a group, the answer still comes to the person alone, never to where they asked.
    if ctx.event.private:
        text = _("Thank you! I passed your question to the program team. Their answer will come here.")
    else:
        text = _(
            "Thank you! I passed your question to the program team. Their answer will come to you in a private message."
        )
    return Reply(text, buttons=[back_to_menu()], personal=True)


@router.action("faq.ask")
async def ask_pressed(ctx: Context) -> Reply:
    """The "Ask the team" button under an unsure answer: the draft question becomes a question for staff."""
    question_id = parse_id(ctx.args[0]) if len(ctx.args) == 1 else None
    question = await QuestionRepository(ctx.session).get(question_id, lock=True) if question_id else None
    if question is None or question.user_id != ctx.user_id:
        raise UserError(_("That button is no longer valid. Here is the menu again."), [back_to_menu()])
    if question.asked_at is not None:
        return Reply(_("You already asked the team this question; their answer will come here."))
    question.asked_at = ctx.now()
    return _thanks(ctx)


@router.command("team", args_hint="question")
async def team(ctx: Context) -> Reply:
    """Ask the program team a question directly."""
    text = ctx.text.strip()
    if not text:
        return await _open_questions(ctx)
    if len(text) > MAX_QUESTION:
        raise UserError(_("Please keep your question under {limit} characters.").format(limit=MAX_QUESTION))
    per_day = ctx.settings.team_questions_per_day
    until = await QuestionRepository(ctx.session).next_question_allowed(ctx.user_id, ctx.now(), per_day)
    if until is not None:
        raise UserError(
            ngettext(
                "You have asked the team {n} question in the last 24 hours, as many as I can pass on for now.",
                "You have asked the team {n} questions in the last 24 hours, as many as I can pass on for now.",
                per_day,
            ).format(n=per_day)
            + " "
            + _("You can ask again at {time}. Nothing was sent.").format(time=format_moment(until, ctx.zone))
        )
    await QuestionRepository(ctx.session).add(
        user_id=ctx.user_id, text=text, language=ctx.locale, platform=ctx.event.platform, now=ctx.now(), asked=True
    )
    return _thanks(ctx)


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


@dataclass(frozen=True, slots=True)
class Answered:
    question: Question
    # How the answer reaches the person: on its way now, once they open a private chat, or not at all.
    reach: Reach


async def give_answer(
    session: AsyncSession,
    question_id: int,
    answer: str,
    *,
    answered_by: str,
    now: datetime,
    default_locale: str,
    answered_by_user_id: int | None = None,
) -> Answered:
    """Record staff's answer and queue it for the participant in their language (one outbox row).

    Shared by `/answer`, `wego-bot questions answer` and the adapters (a staff reply to a forwarded question).
    `answered_by_user_id` (the staff participant) is told later if the answer cannot be delivered.
    """
    # Imported here: the outbox pulls in SQLAlchemy's asyncio layer, which `wego-bot ask` never needs.
    from storage.outbox import enqueue_for_user
    from storage.reachability import reach_of

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
    question.answered_by_user_id = answered_by_user_id
    question.answered_at = now
    text = question.text
    reach = await reach_of(session, question.user_id)
    if reach != "never":
        # Kept while they have no private chat yet (a Telegram user who only wrote in a group): it goes out when
        # they open one. With every account refusing us, staff are told at once instead.
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
    return Answered(question, reach)


def answer_confirmation(question_id: int, name: str, reach: Reach) -> str:
    """What staff are told after answering: never "sent" for a message that cannot arrive."""
    if reach == "now":
        return _("Answer to #{id} is on its way to {name}. If it cannot be delivered, I will tell you.").format(
            id=question_id, name=esc(name)
        )
    if reach == "later":
        return _(
            "Answer to #{id} is saved for {name}. It will reach them when they open a private chat with the bot."
        ).format(id=question_id, name=esc(name))
    return _(
        "Answer to #{id} is saved, but it could not be delivered: {name} cannot be reached "
        "(they closed direct messages or blocked the bot)."
    ).format(id=question_id, name=esc(name))


def _undelivered_notice(question_id: int, name: str, status: str) -> Reply:
    reason = (
        _("they cannot be reached (direct messages closed or the bot blocked)")
        if status == "unreachable"
        else _("the platform refused the message")
    )
    return Reply(
        _("⚠️ Your answer to question #{id} could not be delivered to {name}: {reason}.").format(
            id=question_id, name=esc(name), reason=reason
        )
    )


async def tell_staff_undelivered(
    session: AsyncSession, ended: dict[int, str], *, now: datetime, default_locale: str
) -> None:
    """The delivery of answers to these questions ended without reaching the person (question id → status):
    the staff member who answered each is told, in their own language."""
    from storage.outbox import enqueue_for_user

    for question_id, status in sorted(ended.items()):
        question = await session.get(Question, question_id)
        if question is None or question.answered_by_user_id is None:
            continue
        asker = await session.get(User, question.user_id)
        name = asker.display_name if asker is not None else "?"
        await enqueue_for_user(
            session,
            question.answered_by_user_id,
            functools.partial(_undelivered_notice, question_id, name, status),
            kind="question.undelivered",
            ref_id=question_id,
            not_before=now,
            default_locale=default_locale,
        )


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
    if not is_number(head.removeprefix("#")) or not text.strip():
        raise UserError(_("Write it as: /answer ID your answer (the ID is in /questions)."))
    question_id = parse_id(head)
    if question_id is None:
        # A number no row can have is simply not a question.
        raise UserError(_("There is no question #{id}.").format(id=esc(head.removeprefix("#")[:20])))
    try:
        answered = await give_answer(
            ctx.session,
            question_id,
            text,
            answered_by=_who(ctx),
            answered_by_user_id=ctx.user_id,
            now=ctx.now(),
            default_locale=ctx.settings.default_language,
        )
    except QuestionProblem as problem:
        raise UserError(str(problem)) from None
    user = await ctx.session.get(User, answered.question.user_id)
    name = user.display_name if user else "?"
    return Reply(
        answer_confirmation(question_id, name, answered.reach),
        buttons=[[Button(_("Save as FAQ"), act("faq.save", question_id))]],
    )


@router.action("faq.save", staff=True)
async def save_pressed(ctx: Context) -> Reply:
    question_id = parse_id(ctx.args[0]) if len(ctx.args) == 1 else None
    if question_id is None:
        raise UserError(_("That button is no longer valid. Here is the menu again."), [back_to_menu()])
    try:
        entry_id = await save_as_faq(ctx.session, question_id, ctx.settings.content_dir, now=ctx.now())
    except QuestionProblem as problem:
        raise UserError(str(problem)) from None
    return Reply(
        _("Saved as FAQ entry {entry}; I will answer this question myself from now on.").format(entry=entry_id)
    )
