"""Who is staff: configured lists of platform ids, console names and (Discord) a staff role.

`is_staff` answers for an event, with the roles the platform sent with it. `staff_now` answers for someone who
is not talking right now (the staff console, on every page): a Discord staff role is then asked of the server
through a `MemberRoles` lookup, which the bootstrap (bot/app.py) builds when Discord is configured and the
adapter implements (bot/adapters/discord/members.py)."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.events import Event
from bot.core.text import is_number
from bot.i18n import N_
from bot.settings import Settings

# How long a member's roles, once asked of the server, are taken as they were.
ROLES_TTL = timedelta(seconds=60)


def is_staff(settings: Settings, event: Event) -> bool:
    if event.platform == "console":
        return event.user_id in settings.staff_console_users
    if event.platform == "telegram":
        return event.user_id in settings.staff_telegram_ids
    if event.platform == "discord":
        role = settings.discord_staff_role_id
        return event.user_id in settings.staff_discord_ids or bool(role and role in event.roles)
    return False


def staff_by_role_only(settings: Settings, platform: str, user_id: str) -> bool:
    """Staff only through the Discord staff role (not named in STAFF_DISCORD_IDS): the console must ask the
    server for their roles on every page."""
    return platform == "discord" and user_id not in settings.staff_discord_ids and bool(settings.discord_staff_role_id)


def roles_checkable(settings: Settings) -> bool:
    """Whether the console can ask the server for a member's roles: a token, the server's id and the role."""
    return bool(
        settings.discord_token.get_secret_value()
        and is_number(settings.discord_guild_id)
        and settings.discord_staff_role_id
    )


# Told to a member who is staff by the Discord role only, where the role cannot be checked: in the chat instead of a
# sign-in link, and on a console page of a session opened before.
ROLE_UNCHECKABLE = N_(
    "The console cannot check your staff role on Discord, because the bot does not know its server. "
    "Ask whoever runs the bot to set DISCORD_GUILD_ID, or to add your Discord id to STAFF_DISCORD_IDS."
)


class RolesUnavailable(Exception):
    """The platform could not be asked (network, outage, rate limit, a timeout): nothing is known either way."""


class MemberRoles(Protocol):
    """A member's current role ids in the configured Discord server."""

    async def roles_of(self, user_id: str) -> frozenset[str] | None:
        """The role ids; None when they are not a member of the server (left, removed, unknown). Raises
        RolesUnavailable when the server cannot be asked now."""
        ...

    async def close(self) -> None: ...


class CachedRoles:
    """A `MemberRoles` that asks the server at most once per `ttl` for each member: pages don't each call it.

    A failed lookup is not kept (the next page asks again); concurrent pages for one member share one call."""

    def __init__(self, lookup: MemberRoles, clock: Callable[[], datetime], ttl: timedelta = ROLES_TTL) -> None:
        self.lookup = lookup
        self.clock = clock
        self.ttl = ttl
        self._kept: dict[str, tuple[datetime, frozenset[str] | None]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def roles_of(self, user_id: str) -> frozenset[str] | None:
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            now = self.clock()
            kept = self._kept.get(user_id)
            if kept is not None and now < kept[0]:
                return kept[1]
            roles = await self.lookup.roles_of(user_id)
            # Forget what ran out, so that the cache holds only the staff of the last minute.
            self._kept = {key: value for key, value in self._kept.items() if now < value[0]}
            self._kept[user_id] = (now + self.ttl, roles)
            return roles

    async def close(self) -> None:
        await self.lookup.close()


class Standing(enum.Enum):
    """Whether someone is staff now: yes, no, or it cannot be told right now."""

    STAFF = "staff"
    NOT_STAFF = "not staff"
    UNKNOWN = "unknown"


async def staff_now(settings: Settings, platform: str, user_id: str, member_roles: MemberRoles | None) -> Standing:
    """The configuration's rule asked now. A Discord member named in STAFF_DISCORD_IDS needs no lookup; one who
    is staff by the role is staff while the server says they have it: UNKNOWN when it cannot be asked (no lookup
    configured, or the server does not answer)."""
    if not staff_by_role_only(settings, platform, user_id):
        probe = Event(platform=platform, user_id=user_id, chat_id="")
        return Standing.STAFF if is_staff(settings, probe) else Standing.NOT_STAFF
    if member_roles is None:
        return Standing.UNKNOWN
    try:
        roles = await member_roles.roles_of(user_id)
    except RolesUnavailable:
        return Standing.UNKNOWN
    if roles is None or settings.discord_staff_role_id not in roles:
        return Standing.NOT_STAFF
    return Standing.STAFF
