"""Sending to Discord from a process without the gateway connection (the clock leader, when another process
holds the one gateway connection): the door's own client, logged in over HTTP only. Direct messages, the staff
channel and the announcement channel need nothing more (channels are fetched over HTTP); presses of the buttons
posted this way reach the process that holds the gateway connection, which knows them by their custom id."""

from __future__ import annotations

from bot.adapters.discord.door import DiscordDoor
from bot.app import App


async def open_send_only(app: App) -> DiscordDoor:
    """A door that only sends; `await door.client.close()` when done."""
    door = DiscordDoor(app, sync_commands=False)
    await door.client.login(app.settings.discord_token.get_secret_value())
    return door
