"""What one `wego-bot run` process does, from WEGO_ROLES: receive Telegram updates, hold the Discord gateway
connection, and/or campaign for the clock (the scheduler leader, scheduler/leader.py).

Unset, a process takes every role its configuration allows: the single-process deployment. Several processes on
one PostgreSQL database split the roles: any number with `telegram` (webhook mode: Telegram allows one poller),
one with `discord` (one gateway connection per bot), and any number with `clock`, of which exactly one leads.
The leading process sends the outbox for every configured platform, through the door it runs or through a
send-only client for a platform it does not receive.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.app import configured_platforms
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.ports import BroadcastAnnouncer, CalendarMirror, Messenger
    from bot.staff_inbox import StaffInbox
    from scheduler.clock import SchedulerHandle

log = logging.getLogger(__name__)

ROLES = ("telegram", "discord", "clock")


class RoleError(ValueError):
    """WEGO_ROLES asks for something this configuration cannot do: the process must not start half-way."""


def resolve_roles(settings: Settings) -> list[str]:
    """The roles of this process, checked against the configuration (RoleError with the reason)."""
    configured = configured_platforms(settings)
    if not settings.wego_roles:
        return [*configured, "clock"]
    roles = list(dict.fromkeys(settings.wego_roles))
    for role in roles:
        if role in ("telegram", "discord") and role not in configured:
            raise RoleError(f"WEGO_ROLES has {role}, but {role.upper()}_TOKEN is not set")
    if "telegram" in roles and not settings.telegram_webhook_url:
        # Not an error (a single process may poll), but a split deployment polling twice gets 409 Conflict.
        log.warning("telegram role without TELEGRAM_WEBHOOK_URL: long polling works in one process only")
    if not settings.database_url.startswith("postgresql") and set(roles) != {*configured, "clock"}:
        raise RoleError(
            "splitting roles across processes needs PostgreSQL (DATABASE_URL); SQLite serves one process that "
            "takes every role: leave WEGO_ROLES unset"
        )
    return roles


@dataclass
class Senders:
    """The clock's ways out: each platform's messenger, the staff chats, the announcement channels, the calendars."""

    messengers: dict[str, Messenger] = field(default_factory=dict)
    staff_inboxes: list[StaffInbox] = field(default_factory=list)
    announcers: list[BroadcastAnnouncer] = field(default_factory=list)
    calendars: list[CalendarMirror] = field(default_factory=list)


@contextlib.asynccontextmanager
async def send_only(app: App, have: Sequence[str]) -> AsyncIterator[Senders]:
    """Clients that only send, for the configured platforms this process does not receive (`have`)."""
    settings = app.settings
    senders = Senders()
    closers: list[Callable[[], Awaitable[Any]]] = []
    try:
        wanted = [platform for platform in configured_platforms(settings) if platform not in have]
        if "telegram" in wanted:
            from bot.adapters.telegram.messenger import open_send_only as telegram_sender

            messenger, inbox, bot = await telegram_sender(settings)
            closers.append(bot.shutdown)
            senders.messengers["telegram"] = messenger
            if inbox is not None:
                senders.staff_inboxes.append(inbox)
        if "discord" in wanted:
            from bot.adapters.discord.send_only import open_send_only as discord_sender

            door = await discord_sender(app)
            closers.append(door.client.close)
            senders.messengers["discord"] = door.messenger
            if door.staff_inbox is not None:
                senders.staff_inboxes.append(door.staff_inbox)
            if door.announcer is not None:
                senders.announcers.append(door.announcer)
        yield senders
    finally:
        for close in reversed(closers):
            with contextlib.suppress(Exception):
                await close()


def clock_starter(app: App, senders: Senders) -> Callable[[], Awaitable[SchedulerHandle]]:
    """What the leader runs when elected: the scheduler and delivery worker with every platform's sender. One
    clock, started again if this process is elected again after losing the lead."""
    from scheduler.clock import SchedulerHandle

    handle = SchedulerHandle(
        app,
        senders.messengers,
        app.dispatcher.clock,
        staff_inboxes=senders.staff_inboxes,
        announcers=senders.announcers,
        calendars=senders.calendars,
    )

    async def start() -> SchedulerHandle:
        await handle.start()
        assert app.storage is not None
        if not app.storage.is_sqlite:
            # Elected: any row still "sending" belonged to a leader that is gone (only the leader sends).
            await handle.worker.recover(lease_seconds=0)
        return handle

    return start
