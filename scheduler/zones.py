"""The one rule for the time zone a person lives in, used by the chat (Context.zone) and the clock's jobs alike.

The zone they set with /timezone; else the zone of the workshop they signed up for (they will be there); else the
zone of their language where nearly everyone who writes it lives in one zone; else the configured default. Nobody
ends up in UTC because they never typed /timezone: a Korean participant's quiet hours are Korean nights.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.timing import zone_or_none
from storage.models import Registration, User, Workshop

# Only languages whose speakers share one zone's clock: German (Germany, Austria, Switzerland all keep Berlin's
# time), Italian (Italy, Switzerland, San Marino), Korean, Chinese (China, Taiwan, Hong Kong, Singapore are all UTC+8
# without daylight saving). English, French and Arabic are written across many zones: those people are asked.
LANGUAGE_ZONES: dict[str, str] = {
    "it": "Europe/Rome",
    "de": "Europe/Berlin",
    "ko": "Asia/Seoul",
    "zh": "Asia/Shanghai",
}
_ACTIVE = ("confirmed", "waitlisted", "offered", "preregistered")


def inferred_zone(venue_zone: str | None, locale: str | None) -> str | None:
    """The zone guessed for someone who never set one, or None when there is no good guess (then ask them)."""
    if zone_or_none(venue_zone) is not None:
        return venue_zone
    return LANGUAGE_ZONES.get(locale or "")


def zone_rule(chosen: str | None, venue_zone: str | None, locale: str | None, default: str) -> str:
    """The IANA zone to use for a person: chosen, else inferred, else `default`."""
    if zone_or_none(chosen) is not None:
        assert chosen is not None
        return chosen
    return inferred_zone(venue_zone, locale) or default


async def venue_zones(session: AsyncSession, user_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Each person's latest active workshop registration's zone (one query for a whole audience)."""
    query = (
        select(Registration.user_id, Workshop.timezone)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(Registration.status.in_(_ACTIVE), Workshop.status != "cancelled")
        .order_by(Registration.registered_at, Registration.id)
    )
    if user_ids is not None:
        query = query.where(Registration.user_id.in_(list(user_ids)))
    # Ordered oldest first, so the latest registration's zone is the one left in the dict.
    return {user_id: zone for user_id, zone in await session.execute(query)}


async def person_zone_name(session: AsyncSession, user: User | None, default_zone: str, default_locale: str) -> str:
    if user is None:
        return default_zone
    from storage.users import language_of

    venue = None if user.timezone else (await venue_zones(session, [user.id])).get(user.id)
    return zone_rule(user.timezone, venue, language_of(user, default_locale), default_zone)


async def person_zone(session: AsyncSession, user: User | None, default_zone: str, default_locale: str) -> ZoneInfo:
    name = await person_zone_name(session, user, default_zone, default_locale)
    return zone_or_none(name) or ZoneInfo("UTC")
