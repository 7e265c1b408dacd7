"""Who is staff: configured lists of platform ids, console names and (Discord) a staff role."""

from __future__ import annotations

from bot.core.events import Event
from bot.settings import Settings


def is_staff(settings: Settings, event: Event) -> bool:
    if event.platform == "console":
        return event.user_id in settings.staff_console_users
    if event.platform == "telegram":
        return event.user_id in settings.staff_telegram_ids
    if event.platform == "discord":
        role = settings.discord_staff_role_id
        return event.user_id in settings.staff_discord_ids or bool(role and role in event.roles)
    return False
