"""Free text: answered from the FAQ when the match is clear; otherwise the closest topics and "Ask the team".

This is the last free-text handler: whatever no other feature took is a question.
"""

from __future__ import annotations

from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.faq.library import FaqLibrary, library_for
from bot.i18n import _
from handlers.menu import MENU, back_to_menu, command_button

router = Router()

# A topic button shows the entry's first wording; long ones are cut so buttons stay readable.
TOPIC_LABEL_MAX = 60


def library(ctx: Context) -> FaqLibrary:
    return library_for(ctx.settings.content_dir, ctx.content.faq, cache_dir=ctx.settings.data_dir / "cache")


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


async def _ask_button(ctx: Context, text: str) -> list[Button]:
    """The "Ask the team" button; the question is kept as a draft so the button can carry its id."""
    if ctx.uow is None:
        return []
    from storage.questions import QuestionRepository

    draft = await QuestionRepository(ctx.session).add(
        user_id=ctx.user_id,
        text=text,
        language=ctx.locale,
        platform=ctx.event.platform,
        now=ctx.now(),
        asked=False,
    )
    return [Button(_("Ask the team"), act("faq.ask", draft.id))]


@router.text
async def answer_question(ctx: Context) -> Reply:
    match = library(ctx).index().match(ctx.text, ctx.locale)
    if match.best is not None:
        return answer_reply(ctx, match.best.id)
    ask = await _ask_button(ctx, ctx.text)
    if not match.hits:
        text = _("I don't know the answer to that. The team can answer it, or send /help to see what I can do.")
        return Reply(text, buttons=[ask, back_to_menu()] if ask else [back_to_menu()])
    rows = [
        [Button(_label(hit.entry.title_in(ctx.locale, ctx.settings.default_language)), act("faq.show", hit.entry.id))]
        for hit in match.hits
    ]
    if ask:
        rows.append(ask)
    return Reply(_("I'm not sure I understood. Is it one of these? Or ask the team."), buttons=rows)


@router.action("faq.show")
async def show(ctx: Context) -> Reply:
    if len(ctx.args) != 1:
        raise UserError(_("That button is no longer valid. Here is the menu again."), [back_to_menu()])
    return answer_reply(ctx, ctx.args[0])
