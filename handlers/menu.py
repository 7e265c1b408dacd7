"""The main menu: buttons that run commands, shown only for commands that exist."""

from __future__ import annotations

from bot import i18n
from bot.core.actions import RUN_COMMAND, SHOW_MENU, act
from bot.core.context import Context
from bot.core.replies import Button
from bot.i18n import N_, _

# (command, label) in the order people look for them.
MENU: tuple[tuple[str, str], ...] = (
    ("program", N_("About the program")),
    ("lectures", N_("Lectures")),
    ("workshops", N_("Workshops")),
    ("progress", N_("My progress")),
    ("award", N_("Global Youth Award")),
    ("certificate", N_("Certificates")),
    ("contact", N_("Contact")),
    ("language", N_("Language")),
)


def command_button(command: str, label: str) -> Button:
    return Button(label, act(RUN_COMMAND, command))


# The menus made so far, by the catalog their labels were translated with (the one `_` reads now: a test may
# swap the catalogs), the row width and the commands shown. Buttons are frozen values; each menu handed out is a
# new list of new rows, so a caller that adds a row changes only its own. Emptied when it grows past a bound.
_MENUS: dict[tuple[object, int, tuple[str, ...]], tuple[tuple[Button, ...], ...]] = {}
_MENUS_KEPT = 64


def main_menu(ctx: Context, *, per_row: int = 2) -> list[list[Button]]:
    # Shown for every /help, /start and menu press: made once per language rather than translated anew each time.
    commands = ctx.router.commands
    shown = tuple(cmd for cmd, _label in MENU if cmd in commands)
    key = (i18n.translations(i18n.current_locale()), per_row, shown)
    rows = _MENUS.get(key)
    if rows is None:
        buttons = [command_button(cmd, _(label)) for cmd, label in MENU if cmd in commands]
        rows = tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
        if len(_MENUS) >= _MENUS_KEPT:
            _MENUS.clear()
        _MENUS[key] = rows
    return [list(row) for row in rows]


def back_to_menu() -> list[Button]:
    return [Button(_("Main menu"), act(SHOW_MENU))]
