"""`wego-bot run`: every configured platform in one process and one event loop; the console when none is."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from bot.settings import Settings

log = logging.getLogger(__name__)


class Door(Protocol):
    """A platform adapter that runs beside the others in this loop."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def configured_platforms(settings: Settings) -> list[str]:
    platforms = []
    if settings.telegram_token.get_secret_value():
        platforms.append("telegram")
    if settings.discord_token.get_secret_value():
        platforms.append("discord")
    return platforms


async def run(settings: Settings, *, console_user: str) -> int:
    from bot.app import build_app
    from bot.content import ContentError

    try:
        app = await build_app(settings)
    except ContentError as exc:
        print("The program content is broken; the bot cannot start:\n" + str(exc))
        return 2
    try:
        platforms = configured_platforms(settings)
        if not platforms:
            from bot.adapters.console import run_console

            log.info("no platform token configured: starting the terminal console")
            await run_console(app, user=console_user, lang=None)
            return 0
        doors: list[Door] = []
        if "discord" in platforms:
            from bot.adapters.discord.door import DiscordDoor

            doors.append(DiscordDoor(app))
        missing = [p for p in platforms if p != "discord"]
        if missing:
            log.error("platform adapters for %s are not part of this build yet", ", ".join(missing))
        if not doors:
            return 1
        return await _serve(doors)
    finally:
        await app.close()


async def _serve(doors: list[Door]) -> int:
    """Start every door, run until SIGINT/SIGTERM, then stop them in reverse order."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started: list[Door] = []
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
        await stop.wait()
        return 0
    finally:
        for door in reversed(started):
            try:
                await door.stop()
            except Exception:
                log.exception("stopping %s failed", type(door).__name__)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
