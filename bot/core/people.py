"""Who is talking: the person behind an event, as the dispatcher hands them to a handler, and their language.

One rule for the language, here and for messages sent later: chosen with /language, else their platform's, else
the default (storage.users.language_of, read through bot/services/users.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.events import Event
from bot.core.participant import Participant
from bot.core.staff import is_staff
from bot.i18n import normalize_language
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork, UnitsOfWork


def transient(event: Event, settings: Settings) -> Participant:
    """Without a database (`wego-bot ask`): the event is all there is."""
    return Participant(
        user_id=None,
        account_id=None,
        platform=event.platform,
        display_name=event.display_name,
        locale=normalize_language(event.locale_hint) or settings.default_language,
        is_staff=is_staff(settings, event),
    )


async def participant(uow: UnitOfWork, event: Event, settings: Settings, now: datetime) -> Participant:
    """The person's rows, made on their first event, with what this event tells about them."""
    # Imported here: `wego-bot ask` uses this module without a database, and must not load SQLAlchemy.
    from bot.services import users

    person = await users.meet(
        uow,
        platform=event.platform,
        platform_user_id=event.user_id,
        private_address=event.private_address,
        display_name=event.display_name,
        locale_hint=normalize_language(event.locale_hint),
        private=event.private,
        now=now,
        default_language=settings.default_language,
    )
    return Participant(
        user_id=person.user_id,
        account_id=person.account_id,
        platform=event.platform,
        display_name=person.display_name,
        locale=person.locale,
        chosen_locale=person.chosen_locale,
        timezone=person.timezone,
        venue_zone=person.venue_zone,
        full_name=person.full_name,
        birth_year=person.birth_year,
        is_staff=is_staff(settings, event),
        unreachable_notice_due=person.unreachable_notice_due,
    )


async def noted(uow: UnitOfWork) -> None:
    """The person's language is set: what this event tells about them is written, to be kept with the event."""
    from bot.services import users

    await users.noted(uow)


async def seen(uow: UnitOfWork) -> None:
    """The event is answered: what it noted of the person (last seen, their address) is kept."""
    from bot.services import users

    await users.seen(uow)


async def language_for(storage: UnitsOfWork | None, event: Event, default_language: str) -> str:
    """The language this person's replies are written in. Read only: an unknown person gets no row."""
    hint = normalize_language(event.locale_hint)
    if storage is None:
        return hint or default_language
    from bot.services import users

    return await users.language_for(storage, event.platform, event.user_id, hint, default_language)
