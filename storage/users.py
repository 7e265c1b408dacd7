"""Participants and their platform accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.home_zone import zone_rule
from bot.domain.timing import zone_or_none
from bot.domain.workshops import ACTIVE, WorkshopStatus
from storage.models import Account, Registration, User, Workshop


class Speaks(Protocol):
    """What the language rule reads of a person: a User, or a row of those two columns."""

    @property
    def locale(self) -> str | None: ...

    @property
    def locale_hint(self) -> str | None: ...


def language_of(user: Speaks, default: str) -> str:
    """The language to write to this person in: the one they chose, else their platform's, else the default."""
    return user.locale or user.locale_hint or default


# A person's latest active registration's zone: the one `venue_zones` keeps (it reads them oldest first by
# (registered_at, id) and keeps the last; newest first and the first is the same row on both databases).
_LATEST_VENUE_ZONE = (
    select(Workshop.timezone)
    .select_from(Registration)
    .join(Workshop, Workshop.id == Registration.workshop_id)
    .where(
        Registration.user_id == User.id,
        Registration.status.in_(ACTIVE),
        Workshop.status != WorkshopStatus.CANCELLED,
    )
    .order_by(Registration.registered_at.desc(), Registration.id.desc())
    .limit(1)
    .correlate(User)
    .scalar_subquery()
)

# How stale an account's last-seen time may get while it is already its person's latest account. What reads the
# time is the choice of the account a person's messages go to (their latest one, storage/outbox.py and
# storage/broadcasts.py: an order of their accounts, never the time itself) and their data export.
LAST_SEEN_PRECISION = timedelta(seconds=60)

_OTHER = aliased(Account)
# Another account of the same person comes first in that order (later last seen, or the same time and a higher id).
_SEEN_LATER_ELSEWHERE = (
    exists()
    .where(
        _OTHER.user_id == Account.user_id,
        _OTHER.id != Account.id,
        or_(
            _OTHER.last_seen_at > Account.last_seen_at,
            and_(_OTHER.last_seen_at == Account.last_seen_at, _OTHER.id > Account.id),
        ),
    )
    .correlate(Account)
)

# Who is talking, in one round trip: the account, its user, their venue's zone and whether another of their accounts
# was seen later. Built once: an event pays for neither building the statement nor its cache key.
_ACCOUNT_WITH_USER = (
    select(Account, User, _LATEST_VENUE_ZONE, _SEEN_LATER_ELSEWHERE)
    .join(User, User.id == Account.user_id)
    .where(Account.platform == bindparam("platform"), Account.platform_user_id == bindparam("platform_user_id"))
)


def needs_last_seen(account: Account, now: datetime, seen_later_elsewhere: bool) -> bool:
    """Whether this event must write the account's last-seen time.

    Skipped only while the account already comes first among its person's accounts and its time is less than
    LAST_SEEN_PRECISION old: the order of their accounts, which is all that picks where their messages go, is then
    the one writing it would give (this account first), and stays so until another account is seen, which writes."""
    if seen_later_elsewhere:
        return True
    age = now - account.last_seen_at
    return not timedelta(0) <= age < LAST_SEEN_PRECISION


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def account(self, platform: str, platform_user_id: str) -> Account | None:
        return await self.session.scalar(
            select(Account).where(Account.platform == platform, Account.platform_user_id == platform_user_id)
        )

    async def account_with_user(self, platform: str, platform_user_id: str) -> tuple[Account, User, str | None] | None:
        """The account, its user and the zone of their latest active workshop registration (`venue_zones`'s
        answer for them), in one statement; None for an unknown account."""
        found = await self._account_with_user_and_order(platform, platform_user_id)
        return None if found is None else found[:3]

    async def _account_with_user_and_order(
        self, platform: str, platform_user_id: str
    ) -> tuple[Account, User, str | None, bool] | None:
        """`account_with_user`, and whether another account of the person was seen later (`needs_last_seen`)."""
        row = (
            await self.session.execute(_ACCOUNT_WITH_USER, {"platform": platform, "platform_user_id": platform_user_id})
        ).first()
        if row is None:
            return None
        account, user, venue_zone, seen_later_elsewhere = row
        return account, user, venue_zone, bool(seen_later_elsewhere)

    async def get_or_create(
        self, platform: str, platform_user_id: str, *, chat_id: str, display_name: str, now: datetime
    ) -> tuple[User, Account, str | None, bool]:
        """The person's user and account, made on their first event, with what this event tells about them, their
        venue's zone (`venue_zones`), read in the same statement, and whether they were made just now."""
        found = await self._account_with_user_and_order(platform, platform_user_id)
        if found is None:
            try:
                # A savepoint, so that losing a race to another event of the same person costs nothing.
                async with self.session.begin_nested():
                    user = User(display_name=display_name[:200], created_at=now)
                    account = Account(
                        user=user,
                        platform=platform,
                        platform_user_id=platform_user_id,
                        chat_id=chat_id,
                        created_at=now,
                        last_seen_at=now,
                    )
                    self.session.add_all([user, account])
                # A user made just now has no registration (they reference users.id, and foreign keys are
                # enforced on both databases), so no venue either.
                return user, account, None, True
            except IntegrityError:
                found = await self._account_with_user_and_order(platform, platform_user_id)
                if found is None:
                    raise
        account, user, venue_zone, seen_later_elsewhere = found
        if needs_last_seen(account, now, seen_later_elsewhere):
            account.last_seen_at = now
        if chat_id and account.chat_id != chat_id:
            account.chat_id = chat_id
        if display_name and user.display_name != display_name[:200]:
            user.display_name = display_name[:200]
        return user, account, venue_zone, False


async def venue_zones(session: AsyncSession, user_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Each person's latest active workshop registration's zone (one query for a whole audience)."""
    query = (
        select(Registration.user_id, Workshop.timezone)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        # Registrations that say where a person will be (a cancelled one does not).
        .where(Registration.status.in_(ACTIVE), Workshop.status != WorkshopStatus.CANCELLED)
        .order_by(Registration.registered_at, Registration.id)
    )
    if user_ids is not None:
        # One expanding parameter: a fan-out chunk's hundreds of ids are not made into as many expressions.
        query = query.where(Registration.user_id.in_(bindparam("user_ids", list(user_ids), expanding=True)))
    # Ordered oldest first, so the latest registration's zone is the one left in the dict.
    return {user_id: zone for user_id, zone in await session.execute(query)}


async def person_zone_name(session: AsyncSession, user: User | None, default_zone: str, default_locale: str) -> str:
    """The person's zone by the one rule (bot.domain.home_zone), with their venue looked up."""
    if user is None:
        return default_zone
    venue = None if user.timezone else (await venue_zones(session, [user.id])).get(user.id)
    return zone_rule(user.timezone, venue, language_of(user, default_locale), default_zone)


async def person_zone(session: AsyncSession, user: User | None, default_zone: str, default_locale: str) -> ZoneInfo:
    name = await person_zone_name(session, user, default_zone, default_locale)
    return zone_or_none(name) or ZoneInfo("UTC")


async def participant_counts(
    session: AsyncSession,
) -> tuple[int, list[tuple[str, int]], list[tuple[str | None, int]]]:
    """Participants not deleted: how many, how many per platform (one person counted once per platform they
    use), and how many per chosen language (None: not chosen)."""
    active = User.deleted_at.is_(None)
    total = await session.scalar(select(func.count()).select_from(User).where(active)) or 0
    by_platform = await session.execute(
        select(Account.platform, func.count(func.distinct(Account.user_id)))
        .join(User, User.id == Account.user_id)
        .where(active)
        .group_by(Account.platform)
        .order_by(Account.platform)
    )
    by_language = await session.execute(
        select(User.locale, func.count()).where(active).group_by(User.locale).order_by(User.locale)
    )
    return (
        int(total),
        [(platform, int(count)) for platform, count in by_platform],
        [(locale, int(count)) for locale, count in by_language],
    )
