"""A real app and a real discord.py client, offline; a tiny Italian catalog so language switches are visible."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

import bot.i18n
from bot.app import App, build_app
from bot.core.context import Context
from bot.core.replies import Reply
from bot.core.router import Router
from tests.adapters.discord.harness import GUILD_ID, STAFF_CHANNEL_ID, STAFF_ROLE_ID, DiscordHarness, running
from tests.conftest import FrozenClock, make_settings

ITALIAN = {
    "Welcome and the main menu.": "Benvenuto e menu principale.",
    "Hello, {name}!": "Ciao, {name}!",
    "From now on I will answer in {language}.": "Da ora in poi risponderò in {language}.",
    "That is only for the program staff.": "Solo per lo staff del programma.",
}

# A staff command that answers at once, for the staff checks.
test_router = Router()


@test_router.command("roster", staff=True)
async def roster(ctx: Context) -> Reply:
    """Staff only: who is registered."""
    return Reply("<b>Roster</b>: 0 people")


@pytest.fixture
def locales_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "locales"
    catalog = Catalog(locale="it")
    for source, translated in ITALIAN.items():
        catalog.add(source, translated)
    target = root / "it" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    original = bot.i18n.translations

    def translations(lang: str, locales_dir: Path = root) -> Any:
        return original(lang, locales_dir)

    monkeypatch.setattr(bot.i18n, "translations", translations)
    return root


@pytest.fixture
async def discord_app(tmp_path: Path, clock: FrozenClock, locales_dir: Path) -> AsyncIterator[App]:
    settings = make_settings(
        tmp_path,
        discord_guild_id=str(GUILD_ID),
        discord_staff_role_id=str(STAFF_ROLE_ID),
        staff_discord_ids=["800000000000000099"],
        discord_staff_channel_id=str(STAFF_CHANNEL_ID),
    )
    application = await build_app(settings, clock=clock)
    application.router.include(test_router)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
async def harness(
    discord_app: App, locales_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscordHarness]:
    async with running(discord_app, monkeypatch, locales_dir=locales_dir) as rig:
        yield rig


@pytest.fixture
async def global_harness(
    tmp_path: Path, clock: FrozenClock, locales_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscordHarness]:
    """No server configured: commands are global, so they also work in a DM with the bot."""
    app = await build_app(make_settings(tmp_path), clock=clock)
    try:
        async with running(app, monkeypatch, locales_dir=locales_dir) as rig:
            yield rig
    finally:
        await app.close()
