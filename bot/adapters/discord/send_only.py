"""Sending to Discord from a process without the gateway connection (the clock leader, when another process
holds the one gateway connection): logged in over HTTP only, which direct messages need and nothing else."""

from __future__ import annotations

import discord

from bot.adapters.discord.messenger import NO_MENTIONS, DiscordMessenger
from bot.settings import Settings


async def open_send_only(settings: Settings) -> tuple[DiscordMessenger, discord.Client]:
    """The messenger and its client; `await client.close()` when done."""
    client = discord.Client(intents=discord.Intents.none(), allowed_mentions=NO_MENTIONS)
    await client.login(settings.discord_token.get_secret_value())
    return DiscordMessenger(client), client
