"""A human behind the bot: questions handed to staff, and staff's answers sent back to the participant.

The use cases are in bot/services/questions.py; here the chat is parsed and the typed outcomes are worded."""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import SHOW_MENU, act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.core.text import is_number, parse_id
from bot.domain import questions as rules
from bot.domain.statuses import DeliveryStatus
from bot.i18n import LANGUAGE_NAMES, _, current_locale, format_moment, ngettext, use_locale
from bot.services import questions as service
from bot.settings import LANGUAGES
from handlers.menu import back_to_menu

router = Router()


def refusal_text(refusal: rules.QuestionRefused, zone: str = "UTC") -> str:
    """The one wording of every refusal, for the chat and the CLI alike (times shown in `zone`)."""
    match refusal:
        case rules.QuestionEmpty():
            return _("Write your question after the command, for example: /team Is there parking at the venue?")
        case rules.QuestionTooLong(limit=limit):
            return _("Please keep your question under {limit} characters.").format(limit=limit)
        case rules.TooManyQuestions(per_day=per_day, until=until):
            return (
                ngettext(
                    "You have asked the team {n} question in the last 24 hours, as many as I can pass on for now.",
                    "You have asked the team {n} questions in the last 24 hours, as many as I can pass on for now.",
                    per_day,
                ).format(n=per_day)
                + " "
                + _("You can ask again at {time}. Nothing was sent.").format(time=format_moment(until, zone))
            )
        case rules.AlreadyAsked():
            return _("You already asked the team this question; their answer will come here.")
        case rules.AnswerEmpty():
            return _("The answer is empty.")
        case rules.AnswerTooLong(limit=limit):
            return _("Please keep the answer under {limit} characters.").format(limit=limit)
        case rules.NoSuchQuestion(question_id=question_id):
            return _("There is no question #{id}.").format(id=question_id)
        case rules.AlreadyAnswered(question_id=question_id, answered_by=who):
            return _("Question #{id} was already answered by {who}.").format(id=question_id, who=esc(who))
        case rules.AskerGone(question_id=question_id):
            return _("The person who asked question #{id} has deleted their data, so no answer can reach them.").format(
                id=question_id
            )
        case rules.NotAnsweredYet(question_id=question_id):
            return _("Question #{id} has no answer to save yet.").format(id=question_id)
        case rules.AlreadySaved(question_id=question_id, entry_id=entry):
            return _("Question #{id} is already saved as FAQ entry {entry}.").format(id=question_id, entry=entry)
        case rules.FaqNotSaved(reason=reason):
            return _("The FAQ file could not be saved: {reason}").format(reason=esc(reason))
    raise AssertionError(f"unworded refusal {refusal!r}")


def _thanks(ctx: Context) -> Reply:
    # Asked in a server or a group, the answer still comes to the person alone, never to where they asked.
    if ctx.event.private:
        text = _("Thank you! I passed your question to the program team. Their answer will come here.")
    else:
        text = _(
            "Thank you! I passed your question to the program team. Their answer will come to you in a private message."
        )
    return Reply(text, buttons=[back_to_menu()], personal=True)


def _invalid_button() -> UserError:
    return UserError(_("That button is no longer valid. Here is the menu again."), [back_to_menu()])


@router.action("faq.ask")
async def ask_pressed(ctx: Context) -> Reply:
    """The "Ask the team" button under an unsure answer: the draft question becomes a question for staff."""
    question_id = parse_id(ctx.args[0]) if len(ctx.args) == 1 else None
    if question_id is None:
        raise _invalid_button()
    try:
        await service.ask_drafted(ctx.unit_of_work, ctx.user_id, question_id, now=ctx.now())
    except rules.NoSuchQuestion:
        raise _invalid_button() from None
    except rules.AlreadyAsked as refusal:
        return Reply(refusal_text(refusal))
    return _thanks(ctx)


@router.command("team", args_hint="question")
async def team(ctx: Context) -> Reply:
    """Ask the program team a question directly."""
    if not ctx.text.strip():
        return await open_questions(ctx)
    try:
        await service.ask_team(
            ctx.unit_of_work,
            ctx.user_id,
            ctx.text,
            language=ctx.locale,
            platform=ctx.event.platform,
            now=ctx.now(),
            per_day=ctx.settings.team_questions_per_day,
        )
    except rules.QuestionRefused as refusal:
        raise UserError(refusal_text(refusal, ctx.zone)) from None
    return _thanks(ctx)


async def open_questions(ctx: Context) -> Reply:
    """`/team` alone, or "my questions" typed: the person's questions the team has not answered yet, and how to ask
    one."""
    how = refusal_text(rules.QuestionEmpty())
    rows = await service.open_questions(ctx.unit_of_work, ctx.user_id)
    if not rows:
        return Reply(how)
    lines = [_("<b>Your questions waiting for the team</b>")]
    lines += [_("{ago}: “{text}”").format(ago=_ago(row.asked_at, ctx.now()), text=esc(row.text)) for row in rows]
    return Reply("\n".join([*lines, "", how]), personal=True)


def _ago(asked: datetime, now: datetime) -> str:
    """ "2 hours ago" as the language says it (CLDR's relative time: "vor 2 Stunden", "قبل ساعتين", "2小时前"); a
    duration put in a sentence of our own would miss the grammar ("منذ ساعتان")."""
    from babel.dates import format_timedelta

    return format_timedelta(asked - now, add_direction=True, locale=current_locale(), threshold=1.0)


@router.command("questions", staff=True)
async def questions(ctx: Context) -> Reply:
    """Unanswered questions for the team, oldest first."""
    rows = await service.unanswered(ctx.unit_of_work)
    if not rows:
        return Reply(_("No unanswered questions."))
    lines = [_("<b>Unanswered questions</b> (oldest first):")]
    for row in rows:
        heading = _("#{id} · {ago} · {language} · {platform}").format(
            id=row.id,
            ago=_ago(row.asked_at, ctx.now()),
            language=LANGUAGE_NAMES.get(row.language, row.language),
            platform=esc(row.platform),
        )
        # Who asked, so staff can tell one person's three questions from three people's.
        lines.append(f"{heading} · {esc(row.asked_by)}" if row.asked_by else heading)
        lines.append(f"“{esc(row.text)}”")
    lines += ["", _("Answer with /answer ID followed by your answer.")]
    return Reply("\n".join(lines), personal=True)


def answer_confirmation(question_id: int, name: str, reach: str) -> str:
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
        answered = await service.answer(
            ctx.unit_of_work,
            question_id,
            text,
            answered_by=_who(ctx),
            answered_by_user_id=ctx.user_id,
            now=ctx.now(),
            default_locale=ctx.settings.default_language,
            languages=LANGUAGES,
            write=answer_notice,
        )
    except rules.QuestionRefused as refusal:
        raise UserError(refusal_text(refusal)) from None
    return Reply(
        answer_confirmation(question_id, answered.asker_name, answered.reach),
        buttons=[[Button(_("Save as FAQ"), act("faq.save", question_id))]],
    )


@router.action("faq.save", staff=True)
async def save_pressed(ctx: Context) -> Reply:
    question_id = parse_id(ctx.args[0]) if len(ctx.args) == 1 else None
    if question_id is None:
        raise _invalid_button()
    try:
        entry_id = await service.save_as_faq(ctx.unit_of_work, question_id, ctx.settings.content_dir, now=ctx.now())
    except rules.QuestionRefused as refusal:
        raise UserError(refusal_text(refusal)) from None
    return Reply(
        _("Saved as FAQ entry {entry}; I will answer this question myself from now on.").format(entry=entry_id)
    )


# -- what the questions service queues (its AnswerWriter and UndeliveredWriter) -----------------------------------


def answer_notice(question_text: str, answer: str, language: str) -> Reply:
    """Staff's answer as the asker reads it, under their question."""
    with use_locale(language):
        return Reply(
            "\n".join(
                [_("<b>The program team answered your question</b>"), f"<i>“{esc(question_text)}”</i>", "", esc(answer)]
            ),
            buttons=[[Button(_("Main menu"), act(SHOW_MENU))]],
        )


def undelivered_notice(question_id: int, name: str, status: DeliveryStatus, language: str) -> Reply:
    """Told to the staff member who answered, when the answer could not reach the person."""
    with use_locale(language):
        reason = (
            _("they cannot be reached (direct messages closed or the bot blocked)")
            if status is DeliveryStatus.UNREACHABLE
            else _("the platform refused the message")
        )
        return Reply(
            _("⚠️ Your answer to question #{id} could not be delivered to {name}: {reason}.").format(
                id=question_id, name=esc(name), reason=reason
            )
        )
