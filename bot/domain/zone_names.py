"""Time zones as people and staff type them: one check for every door, no I/O beyond the zone database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# The longest IANA name is about 30 characters; anything far longer is no zone, and the file system would answer
# it with "file name too long" instead of "not found".
MAX_ZONE_NAME = 64
# Buttons offered for a folder of the zone database ("Europe"): a few, the big cities first.
MAX_FOLDER_SUGGESTIONS = 12


@dataclass(frozen=True, slots=True)
class UnknownZone:
    """What was typed is no time zone. When it names a folder of the zone database ("Europe", "America/Argentina"),
    `suggestions` are zones inside it, main cities first; otherwise it is empty."""

    name: str
    suggestions: tuple[str, ...] = ()

    @property
    def is_folder(self) -> bool:
        return bool(self.suggestions)


def check_zone(name: str | None) -> ZoneInfo | UnknownZone:
    """The one zone check for every door: the ZoneInfo for an IANA name, or an UnknownZone refusal.

    `ZoneInfo()` itself raises IsADirectoryError for a folder such as "Europe" and OSError for a very long name,
    besides its own errors; none of those may reach a person as a traceback.
    """
    typed = (name or "").strip()
    if not typed or len(typed) > MAX_ZONE_NAME:
        return UnknownZone(typed[:MAX_ZONE_NAME])
    if typed.strip("/").casefold() in _zone_folders():
        return UnknownZone(typed, _zones_in_folder(_zone_folders()[typed.strip("/").casefold()]))
    if typed.startswith("/") or ".." in typed:
        return UnknownZone(typed)
    try:
        return ZoneInfo(typed)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UnknownZone(typed)


@cache
def _zone_folders() -> dict[str, str]:
    """Folded folder name → its spelling, for every folder of the installed zone database ("europe" → "Europe")."""
    folders: dict[str, str] = {}
    for zone in available_timezones():
        parts = zone.split("/")
        for end in range(1, len(parts)):
            folder = "/".join(parts[:end])
            folders[folder.casefold()] = folder
    return folders


def _zones_in_folder(folder: str) -> tuple[str, ...]:
    """Zones under `folder`, main cities first. CLDR names the zone that stands for each Windows time zone
    (Europe/Paris for "Romance Standard Time"); among those, the ones whose metazone ("Central European Time")
    covers more places come first. Then the other zones of a country, and old alias names (Australia/ACT) last."""
    from collections import Counter

    from babel.core import get_global

    aliases: Mapping[str, str] = get_global("zone_aliases")
    golden = {aliases.get(zone, zone) for zone in get_global("windows_zone_mapping").values()}
    metazones: Mapping[str, str] = get_global("meta_zones")
    current = {aliases.get(zone, zone): metazone for zone, metazone in metazones.items()}
    reach = Counter(current.values())
    in_a_country = {zone for zones in get_global("territory_zones").values() for zone in zones}

    def rank(zone: str) -> tuple[int, int, str]:
        size = reach[current[zone]] if zone in current else 0
        group = 0 if zone in golden else 1 if zone in in_a_country else 2
        return (group, -size, zone)

    inside = [zone for zone in available_timezones() if zone.startswith(folder + "/")]
    return tuple(sorted(inside, key=rank)[:MAX_FOLDER_SUGGESTIONS])
