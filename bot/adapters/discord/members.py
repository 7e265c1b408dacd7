"""A member's current roles in the configured server, asked over Discord's REST API: the staff console re-checks
a staff role on every page with it (bot/core/staff.py `staff_now`, through the cache there).

It works in any process, with or without the gateway connection (WEGO_ROLES): a client of its own, logged in over
HTTP only on first use. The gateway's member cache is not read: without the members intent (door.intents) Discord
sends no member updates, so a cached member keeps the roles they had when cached."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.adapters.discord.door import MAX_RATELIMIT_WAIT
from bot.adapters.discord.interactions import member_role_ids
from bot.adapters.discord.messenger import NO_MENTIONS
from bot.core.staff import RolesUnavailable
from bot.settings import Settings

log = logging.getLogger(__name__)

# A page waits no longer than this for Discord (discord.py would otherwise retry a 5xx for several seconds).
LOOKUP_TIMEOUT = 5.0
# Discord's error codes for a member who is not in the server, or a user who does not exist.
UNKNOWN_MEMBER = 10007
UNKNOWN_USER = 10013


class DiscordMemberRoles:
    """The `MemberRoles` port of bot/core/staff.py for one server."""

    def __init__(self, client: discord.Client, guild_id: int, *, token: str | None = None) -> None:
        """`token`: log the client in on first use (a client already logged in needs none)."""
        self.client = client
        self.guild_id = guild_id
        self._token = token
        self._guild: discord.Guild | None = None
        self._setup = asyncio.Lock()

    async def roles_of(self, user_id: str) -> frozenset[str] | None:
        try:
            return await asyncio.wait_for(self._roles_of(int(user_id)), LOOKUP_TIMEOUT)
        except discord.NotFound as exc:
            if exc.code in (UNKNOWN_MEMBER, UNKNOWN_USER):
                return None
            # The server itself is unknown to the bot (removed from it, or a wrong DISCORD_GUILD_ID).
            log.error("discord: staff roles cannot be checked: server %s: %s", self.guild_id, _why(exc))
            raise RolesUnavailable(_why(exc)) from None
        except Exception as exc:
            # Never the token: discord.py's errors carry the status and Discord's message, aiohttp's the address.
            log.warning("discord: roles of member %s could not be checked: %s", user_id, _why(exc))
            raise RolesUnavailable(_why(exc)) from None

    async def _roles_of(self, user_id: int) -> frozenset[str]:
        async with self._setup:
            if self._token is not None:
                await self.client.login(self._token)
                self._token = None
            if self._guild is None:
                # `Guild.fetch_member` needs the server's object: once per process, then kept.
                self._guild = self.client.get_guild(self.guild_id) or await self.client.fetch_guild(
                    self.guild_id, with_counts=False
                )
        member = await self._guild.fetch_member(user_id)
        return member_role_ids(member)

    async def close(self) -> None:
        await self.client.close()


def _why(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"HTTP {exc.status} (code {exc.code})"
    if isinstance(exc, TimeoutError):
        return f"no answer within {LOOKUP_TIMEOUT:g} s"
    return f"{type(exc).__name__}: {exc}"


def open_member_roles(settings: Settings) -> DiscordMemberRoles:
    """A lookup with a REST-only client of its own; it logs in on first use, so building it costs no network."""
    client: discord.Client = discord.Client(
        intents=discord.Intents.none(), max_ratelimit_timeout=MAX_RATELIMIT_WAIT, allowed_mentions=NO_MENTIONS
    )
    return DiscordMemberRoles(client, int(settings.discord_guild_id), token=settings.discord_token.get_secret_value())


__all__ = ["DiscordMemberRoles", "open_member_roles"]
