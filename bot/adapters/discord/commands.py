"""Slash commands built from the router, and their descriptions translated from our Babel catalogs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation, locale_str

from bot.core.router import Route, Router
from bot.i18n import LOCALES_DIR, N_, normalize_language, translations

MAX_DESCRIPTION = 100
TEXT_OPTION = "text"
TEXT_OPTION_HELP = N_("Optional: what to add after the command, e.g. a code or a question")

# Only descriptions are translated: a translated command name would have to follow Discord's name rules in every
# script, and /help lists the commands by their one name in every language.
TRANSLATED = frozenset(
    {TranslationContextLocation.command_description, TranslationContextLocation.parameter_description}
)

CommandRunner = Callable[[discord.Interaction[Any], Route, str], Awaitable[None]]


def language_of(locale: discord.Locale) -> str | None:
    """Our program language for a Discord locale (en-US → en, zh-TW → zh); None where we have none.

    Discord has no Arabic locale: Arabic speakers arrive with another locale and choose with /language.
    """
    return normalize_language(locale.value)


class BabelTranslator(app_commands.Translator):
    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self.locales_dir = locales_dir

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        if context.location not in TRANSLATED:
            return None
        lang = language_of(locale)
        if lang is None or lang == "en":
            return None
        translated = translations(lang, self.locales_dir).gettext(string.message)
        # Untranslated: Discord then shows the default (English) description.
        return translated[:MAX_DESCRIPTION] if translated != string.message else None


def _description(route: Route) -> str:
    help_text = route.help or route.name
    if len(help_text) <= MAX_DESCRIPTION:
        return help_text
    return help_text[: MAX_DESCRIPTION - 1] + "…"


def make_command(route: Route, run: CommandRunner) -> app_commands.Command[Any, ..., None]:
    """`/name [text]`: every command takes the same optional text, as typed after it in the other doors."""

    @app_commands.describe(text=locale_str(TEXT_OPTION_HELP))
    async def callback(interaction: discord.Interaction[Any], text: str | None = None) -> None:
        await run(interaction, route, text or "")

    # The English help string is the msgid, so the translator finds it in the catalogs as it is.
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=route.name, description=locale_str(_description(route)), callback=callback
    )
    if route.staff:
        # Discord reads an empty permission set (0) as administrators only: members do not see staff commands
        # until a server admin allows the staff role (README, Discord set-up). The dispatcher still checks staff.
        command.default_permissions = discord.Permissions.none()
    return command


def register_commands(
    tree: app_commands.CommandTree[Any], router: Router, run: CommandRunner, *, guild: discord.abc.Snowflake | None
) -> list[str]:
    """Add a slash command for every listed router command; unlisted ones are kept out of menus everywhere."""
    names = []
    for route in router.commands.values():
        if not route.listed:
            continue
        tree.add_command(make_command(route, run), guild=guild, override=True)
        names.append(route.name)
    return names
