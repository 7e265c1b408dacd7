"""Broadcasts posted once to the server's announcement channel: the public copy beside each member's DM."""

from __future__ import annotations

import logging

import discord

from bot.adapters.discord.messenger import NO_MENTIONS
from bot.adapters.discord.render import render
from bot.core.replies import Reply

log = logging.getLogger(__name__)


class DiscordAnnouncer:
    """The clock's `BroadcastAnnouncer` for Discord (bot/core/ports.py)."""

    platform = "discord"

    def __init__(self, client: discord.Client, channel_id: int) -> None:
        self.client = client
        self.channel_id = channel_id

    async def announce(self, reply: Reply) -> bool:
        """False when the channel cannot take messages (a voice or category channel); a Discord error is raised,
        and the clock tries again later."""
        channel = self.client.get_channel(self.channel_id) or await self.client.fetch_channel(self.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.error("discord: announcement channel %s cannot take messages", self.channel_id)
            return False
        for message in render(reply).messages():
            await channel.send(**message, allowed_mentions=NO_MENTIONS)
        return True
