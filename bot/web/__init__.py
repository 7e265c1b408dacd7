"""The small web side of the bot: record verification pages and a health check (aiohttp)."""

from bot.web.app import build_web_app, start_web

__all__ = ["build_web_app", "start_web"]
