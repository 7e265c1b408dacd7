"""`wego-bot run`: every configured platform, the web pages and the clock in one process and one event loop;
the terminal console when no platform token is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp.web import AppRunner, RouteDef

    from bot.app import App
    from bot.core.ports import Door
    from scheduler.leader import ClockLeadership

log = logging.getLogger(__name__)


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
    from bot.app import build_app, build_clock, build_doors, configured_platforms, settle_heap
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
        await asyncio.to_thread(warm_up, app.router, app.settings, app.content)
        settle_heap()
        built = build_doors(app, roles)
        leadership = _Leadership(roles)
        web_runner = await _start_web(app, built.web_routes, leadership.status)
        if not configured_platforms(settings):
            from bot.adapters.console import run_console

            log.info("no platform token configured: starting the terminal console")
            # Reminders still fall due; the console shows its own person's messages, the rest wait in the outbox.
            clock = build_clock(app)
            await clock.start()
            try:
                await run_console(app, user=console_user, lang=None)
            finally:
                await clock.stop()
            return 0
        return await _serve(app, built.doors, leadership)
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
    """Start every door and then the clock (when this process campaigns for it), run until SIGINT/SIGTERM, then
    stop all in reverse order."""
    from bot.app import announcers, calendars, staff_inboxes
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
            out.announcers.extend(announcers(doors))
            out.calendars.extend(calendars(doors))
            clock = leadership.leader = ClockLeadership(
                app.storage, clock_starter(app, out), retry_seconds=app.settings.clock_election_seconds
            )
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
