"""Sign-in links and sessions."""

from __future__ import annotations

from bot.app import App
from bot.web.console.actions.base import clock_now, storage_of
from storage import console as store
from storage.console import Staffer


async def live_link_language(app: App, token: str) -> str | None:
    async with storage_of(app).unit_of_work() as uow:
        return await store.live_link_language(uow.session, token, clock_now(app))


async def redeem_link(app: App, token: str) -> tuple[str, int, Staffer] | None:
    now = clock_now(app)
    async with storage_of(app).unit_of_work() as uow:
        opened = await store.redeem_link(uow.session, token, now)
        if opened is None:
            return None
        who = store.staffer_of(opened.row)
        await store.audit(uow.session, who, "sign-in", f"session:{opened.row.id}", now)
        return opened.token, opened.row.id, who


async def open_session(app: App, token: str) -> tuple[int, Staffer, str, str] | None:
    async with storage_of(app).unit_of_work() as uow:
        row = await store.live_session(uow.session, token, clock_now(app))
        if row is None:
            return None
        return row.id, store.staffer_of(row), row.csrf_token, row.language


async def end_session(app: App, session_id: int, who: Staffer) -> None:
    now = clock_now(app)
    async with storage_of(app).unit_of_work() as uow:
        row = await uow.session.get(store.ConsoleSession, session_id)
        if row is not None and row.ended_at is None:
            await store.end_session(uow.session, row, now)
            await store.audit(uow.session, who, "sign-out", f"session:{session_id}", now)


async def set_session_language(app: App, session_id: int, lang: str) -> None:
    async with storage_of(app).unit_of_work() as uow:
        row = await uow.session.get(store.ConsoleSession, session_id)
        if row is not None:
            row.language = lang
