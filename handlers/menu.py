"""The main menu: buttons that run commands, shown only for commands that exist."""

from __future__ import annotations

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


def main_menu(ctx: Context, *, per_row: int = 2) -> list[list[Button]]:
    buttons = [command_button(cmd, _(label)) for cmd, label in MENU if cmd in ctx.router.commands]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def back_to_menu() -> list[Button]:
    return [Button(_("Main menu"), act(SHOW_MENU))]
