"""Sign-in links and sessions, through bot/services/console.py."""

from __future__ import annotations

from bot.app import App
from bot.services import console as service
from bot.services.console import Staffer
from bot.web.console.actions.base import clock_now, unit_of_work


async def live_link_language(app: App, token: str) -> str | None:
    async with unit_of_work(app) as uow:
        return await service.live_link_language(uow, token, clock_now(app))


async def redeem_link(app: App, token: str) -> tuple[str, int, Staffer] | None:
    async with unit_of_work(app) as uow:
        opened = await service.redeem_link(uow, token, clock_now(app))
        return None if opened is None else (opened.token, opened.session_id, opened.who)


async def open_session(app: App, token: str) -> tuple[int, Staffer, str, str] | None:
    async with unit_of_work(app) as uow:
        found = await service.open_session(uow, token, clock_now(app))
        return None if found is None else (found.session_id, found.who, found.csrf_token, found.language)


async def end_session(app: App, session_id: int, who: Staffer) -> None:
    async with unit_of_work(app) as uow:
        await service.end_session(uow, session_id, who, clock_now(app))


async def set_session_language(app: App, session_id: int, lang: str) -> None:
    async with unit_of_work(app) as uow:
        await service.set_session_language(uow, session_id, lang)
