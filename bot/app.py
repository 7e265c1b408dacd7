"""The one place that builds the application: settings, content, router, storage and dispatcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.content import Content, load_content
from bot.core.dispatcher import Dispatcher
from bot.core.router import Router
from bot.settings import Settings

if TYPE_CHECKING:
    from storage.uow import Storage

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    content: Content
    router: Router
    dispatcher: Dispatcher
    storage: Storage | None

    async def close(self) -> None:
        if self.storage is not None:
            await self.storage.close()


async def open_storage(settings: Settings, *, migrate: bool = True) -> Storage:
    """The database, brought up to date: a new database needs no separate step."""
    from storage.db import ServerLimits
    from storage.migrate import upgrade
    from storage.uow import Storage

    limits = ServerLimits(
        connect_timeout=settings.database_connect_timeout,
        statement_timeout=settings.database_statement_timeout,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
    storage = Storage(settings.resolved_database_url, busy_timeout=settings.database_busy_timeout, limits=limits)
    if migrate:
        try:
            await upgrade(storage.engine)
        except Exception:
            await storage.close()
            raise
    return storage


async def build_app(settings: Settings, *, with_storage: bool = True) -> App:
    from handlers import build_router, known_commands

    if with_storage:
        # Refuse a short or broken signing key at start-up, not at the first certificate or webhook update.
        settings.effective_secret()
    router = build_router(content_only=not with_storage)
    # FAQ buttons are checked against every command; `ask` loads only the content features, so it skips this
    # (the full bot and `content check` do it).
    content = load_content(settings.content_dir, commands=known_commands(router) if with_storage else None)
    storage = await open_storage(settings) if with_storage else None
    if storage is not None:
        from bot.services.workshop_admin import seed_from_content

        await seed_from_content(storage, content)
    dispatcher = Dispatcher(router=router, settings=settings, content=content, storage=storage)
    return App(settings=settings, content=content, router=router, dispatcher=dispatcher, storage=storage)
