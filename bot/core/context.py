"""What a handler receives: who is talking, in which language, the clock, the content and a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.content import Content
from bot.core.errors import StorageUnavailable
from bot.core.events import Event
from bot.core.participant import Participant
from bot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.router import Router
    from bot.services.unit_of_work import UnitOfWork


@dataclass(slots=True)
class Context:
    event: Event
    user: Participant
    settings: Settings
    content: Content
    router: Router
    clock: Callable[[], datetime]
    # The text after a command (`/done 3.2` → "3.2"), or the free text itself.
    text: str = ""
    # The ids a pressed button carried; never trusted, re-checked by the handler.
    args: tuple[str, ...] = ()
    uow: UnitOfWork | None = None

    @property
    def session(self) -> AsyncSession:
        if self.uow is None:
            raise StorageUnavailable("this command needs the database")
        return self.uow.session

    @property
    def unit_of_work(self) -> UnitOfWork:
        """The event's unit of work, for the services (bot/services) a handler calls."""
        if self.uow is None:
            raise StorageUnavailable("this command needs the database")
        return self.uow

    @property
    def locale(self) -> str:
        return self.user.locale

    @property
    def zone(self) -> str:
        """The IANA zone to show times in, by the one zone rule (bot/domain/home_zone.py) the clock's jobs use too."""
        from bot.domain.home_zone import zone_rule

        return zone_rule(self.user.timezone, self.user.venue_zone, self.locale, self.settings.default_timezone)

    @property
    def is_staff(self) -> bool:
        return self.user.is_staff

    @property
    def user_id(self) -> int:
        if self.user.user_id is None:
            raise StorageUnavailable("this command needs a stored participant")
        return self.user.user_id

    def now(self) -> datetime:
        return self.clock()
