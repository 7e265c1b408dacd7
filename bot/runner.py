"""`wego-bot run`: every configured platform in one process and one event loop; the console when none is."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp.web import AppRunner

    from bot.app import App

log = logging.getLogger(__name__)


def configured_platforms(settings: Settings) -> list[str]:
    platforms = []
    if settings.telegram_token.get_secret_value():
        platforms.append("telegram")
    if settings.discord_token.get_secret_value():
        platforms.append("discord")
    return platforms


async def _start_web(app: App) -> AppRunner | None:
    """The verification pages and /health beside the platforms; a busy port must not stop the chat."""
    from bot.web import start_web

    try:
        return await start_web(app)
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
    web_runner = await _start_web(app)
    try:
        platforms = configured_platforms(settings)
        if not platforms:
            from bot.adapters.console import run_console

            log.info("no platform token configured: starting the terminal console")
            await run_console(app, user=console_user, lang=None)
            return 0
        log.error("platform adapters for %s are not part of this build yet", ", ".join(platforms))
        return 1
    finally:
        if web_runner is not None:
            await web_runner.cleanup()
        await app.close()
