"""`wego-bot run`: every configured platform in one process and one event loop; the console when none is."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.settings import Settings

log = logging.getLogger(__name__)


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
        missing = [p for p in platforms if p != "telegram"]
        if missing:
            log.error("platform adapters for %s are not part of this build yet", ", ".join(missing))
        if "telegram" not in platforms:
            return 1
        from bot.adapters.telegram.door import TelegramDoor

        door = TelegramDoor(app)
        await door.start()
        try:
            await stop_requested()
        finally:
            # Stops fetching, finishes the update in hand, closes the HTTP client; the DB closes below.
            await door.stop()
        return 0
    finally:
        await app.close()


async def stop_requested() -> None:
    """Wait for SIGTERM or SIGINT (Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
        log.info("stop signal received: shutting down")
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
