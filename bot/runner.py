"""`wego-bot run`: every configured platform, the web pages and the clock in one process and one event loop;
the terminal console when no platform token is configured."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp.web import AppRunner, RouteDef

    from bot.app import App
    from bot.core.ports import Messenger
    from bot.staff_inbox import StaffInbox

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


def build_doors(app: App) -> tuple[list[Door], list[RouteDef]]:
    """The doors for the configured platforms, and the web routes they need (Telegram's webhook)."""
    doors: list[Door] = []
    routes: list[RouteDef] = []
    platforms = configured_platforms(app.settings)
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


async def _start_web(app: App, routes: Sequence[RouteDef]) -> AppRunner | None:
    """The verification pages, /health and webhooks beside the platforms; a busy port must not stop the chat."""
    from bot.web import start_web

    try:
        return await start_web(app, extra_routes=routes)
    except OSError as exc:
        log.error("web pages not served (%s:%s): %s", app.settings.web_host, app.settings.web_port, exc)
        return None


async def run(settings: Settings, *, console_user: str) -> int:
    from bot.app import build_app
    from bot.content import ContentError

    try:
        app = await build_app(settings)
    except ContentError as exc:
        print("The program content is broken; the bot cannot start:\n" + str(exc))
        return 2
    web_runner = None
    try:
        from handlers.faq import warm_up

        # The FAQ's first use builds (or reads from disk) its index: done now, off the loop, not on someone's turn.
        await asyncio.to_thread(warm_up, app.router, app.settings, app.content)
        doors, routes = build_doors(app)
        web_runner = await _start_web(app, routes)
        if not doors:
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
        return await _serve(app, doors)
    finally:
        if web_runner is not None:
            await web_runner.cleanup()
        await app.close()


async def _serve(app: App, doors: list[Door]) -> int:
    """Start every door and then the clock, run until SIGINT/SIGTERM, then stop all in reverse order."""
    from scheduler.clock import SchedulerHandle, start_scheduler

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started: list[Door] = []
    clock: SchedulerHandle | None = None
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
        # The delivery worker and the staff inboxes send through the doors' own clients, so they start once
        # the doors are up.
        clock = await start_scheduler(
            app, {door.messenger.platform: door.messenger for door in doors}, staff_inboxes=staff_inboxes(doors)
        )
        for door in doors:
            announce = getattr(door, "announce_broadcast", None)
            if announce is not None:
                clock.on_broadcast_started.append(announce)
        await stop.wait()
        log.info("stop signal received: shutting down")
        return 0
    finally:
        if clock is not None:
            await clock.stop()
        # Each door finishes the update in hand before it closes; the database closes last, in run().
        for door in reversed(started):
            try:
                await door.stop()
            except Exception:
                log.exception("stopping %s failed", type(door).__name__)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
