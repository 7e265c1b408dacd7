"""Welcome, help, the main menu and the language picker."""

from __future__ import annotations

from bot.core.actions import CHOOSE_LANGUAGE, DEEP_LINK_SEPARATOR, RUN_COMMAND, SHOW_MENU, act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Route, Router
from bot.i18n import LANGUAGE_NAMES, _, set_locale
from bot.settings import LANGUAGES
from handlers.menu import main_menu

router = Router()
# `t.me/<bot>?start=cmd_progress` runs /progress in the private chat (a group answer links there).
router.deep_link(RUN_COMMAND, RUN_COMMAND)


@router.command("start")
async def start(ctx: Context) -> Reply | list[Reply] | None:
    """Welcome and the main menu."""
    payload = ctx.text.strip()
    if payload:
        prefix, _sep, rest = payload.partition(DEEP_LINK_SEPARATOR)
        action = ctx.router.deep_links.get(prefix)
        route = ctx.router.actions.get(action) if action else None
        if route is None or not rest:
            raise UserError(_("That link is not valid any more. Here is the main menu."), main_menu(ctx))
        ctx.args = tuple(rest.split(DEEP_LINK_SEPARATOR))
        return await _run(ctx, route)
    program = ctx.content.program
    name = esc(ctx.user.display_name) if ctx.user.display_name else ""
    greeting = _("Hello, {name}!").format(name=name) if name else _("Hello!")
    text = "\n".join(
        [
            f"<b>{greeting}</b>",
            _("I am the assistant of {program}, the free online course, workshops and award of {organizer}.").format(
                program=esc(program.name), organizer=esc(program.organizer)
            ),
            _("Choose a topic below, ask me a question, or send /help for all commands."),
        ]
    )
    return Reply(text, buttons=main_menu(ctx))


@router.command("help")
async def help_(ctx: Context) -> Reply:
    """List the commands."""
    lines = ["<b>" + _("What I can do") + "</b>"]
    for route in ctx.router.visible_commands(staff=False):
        if not route.staff:
            lines.append(f"/{route.name} — {_(route.help)}")
    if ctx.is_staff:
        staff = [r for r in ctx.router.visible_commands(staff=True) if r.staff]
        if staff:
            lines += ["", "<b>" + _("Staff commands") + "</b>"]
            lines += [f"/{route.name} — {_(route.help)}" for route in staff]
    lines += ["", _("You can also just type a question.")]
    return Reply("\n".join(lines), buttons=main_menu(ctx))


@router.action(SHOW_MENU)
async def menu(ctx: Context) -> Reply:
    return Reply(_("What would you like to know?"), buttons=main_menu(ctx), edit=True)


@router.action(RUN_COMMAND)
async def run_command(ctx: Context) -> Reply | list[Reply] | None:
    """A menu button: runs the command it names, with the same staff check as typing it."""
    route = ctx.router.commands.get(ctx.args[0]) if len(ctx.args) == 1 else None
    if route is None:
        raise UserError(_("That button is no longer valid. Here is the menu again."), main_menu(ctx))
    ctx.args = ()
    return await _run(ctx, route)


async def _run(ctx: Context, route: Route) -> Reply | list[Reply] | None:
    """A route reached another way than typing it (a menu button, a deep link): the same staff check."""
    if route.staff and not ctx.is_staff:
        raise UserError(_("That is only for the program staff."))
    return await route.handler(ctx)


def _language_buttons() -> list[list[Button]]:
    buttons = [Button(LANGUAGE_NAMES[code], act(CHOOSE_LANGUAGE, code)) for code in LANGUAGES]
    return [buttons[i : i + 4] for i in range(0, len(buttons), 4)]


async def _choose_language(ctx: Context, code: str) -> Reply:
    code = code.strip().lower()
    if code not in LANGUAGES:
        raise UserError(
            _("I don't know the language code “{code}”. Choose one of: {codes}.").format(
                code=esc(code[:20]), codes=", ".join(LANGUAGES)
            ),
            _language_buttons(),
        )
    from bot.services import users  # not at import: `wego-bot ask` loads the chat without a database

    await users.choose_language(ctx.unit_of_work, ctx.user_id, code)
    set_locale(code)
    return Reply(
        _("From now on I will answer in {language}.").format(language=LANGUAGE_NAMES[code]),
        buttons=main_menu(ctx),
        edit=True,
    )


@router.command("language", args_hint="xx")
async def language(ctx: Context) -> Reply:
    """Choose the language I answer in."""
    if ctx.text:
        return await _choose_language(ctx, ctx.text)
    return Reply(_("Which language should I use?"), buttons=_language_buttons())


@router.action(CHOOSE_LANGUAGE)
async def language_pressed(ctx: Context) -> Reply:
    if len(ctx.args) != 1:
        raise UserError(_("That button is no longer valid. Here is the menu again."), main_menu(ctx))
    return await _choose_language(ctx, ctx.args[0])
