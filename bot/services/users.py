"""The person behind an event: their rows, made on their first event, their language and what staff count.

The core asks here who is talking (bot/core/people.py) and the chat changes a person's language here; the rows and
the SQL stay in storage/users.py, the language rule is `storage.users.language_of`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.services import reachability
from bot.services.unit_of_work import commits
from storage.models import User
from storage.uow import UncommittedWrites
from storage.users import UserRepository, language_of, participant_counts

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork, UnitsOfWork


@dataclass(frozen=True, slots=True)
class Person:
    """A stored participant as this event finds them (a plain value: no row leaves the transaction)."""

    user_id: int
    account_id: int
    display_name: str
    # The language to write to them in, by the one rule (language_of).
    locale: str
    chosen_locale: str | None
    timezone: str | None
    venue_zone: str | None
    full_name: str | None
    birth_year: int | None
    unreachable_notice_due: bool


@dataclass(frozen=True, slots=True)
class ParticipantStats:
    total: int
    by_platform: list[tuple[str, int]]
    # None: they have not chosen a language.
    by_language: list[tuple[str | None, int]]


async def meet(
    uow: UnitOfWork,
    *,
    platform: str,
    platform_user_id: str,
    private_address: str,
    display_name: str,
    locale_hint: str | None,
    private: bool,
    now: datetime,
    default_language: str,
) -> Person:
    """The person's rows, made on their first event, updated with what this event tells about them.

    `private_address` is only an address that reaches the person alone (the outbox must never send their messages
    to a group); `locale_hint` is the platform's language, already normalised, kept for messages sent to them later
    while they have not chosen one."""
    # One statement for a known person: their account, their user and their venue's zone.
    user, account, latest_venue_zone, created = await UserRepository(uow.session).get_or_create(
        platform, platform_user_id, chat_id=private_address, display_name=display_name, now=now
    )
    notice_due = account.unreachable_notice_due
    if private and (not account.reachable or notice_due):
        await reachability.writing_in_private(uow.session, account.id)
        notice_due = False
    if locale_hint is not None and user.locale_hint != locale_hint:
        user.locale_hint = locale_hint
    locale = language_of(user, default_language)
    # Read before any write of this event: pending writes (last seen, the language hint) fail, if they do, at
    # commit, after the person's language is set, so a read-only database is still reported in their language.
    venue_zone = None if user.timezone else latest_venue_zone
    if created:
        # The person's rows exist from here on, whatever this event does next.
        await uow.commit()
    return Person(
        user_id=user.id,
        account_id=account.id,
        display_name=user.display_name,
        locale=locale,
        chosen_locale=user.locale,
        timezone=user.timezone,
        venue_zone=venue_zone,
        full_name=user.full_name,
        birth_year=user.birth_year,
        unreachable_notice_due=notice_due,
    )


async def noted(uow: UnitOfWork) -> None:
    """What `meet` noted of the person (last seen, address, name, language hint) rides with this event's commit:
    the one that also makes its answer or outbox rows (so a linked person's notices follow the account they just
    used), or `seen`'s at the event's end. Written now, once the event speaks the person's language, so a database
    that refuses the write is reported to them in it."""
    await uow.carry()


async def seen(uow: UnitOfWork) -> None:
    """The end of a chat event: what `meet` noted of the person is kept, if the event's use case did not commit it
    (a read like /help or /progress). Anything else left uncommitted is a use case's forgotten commit."""
    stray = uow.uncommitted
    if stray:
        raise UncommittedWrites(stray)
    if uow.carried:
        await uow.commit()


async def language_for(
    storage: UnitsOfWork, platform: str, platform_user_id: str, locale_hint: str | None, default_language: str
) -> str:
    """The language this person's replies are written in. Read only: an unknown person gets no row."""
    async with storage.unit_of_work() as uow:
        found = await UserRepository(uow.session).account_with_user(platform, platform_user_id)
        if found is None:
            return locale_hint or default_language
        _account, user, _venue_zone = found
        # As in a dispatch, where this event's hint would be stored before language_of reads it.
        return user.locale or locale_hint or language_of(user, default_language)


@commits
async def choose_language(uow: UnitOfWork, user_id: int, code: str) -> None:
    """The person chose the language they are written to in (checked against the catalogs by the caller)."""
    user = await uow.session.get_one(User, user_id)
    user.locale = code


@commits
async def note_written_language(uow: UnitOfWork, user_id: int, code: str) -> None:
    """The language the person writes in, kept as their hint where the platform gives none (Discord messages, the
    console): what is sent to them later is written in it while they have not chosen a language."""
    user = await uow.session.get_one(User, user_id)
    if user.locale is None and user.locale_hint != code:
        user.locale_hint = code


async def stats(uow: UnitOfWork) -> ParticipantStats:
    total, by_platform, by_language = await participant_counts(uow.session)
    return ParticipantStats(total, by_platform, by_language)
