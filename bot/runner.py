"""`wego-bot run`: every configured platform in one process and one event loop; the console when none is."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.core.ports import Messenger

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
    from scheduler.clock import start_scheduler

    # Platform adapters add their Messenger here ({"telegram": TelegramMessenger(bot), ...}); rows for platforms
    # without one stay pending (the console shows its own).
    messengers: dict[str, Messenger] = {}
    clock = await start_scheduler(app, messengers)
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
        await clock.stop()
        await app.close()
