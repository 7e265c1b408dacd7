"""The Discord door: the client's life (log in, the gateway, slash commands, stop) and what it offers the clock.

Each other job has its module: interactions.py (events in, answers out), direct.py (files by DM), calendar.py (the
Events tab), announce.py (the announcement channel), staff_inbox.py (the staff channel), messenger.py (the outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.announce import DiscordAnnouncer
from bot.adapters.discord.calendar import DiscordCalendar
from bot.adapters.discord.commands import BabelTranslator, register_commands
from bot.adapters.discord.interactions import Interactions
from bot.adapters.discord.messenger import NO_MENTIONS, DiscordMessenger
from bot.adapters.discord.render import ActionButton, ActionSelect
from bot.adapters.discord.staff_inbox import AnswerButton, DiscordStaffInbox
from bot.app import App
from bot.core.text import is_number
from bot.i18n import LOCALES_DIR

log = logging.getLogger(__name__)

# A rate limit longer than this is not waited out inside a request: the caller gets `retry` and moves on.
# discord.py accepts no less than 30 s here.
MAX_RATELIMIT_WAIT = 30.0


def intents() -> discord.Intents:
    """Guilds only: interactions arrive whatever the intents, and no feature reads message content or members."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    return chosen


class WegoClient(discord.Client):
    # Set by the door; found by the dynamic items discord.py builds on a press (interactions.interactions_of).
    interactions: Interactions

    def __init__(self, door: DiscordDoor, *, sync_commands: bool = True) -> None:
        super().__init__(intents=intents(), max_ratelimit_timeout=MAX_RATELIMIT_WAIT, allowed_mentions=NO_MENTIONS)
        self.door = door
        self.sync_commands = sync_commands
        self.tree: app_commands.CommandTree[WegoClient] = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        await self.door.prepare()
        if self.sync_commands:
            await self.door.sync_commands()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self.interactions.on_any_interaction(interaction)

    async def on_ready(self) -> None:
        await self.door.on_ready()


class DiscordDoor:
    """The `Door` of bot/core/ports.py for Discord."""

    def __init__(self, app: App, *, locales_dir: Path | None = None, sync_commands: bool = True) -> None:
        self.app = app
        self.settings = app.settings
        self.locales_dir = locales_dir or LOCALES_DIR
        self.client = WegoClient(self, sync_commands=sync_commands)
        self.messenger = DiscordMessenger(self.client)
        self.interactions = self.client.interactions = Interactions(app, self.messenger)
        self._task: asyncio.Task[None] | None = None
        self._prepared = False
        self._ready = False
        settings = self.settings
        guild = self.guild
        # The Events tab follows the workshops when the bot serves one server.
        self.calendar = DiscordCalendar(app, self.client, guild) if guild is not None and app.storage else None
        self.staff_inbox = (
            DiscordStaffInbox(self.client, int(settings.discord_staff_channel_id), language=settings.default_language)
            if is_number(settings.discord_staff_channel_id)
            else None
        )
        self.announcer = (
            DiscordAnnouncer(self.client, int(settings.discord_announcement_channel_id))
            if is_number(settings.discord_announcement_channel_id)
            else None
        )

    @property
    def guild(self) -> discord.Object | None:
        guild_id = self.settings.discord_guild_id
        return discord.Object(id=int(guild_id)) if is_number(guild_id) else None

    async def prepare(self) -> None:
        """Translator, restart-safe components and slash commands; no network."""
        if self._prepared:
            return
        self._prepared = True
        await self.client.tree.set_translator(BabelTranslator(self.locales_dir))
        self.client.add_dynamic_items(ActionButton, ActionSelect, AnswerButton)
        register_commands(self.client.tree, self.app.router, self.interactions.on_command, guild=self.guild)

    async def sync_commands(self) -> None:
        """Commands to the configured server (instant) or globally (Discord may take a while to show them)."""
        synced = await self.client.tree.sync(guild=self.guild)
        log.info("discord: %d slash commands synced %s", len(synced), "to the server" if self.guild else "globally")

    async def start(self) -> None:
        """Log in (fails fast on a bad token), then keep the gateway connection in a task of this loop."""
        await self.client.login(self.settings.discord_token.get_secret_value())
        self._task = asyncio.create_task(self.client.connect(), name="discord-gateway")
        self._task.add_done_callback(self._gateway_ended)

    @staticmethod
    def _gateway_ended(task: asyncio.Task[None]) -> None:
        # connect() reconnects by itself; it only returns or raises for good (closed, bad intents, bad token).
        if not task.cancelled() and task.exception() is not None:
            log.error("discord: the gateway connection ended", exc_info=task.exception())

    async def stop(self) -> None:
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
                await self._task
            self._task = None

    async def on_ready(self) -> None:
        # Once per process (on_ready comes again after each reconnect): events missed while the bot was down.
        if self._ready or self.calendar is None:
            return
        self._ready = True
        try:
            await self.calendar.check()
        except Exception:
            # The clock looks again at its next scan (no fingerprint is kept for a sync that failed).
            log.exception("discord: workshop events could not be synced")
