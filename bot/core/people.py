"""Who is talking: the person behind an event, as the dispatcher hands them to a handler, and their language.

One rule for the language, here and for messages sent later: chosen with /language, else their platform's, else
the default (storage.users.language_of)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.events import Event
from bot.core.participant import Participant
from bot.core.staff import is_staff
from bot.i18n import normalize_language
from bot.settings import Settings

if TYPE_CHECKING:
    from storage.uow import Storage, UnitOfWork


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
    from bot.services import reachability
    from storage.users import UserRepository, language_of

    user, account = await UserRepository(uow.session).get_or_create(
        event.platform,
        event.user_id,
        # Only an address that reaches the person alone: the outbox must never send their messages to a group.
        chat_id=event.private_address,
        display_name=event.display_name,
        now=now,
    )
    notice_due = account.unreachable_notice_due
    if event.private and (not account.reachable or notice_due):
        await reachability.writing_in_private(uow.session, account.id)
        notice_due = False
    hint = normalize_language(event.locale_hint)
    if hint is not None and user.locale_hint != hint:
        # Kept for messages sent to them later (notices, broadcasts) while they have not chosen a language.
        user.locale_hint = hint
    locale = language_of(user, settings.default_language)
    venue_zone = None
    if not user.timezone:
        from storage.users import venue_zones

        # No autoflush: pending writes (last seen, the language hint) fail, if they do, at commit, after the
        # person's language is set, so a read-only database is still reported in their language.
        with uow.session.no_autoflush:
            venue_zone = (await venue_zones(uow.session, [user.id])).get(user.id)
    return Participant(
        user_id=user.id,
        account_id=account.id,
        platform=event.platform,
        display_name=user.display_name,
        locale=locale,
        chosen_locale=user.locale,
        timezone=user.timezone,
        venue_zone=venue_zone,
        full_name=user.full_name,
        birth_year=user.birth_year,
        is_staff=is_staff(settings, event),
        unreachable_notice_due=notice_due,
    )


async def language_for(storage: Storage | None, event: Event, default_language: str) -> str:
    """The language this person's replies are written in. Read only: an unknown person gets no row."""
    hint = normalize_language(event.locale_hint)
    if storage is None:
        return hint or default_language
    from storage.models import User
    from storage.users import UserRepository, language_of

    async with storage.unit_of_work() as uow:
        account = await UserRepository(uow.session).account(event.platform, event.user_id)
        user = await uow.session.get(User, account.user_id) if account is not None else None
        if user is None:
            return hint or default_language
        # As in a dispatch, where this event's hint would be stored before language_of reads it.
        return user.locale or hint or language_of(user, default_language)
