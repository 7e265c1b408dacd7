"""The one rule for the time zone a person lives in, used by the chat (Context.zone) and the clock's jobs alike.

The zone they set with /timezone; else the zone of the workshop they signed up for (they will be there); else the
zone of their language where nearly everyone who writes it lives in one zone; else the configured default. Nobody
ends up in UTC because they never typed /timezone: a Korean participant's quiet hours are Korean nights.
"""

from __future__ import annotations

from bot.domain.timing import zone_or_none

# Only languages whose speakers share one zone's clock: German (Germany, Austria, Switzerland all keep Berlin's
# time), Italian (Italy, Switzerland, San Marino), Korean, Chinese (China, Taiwan, Hong Kong, Singapore are all UTC+8
# without daylight saving). English, French and Arabic are written across many zones: those people are asked.
LANGUAGE_ZONES: dict[str, str] = {
    "it": "Europe/Rome",
    "de": "Europe/Berlin",
    "ko": "Asia/Seoul",
    "zh": "Asia/Shanghai",
}


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
