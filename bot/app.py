"""The one place that builds and wires the application: content, the route table (commands, buttons, deep links),
storage and the dispatcher; then, for `wego-bot run`, the doors and what each offers, and the clock.

Nothing registers itself anywhere: each feature declares its routes on its own router, and this module puts the
table together, hands every part what it needs, and says what a door offers through the typed `Door` port.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.content import Content, load_content
from bot.core.dispatcher import Dispatcher
from bot.core.router import Router
from bot.core.staff import CachedRoles, MemberRoles, roles_checkable
from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp.web import RouteDef

    from bot.core.ports import BroadcastAnnouncer, CalendarMirror, Door
    from bot.staff_inbox import StaffInbox
    from scheduler.clock import SchedulerHandle
    from storage.uow import Storage

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    content: Content
    router: Router
    dispatcher: Dispatcher
    storage: Storage | None
    # A Discord member's current roles, for the staff console's check on every page (None: Discord, its server
    # or its staff role is not configured).
    member_roles: MemberRoles | None = None

    async def close(self) -> None:
        if self.member_roles is not None:
            await self.member_roles.close()
        if self.storage is not None:
            await self.storage.close()


async def open_storage(settings: Settings, *, migrate: bool = True) -> Storage:
    """The database, brought up to date: a new database needs no separate step."""
    from storage.db import ServerLimits
    from storage.migrate import upgrade
    from storage.uow import Storage

    limits = ServerLimits(
        connect_timeout=settings.database_connect_timeout,
        statement_timeout=settings.database_statement_timeout,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
    storage = Storage(settings.resolved_database_url, busy_timeout=settings.database_busy_timeout, limits=limits)
    if migrate:
        try:
            await upgrade(storage.engine)
        except Exception:
            await storage.close()
            raise
    return storage


def settle_heap() -> None:
    """After start-up: what was built to last as long as the process (content, catalogs, routes, the FAQ index) is
    moved out of the garbage collector's sight (`gc.freeze`), so that its full collections stop walking it. Without
    this a full collection, which comes every few thousand events, pauses every conversation for 30 to 60 ms, and
    holds SQLite's write lock meanwhile when it falls inside a transaction (measured with bench/scale)."""
    gc.collect()
    gc.freeze()


def utcnow() -> datetime:
    return datetime.now(UTC)


async def build_app(settings: Settings, *, with_storage: bool = True, clock: Callable[[], datetime] = utcnow) -> App:
    """`clock`: what "now" is for every handler (tests freeze it)."""
    from handlers import build_router, known_commands

    if with_storage:
        # Refuse a short or broken signing key at start-up, not at the first certificate or webhook update.
        settings.effective_secret()
    router = build_router(content_only=not with_storage)
    # A deep link to an action nobody handles would fail the person who follows it: refuse to start instead.
    router.check()
    # FAQ buttons are checked against every command; `ask` loads only the content features, so it skips this
    # (the full bot and `content check` do it).
    content = load_content(settings.content_dir, commands=known_commands(router) if with_storage else None)
    storage = await open_storage(settings) if with_storage else None
    if storage is not None:
        from bot.services.workshop_admin import seed_from_content

        await seed_from_content(storage, content)
    dispatcher = Dispatcher(router=router, settings=settings, content=content, storage=storage, clock=clock)
    application = App(settings=settings, content=content, router=router, dispatcher=dispatcher, storage=storage)
    application.member_roles = member_roles(settings, lambda: application.dispatcher.clock())
    return application


class _LazyDiscordRoles:
    """The Discord member lookup (bot/adapters/discord/members.py), made on first use: a process that never
    checks a staff role (and `chat`, `ask`, `verify`) never imports discord.py or logs in for it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lookup: MemberRoles | None = None

    async def roles_of(self, user_id: str) -> frozenset[str] | None:
        if self._lookup is None:
            from bot.adapters.discord.members import open_member_roles

            self._lookup = open_member_roles(self.settings)
        return await self._lookup.roles_of(user_id)

    async def close(self) -> None:
        if self._lookup is not None:
            await self._lookup.close()


def member_roles(settings: Settings, clock: Callable[[], datetime]) -> MemberRoles | None:
    """Staff by Discord role are re-checked with the server whenever a Discord token, the server and the role are
    configured, whatever this process's roles (WEGO_ROLES): a REST-only lookup, each answer kept a minute."""
    if not roles_checkable(settings):
        return None
    return CachedRoles(_LazyDiscordRoles(settings), clock)


def configured_platforms(settings: Settings) -> list[str]:
    platforms = []
    if settings.telegram_token.get_secret_value():
        platforms.append("telegram")
    if settings.discord_token.get_secret_value():
        platforms.append("discord")
    return platforms


@dataclass
class Doors:
    """The doors of the configured platforms, and the web routes they need (Telegram's webhook)."""

    doors: list[Door] = field(default_factory=list)
    web_routes: list[RouteDef] = field(default_factory=list)


def build_doors(app: App, roles: Sequence[str] | None = None) -> Doors:
    """The doors of the configured platforms this process serves (those among `roles`; all when None)."""
    built = Doors()
    platforms = [p for p in configured_platforms(app.settings) if roles is None or p in roles]
    # Imported only when configured: each platform library costs a noticeable part of a second to import.
    if "telegram" in platforms:
        from bot.adapters.telegram.door import TelegramDoor, webhook_route

        telegram = TelegramDoor(app)
        built.doors.append(telegram)
        if telegram.webhook:
            built.web_routes.append(webhook_route(telegram))
    if "discord" in platforms:
        from bot.adapters.discord.door import DiscordDoor

        built.doors.append(DiscordDoor(app))
    return built


def staff_inboxes(doors: Sequence[Door]) -> list[StaffInbox]:
    """The staff chats the doors offer (a door without a configured staff chat offers none)."""
    return [door.staff_inbox for door in doors if door.staff_inbox is not None]


def announcers(doors: Sequence[Door]) -> list[BroadcastAnnouncer]:
    """Where broadcasts are posted in public (a Discord announcement channel, when one is configured)."""
    return [door.announcer for door in doors if door.announcer is not None]


def calendars(doors: Sequence[Door]) -> list[CalendarMirror]:
    """The platform calendars that mirror the workshops (Discord's Events tab, when the bot serves one server)."""
    return [door.calendar for door in doors if door.calendar is not None]


def build_clock(app: App, doors: Sequence[Door] = ()) -> SchedulerHandle:
    """The clock and its delivery worker, sending through the doors' own clients; `start()` and `stop()` it (one
    process, or the leader among several). Built once the doors are up: it sends through them."""
    from scheduler.clock import SchedulerHandle

    return SchedulerHandle(
        app,
        {door.messenger.platform: door.messenger for door in doors},
        app.dispatcher.clock,
        staff_inboxes=staff_inboxes(doors),
        announcers=announcers(doors),
        calendars=calendars(doors),
    )
