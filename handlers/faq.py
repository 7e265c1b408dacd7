"""Free text: understood first (small talk, a live question, a question the documents do not answer, an FAQ
question), then answered from the right place; when unsure, the closest topics and how to ask the team.

This is the last free-text handler: whatever no other feature took is read here. Nothing typed here is
stored: a question reaches the program team only when the person sends it with /team.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import replace
from datetime import datetime, timedelta

from bot.content import Content
from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import StorageUnavailable, UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.faq.library import FaqLibrary
from bot.faq.live import LIVE_CERTIFICATE, LIVE_LECTURE, LIVE_NEXT, LIVE_PROGRESS, LIVE_WORKSHOP
from bot.faq.subjects import Subject
from bot.faq.text import MAX_READ
from bot.faq.understand import SMALLTALK, Understanding, lecture_by_topic, understand, warm
from bot.i18n import N_, _, use_locale
from bot.places.gazetteer import workshop_cities
from bot.settings import Settings
from bot.written_language import written_language
from handlers.menu import MENU, back_to_menu, command_button, main_menu

router = Router()

# A topic button shows the entry's first wording; long ones are cut so buttons stay readable.
TOPIC_LABEL_MAX = 60
# More free-text messages than this within RATE_WINDOW from one person get a "slow down" instead of an answer:
# matching runs on the shared event loop, and a script pasting messages would starve everyone else.
RATE_LIMIT = 10
RATE_WINDOW = timedelta(seconds=10)
# Messages longer than this are matched in a worker thread; shorter ones cost well under a millisecond.
OFF_LOOP = 100
# Enough of a message to tell the language it is written in; the rest of a pasted page adds nothing.
WRITTEN_SAMPLE = 500
# The FAQ entry answered when a workshop's live details are asked without the database (`wego-bot ask`).
DATES_ENTRY = "workshop-dates"

_SMALLTALK_REPLIES = {
    "greeting": N_(
        "Hello! I am the {program} assistant. Ask me about the course, the workshops or the award, "
        "or choose a topic below."
    ),
    "thanks": N_("You're welcome! Anything else? Choose a topic or ask me."),
    "bye": N_("Goodbye! Write to me any time."),
    "help": N_("Here is what I can help with. Choose a topic, or just type a question."),
    "menu": N_("Here is what I can help with. Choose a topic, or just type a question."),
    "restart": N_("Here is what I can help with. Choose a topic, or just type a question."),
    "who": N_(
        "I am the {program} assistant, a bot. I answer from the program's official information, take workshop "
        "sign-ups and keep track of your lectures. For anything else, the program team answers: send /team and "
        "your question."
    ),
    "ok": N_("Good. Anything else? Choose a topic or ask me."),
}


def _library(app_router: Router, settings: Settings, content: Content) -> FaqLibrary:
    """The app's FAQ library, built on first use and kept on the app's router."""
    found = app_router.state.get("faq")
    if not isinstance(found, FaqLibrary):
        cities = workshop_cities(content.workshops.workshops)
        found = FaqLibrary(settings.content_dir, content.faq, cache_dir=settings.data_dir / "cache", cities=cities)
        app_router.state["faq"] = found
    return found


def library(ctx: Context) -> FaqLibrary:
    return _library(ctx.router, ctx.settings, ctx.content)


def warm_up(router: Router, settings: Settings, content: Content) -> None:
    """Build (or read from disk) what the first question would otherwise wait for, before anyone asks: the running
    bot calls this in a worker thread at start, so the first free text does not stall the shared event loop."""
    faq = _library(router, settings, content)
    warm(faq.index(), faq.places)


def _action_buttons(ctx: Context, actions: list[str]) -> list[list[Button]]:
    labels = dict(MENU)
    buttons = [
        command_button(name, _(labels[name]) if name in labels else f"/{name}")
        for name in actions
        if name in ctx.router.commands and not (ctx.router.commands[name].staff and not ctx.is_staff)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def answer_reply(ctx: Context, entry_id: str) -> Reply:
    entry = library(ctx).get(entry_id)
    if entry is None:
        raise UserError(_("That topic is no longer in my answers. Here is the menu again."), [back_to_menu()])
    _lang, answer = entry.answer_in(ctx.locale, ctx.settings.default_language)
    buttons = _action_buttons(ctx, entry.actions)
    buttons.append(back_to_menu())
    return Reply(esc(answer), buttons=buttons)


def _label(text: str) -> str:
    return text if len(text) <= TOPIC_LABEL_MAX else text[: TOPIC_LABEL_MAX - 1].rstrip() + "…"


def _too_fast(ctx: Context) -> bool:
    """Counts this message; True when it is more than RATE_LIMIT within RATE_WINDOW from the same person."""
    now = ctx.now()
    # Per person, the times of their recent free-text messages, kept on the app's router like the library.
    table = ctx.router.state.get("faq.recent")
    if not isinstance(table, dict):
        table = ctx.router.state["faq.recent"] = {}
    recent: deque[datetime] = table.setdefault((ctx.event.platform, ctx.event.user_id), deque())
    while recent and now - recent[0] >= RATE_WINDOW:
        recent.popleft()
    recent.append(now)
    if len(table) > 10_000:
        # People who stopped typing long ago: forget them so the table stays small.
        for stale in [k for k, times in table.items() if not times or now - times[-1] >= RATE_WINDOW]:
            del table[stale]
    return len(recent) > RATE_LIMIT


def _team_line(ctx: Context) -> str:
    """How to hand this very question to the team: the /team command with the question already written."""
    return _("To ask the program team, send: <code>/team {question}</code>").format(question=esc(ctx.text[:MAX_READ]))


def _ask_button() -> list[Button]:
    return [Button(_("Ask the team"), act("faq.team"))]


async def _understand(ctx: Context) -> Understanding:
    faq = library(ctx)
    index, places, year = faq.index(), faq.places, ctx.content.program.year
    if len(ctx.text) > OFF_LOOP:
        return await asyncio.to_thread(understand, index, ctx.text, ctx.locale, places, year)
    return understand(index, ctx.text, ctx.locale, places, year)


@router.text
async def answer_question(ctx: Context) -> Reply | list[Reply]:
    if _too_fast(ctx):
        return Reply(
            _("You are sending messages faster than I can read them. Please wait a few seconds and try again.")
        )
    written = await _written_language(ctx)
    if written is None:
        return await _answer(ctx)
    with use_locale(written):
        found = await _answer(replace(ctx, user=replace(ctx.user, locale=written)))
    for reply in found if isinstance(found, list) else [found]:
        reply.lang = reply.lang or written
    return found


async def _written_language(ctx: Context) -> str | None:
    """The language the message is written in, when it can be told and is not the one the person would be
    answered in, unless they chose theirs: the answer follows what they write (an English Telegram app, a Discord
    server and the console tell nothing or the wrong thing). Where the platform gives no hint at all, it is kept
    for the messages sent to them later."""
    if ctx.user.chosen_locale is not None:
        return None
    written = written_language(ctx.text[:WRITTEN_SAMPLE])
    if written is None or written == ctx.locale:
        return None
    if ctx.event.locale_hint is None and ctx.uow is not None and ctx.user.user_id is not None:
        # Imported here: `wego-bot ask` answers free text without a database and must not load SQLAlchemy.
        from bot.services import users

        await users.note_written_language(ctx.uow, ctx.user.user_id, written)
    return written


async def _answer(ctx: Context) -> Reply | list[Reply]:
    understood = await _understand(ctx)
    if understood.label == SMALLTALK:
        if understood.smalltalk == "questions":
            # Imported here: `wego-bot ask` reads this module and must not load the database layer.
            from handlers.questions import open_questions

            return await open_questions(ctx)
        text = _(_SMALLTALK_REPLIES[understood.smalltalk or "help"]).format(program=esc(ctx.content.program.short_name))
        return Reply(text, buttons=main_menu(ctx))
    label = understood.label
    if label is not None and label.startswith("live:"):
        live = await _live_reply(ctx, label, understood.subject)
        if live is not None:
            return live
        if label == LIVE_WORKSHOP and library(ctx).get(DATES_ENTRY) is not None:
            return answer_reply(ctx, DATES_ENTRY)
    elif understood.entry is not None:
        return answer_reply(ctx, understood.entry.id)
    return _unsure(ctx, understood)


def _unsure(ctx: Context, understood: Understanding) -> Reply:
    team = _team_line(ctx)
    hits = understood.match.hits if understood.match is not None else ()
    # Gibberish is not near any entry at all: "I don't know" fits it better than "the documents do not say".
    if understood.earlier_edition:
        text = _("I answer about the {year} edition of the program only, so I will not mix in another year.").format(
            year=ctx.content.program.year
        )
        return Reply(text + "\n" + team, buttons=[_ask_button(), back_to_menu()])
    if understood.undocumented and (hits or understood.match is None):
        text = _("The program information does not say that, so I will not guess.")
        return Reply(text + "\n" + team, buttons=[_ask_button(), back_to_menu()])
    if not hits:
        text = _("I don't know the answer to that. Send /help to see what I can do.")
        return Reply(text + "\n" + team, buttons=[_ask_button(), back_to_menu()])
    rows = [
        [Button(_label(hit.entry.title_in(ctx.locale, ctx.settings.default_language)), act("faq.show", hit.entry.id))]
        for hit in hits
    ]
    rows.append(_ask_button())
    return Reply(_("I'm not sure I understood. Is it one of these?") + "\n" + team, buttons=rows)


async def _live_reply(ctx: Context, label: str, subject: Subject) -> Reply | list[Reply] | None:
    """The answer from the database and the content; None when it needs a database this process lacks."""
    if label == LIVE_LECTURE:
        return _lecture_reply(ctx, subject)
    if ctx.uow is None or ctx.user.user_id is None:
        if label == LIVE_WORKSHOP:
            return None  # the FAQ's dates entry answers instead
        # One's own progress or certificate: the dispatcher says this needs the chat, with its database.
        raise StorageUnavailable("a question about one's own records needs the database")
    # Imported here: this module also serves `wego-bot ask`, which runs without SQLAlchemy.
    if label == LIVE_WORKSHOP:
        from handlers.workshops import workshop_in_city

        return await workshop_in_city(ctx, subject.city)
    if label in (LIVE_PROGRESS, LIVE_NEXT):
        from handlers.progress import progress_view

        return await progress_view(ctx)
    if label == LIVE_CERTIFICATE:
        from handlers.certificates import certificate

        return await certificate(ctx)
    return None


def _lecture_reply(ctx: Context, subject: Subject) -> Reply:
    """A lecture named by its position in a part ("the last lecture of part 1", "2.3") or by its topic."""
    parts = ctx.content.lectures.parts
    lecture = None
    if subject.lecture is not None and subject.part is not None:
        part = next((p for p in parts if p.number == subject.part), None)
        if part is not None:
            listed = part.lecture_list()
            position = len(listed) if subject.lecture == -1 else subject.lecture
            lecture = listed[position - 1] if 1 <= position <= len(listed) else None
    if lecture is None:
        lecture = lecture_by_topic(ctx.content.all_lectures(), ctx.text[:MAX_READ])
    if lecture is None:
        return Reply(
            _("I could not tell which lecture you mean. Here are the parts of the course."),
            buttons=[[command_button("lectures", _("Lectures"))], back_to_menu()],
        )
    part_title = next(p.title for p in parts if p.number == lecture.part)
    text = _("Lecture {key}: “{title}”, in part {part}, “{part_title}”.").format(
        key=lecture.key, title=esc(lecture.title), part=lecture.part, part_title=esc(part_title)
    )
    buttons = [
        [Button(_("Done {key}").format(key=lecture.key), act("prog.done", lecture.key))],
        [Button(_("Part {number}").format(number=lecture.part), act("prog.part", lecture.part))],
        back_to_menu(),
    ]
    return Reply(text, buttons=buttons)


@router.action("faq.team")
async def team_pressed(ctx: Context) -> Reply:
    """The "Ask the team" button: how to send a question to the program team (nothing is sent by pressing)."""
    return Reply(_("Write your question after the command, for example: /team Is there parking at the venue?"))


@router.action("faq.show")
async def show(ctx: Context) -> Reply:
    if len(ctx.args) != 1:
        raise UserError(_("That button is no longer valid. Here is the menu again."), [back_to_menu()])
    return answer_reply(ctx, ctx.args[0])
