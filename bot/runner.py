"""`wego-bot run`: every configured platform, the web pages and the clock in one process and one event loop;
the terminal console when no platform token is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp.web import AppRunner, RouteDef

    from bot.app import App
    from bot.core.ports import Messenger
    from bot.staff_inbox import StaffInbox
    from scheduler.leader import ClockLeadership

log = logging.getLogger(__name__)


class Door(Protocol):
    """A platform adapter that runs beside the others in this loop."""

    @property
    def messenger(self) -> Messenger: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def configured_platforms(settings: Settings) -> list[str]:
    platforms = []
    if settings.telegram_token.get_secret_value():
        platforms.append("telegram")
    if settings.discord_token.get_secret_value():
        platforms.append("discord")
    return platforms


def build_doors(app: App, roles: Sequence[str] | None = None) -> tuple[list[Door], list[RouteDef]]:
    """The doors for the configured platforms (those among `roles`), and the web routes they need."""
    doors: list[Door] = []
    routes: list[RouteDef] = []
    platforms = [p for p in configured_platforms(app.settings) if roles is None or p in roles]
    # Imported only when configured: each platform library costs a noticeable part of a second to import.
    if "telegram" in platforms:
        from bot.adapters.telegram.door import TelegramDoor, webhook_route

        telegram = TelegramDoor(app)
        doors.append(telegram)
        if telegram.webhook:
            routes.append(webhook_route(telegram))
    if "discord" in platforms:
        from bot.adapters.discord.door import DiscordDoor

        doors.append(DiscordDoor(app))
    return doors, routes


def staff_inboxes(doors: Sequence[Door]) -> list[StaffInbox]:
    """The staff chats the doors offer (a door without a configured staff chat offers none)."""
    found: list[StaffInbox] = []
    for door in doors:
        inbox = getattr(door, "staff_inbox", None)
        if inbox is not None:
            found.append(inbox)
    return found


async def _start_web(
    app: App, routes: Sequence[RouteDef], status: Callable[[], dict[str, object]] | None = None
) -> AppRunner | None:
    """The verification pages, /health and webhooks beside the platforms; a busy port must not stop the chat."""
    from bot.web import start_web

    try:
        return await start_web(app, extra_routes=routes, status=status)
    except OSError as exc:
        log.error("web pages not served (%s:%s): %s", app.settings.web_host, app.settings.web_port, exc)
        return None


async def run(settings: Settings, *, console_user: str) -> int:
    from bot.app import build_app
    from bot.content import ContentError
    from bot.roles import RoleError, resolve_roles

    try:
        roles = resolve_roles(settings)
    except RoleError as exc:
        print(f"WEGO_ROLES cannot be served: {exc}")
        return 2
    try:
        app = await build_app(settings)
    except ContentError as exc:
        print("The program content is broken; the bot cannot start:\n" + str(exc))
        return 2
    web_runner = None
    try:
        from handlers.faq import warm_up

        # The FAQ's first use builds (or reads from disk) its index: done now, off the loop, not on someone's turn.
        await asyncio.to_thread(warm_up, app.settings, app.content)
        doors, routes = build_doors(app, roles)
        leadership = _Leadership(roles)
        web_runner = await _start_web(app, routes, leadership.status)
        if not configured_platforms(settings):
            from bot.adapters.console import run_console
            from scheduler.clock import start_scheduler

            log.info("no platform token configured: starting the terminal console")
            # Reminders still fall due; the console shows its own person's messages, the rest wait in the outbox.
            clock = await start_scheduler(app, {})
            try:
                await run_console(app, user=console_user, lang=None)
            finally:
                await clock.stop()
            return 0
        return await _serve(app, doors, leadership)
    finally:
        if web_runner is not None:
            await web_runner.cleanup()
        await app.close()


class _Leadership:
    """This process's roles and, once it campaigns, its clock leadership: what /health reports."""

    def __init__(self, roles: Sequence[str]) -> None:
        self.roles = list(roles)
        self.leader: ClockLeadership | None = None

    def status(self) -> dict[str, object]:
        found: dict[str, object] = {"roles": self.roles}
        if self.leader is not None:
            found.update(self.leader.status())
        return found


async def _serve(app: App, doors: list[Door], leadership: _Leadership) -> int:
    """Start every door and then the clock, run until SIGINT/SIGTERM, then stop all in reverse order."""
    from bot.roles import clock_starter, send_only
    from scheduler.leader import ClockLeadership

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started: list[Door] = []
    clock: ClockLeadership | None = None
    exits = contextlib.AsyncExitStack()
    try:
        for door in doors:
            # Stopped below even when its start fails half-way (an open HTTP session, say).
            started.append(door)
            try:
                await door.start()
            except Exception as exc:
                # A bad token or no network: say so plainly instead of a traceback; the others are stopped below.
                log.error("%s could not start: %s", type(door).__name__, exc)
                return 1
        if "clock" in leadership.roles and app.storage is not None:
            # The delivery worker and the staff inboxes send through the doors' own clients, so the clock starts
            # once the doors are up; platforms without a door here get send-only clients.
            out = await exits.enter_async_context(send_only(app, [door.messenger.platform for door in doors]))
            out.messengers.update({door.messenger.platform: door.messenger for door in doors})
            out.staff_inboxes.extend(staff_inboxes(doors))
            out.announcers.extend(a for door in doors if (a := getattr(door, "announce_broadcast", None)))
            clock = leadership.leader = ClockLeadership(
                app.storage, clock_starter(app, out), retry_seconds=app.settings.clock_election_seconds
            )
            # Before the campaign starts: every clock this process runs from now on is woken through it.
            app.dispatcher.on_commit = clock.wake
            await clock.start()
        await stop.wait()
        log.info("stop signal received: shutting down")
        return 0
    finally:
        if clock is not None:
            await clock.stop()
        await exits.aclose()
        # Each door finishes the update in hand before it closes; the database closes last, in run().
        for door in reversed(started):
            try:
                await door.stop()
            except Exception:
                log.exception("stopping %s failed", type(door).__name__)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
