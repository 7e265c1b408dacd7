"""The server's Events tab mirrors the workshops, whoever changed them (chat on any platform, the CLI, another
process). The clock asks `check()` after a commit that changed a workshop and on its periodic scan; the door asks
once when it connects (events missed while the bot was down). A cheap look at the rows decides whether to sync."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.adapters.discord.events_sync import SyncResult, load_workshop, sync_workshop_event
from bot.services import calendar

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class DiscordCalendar:
    """The clock's `CalendarMirror` for Discord (bot/core/ports.py)."""

    def __init__(self, app: App, client: discord.Client, guild: discord.Object) -> None:
        self.app = app
        self.client = client
        self.guild_id = guild.id
        self._fingerprint: tuple[object, ...] | None = None

    async def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever staff create or change a workshop (from chat, the CLI or another process)."""
        assert self.app.storage is not None
        async with self.app.storage.unit_of_work() as uow:
            return await calendar.fingerprint(uow)

    async def check(self) -> bool:
        """Sync the Events tab if any workshop changed since the last look; True when it synced."""
        fingerprint = await self.fingerprint()
        if fingerprint == self._fingerprint:
            return False
        results = await self.sync_all()
        # Kept only now: after a failed sync the same fingerprint must still count as a change.
        self._fingerprint = fingerprint
        log.info("discord: workshops changed, events synced: %s", results)
        return True

    async def _guild(self) -> discord.Guild:
        return self.client.get_guild(self.guild_id) or await self.client.fetch_guild(self.guild_id)

    async def sync(self, workshop_id: int) -> SyncResult:
        """Bring the server event of one workshop in line with its row."""
        if self.app.storage is None:
            return "unchanged"
        data = await load_workshop(self.app.storage, workshop_id, self.app.content, self.app.settings.default_language)
        if data is None:
            return "unchanged"
        return await sync_workshop_event(await self._guild(), data, now=self.app.dispatcher.clock())

    async def sync_all(self) -> dict[int, SyncResult]:
        if self.app.storage is None:
            return {}
        async with self.app.storage.unit_of_work() as uow:
            ids = await calendar.workshops_to_mirror(uow, self.app.dispatcher.clock())
        return {workshop_id: await self.sync(workshop_id) for workshop_id in ids}
