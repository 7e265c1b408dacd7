"""Ports the core talks through, so that handlers and jobs never see a platform type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from bot.core.replies import Reply

if TYPE_CHECKING:
    from bot.staff_inbox import StaffInbox

SendStatus = Literal["sent", "unreachable", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What one send attempt came to.

    - sent: delivered;
    - unreachable: the person blocked the bot or closed DMs (Telegram 403, Discord 50007): never retry;
    - retry: a flood limit (`retry_after` seconds), a 5xx or a network error: try again later;
    - failed: the platform refused the message itself (e.g. 400): retrying would not help.
    """

    status: SendStatus
    retry_after: float | None = None
    error: str | None = None


class Messenger(Protocol):
    """Sends a reply to one chat on one platform. Implementations live in bot/adapters/<platform>."""

    platform: str

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome: ...


class BroadcastAnnouncer(Protocol):
    """Posts a started broadcast once in public (Discord's announcement channel)."""

    platform: str

    async def announce(self, reply: Reply) -> bool:
        """True when posted; False (the channel cannot take it) or an error: the clock tries again later."""
        ...


class CalendarMirror(Protocol):
    """Keeps a platform's own calendar of the workshops (Discord's Events tab) in line with the rows."""

    async def check(self) -> bool:
        """Sync when any workshop changed since the last look; True when it synced. An error: tried again later."""
        ...


class Door(Protocol):
    """A platform adapter run by `wego-bot run` beside the others in one loop, and what it offers the clock.

    Every feature is declared, None where the door (or its configuration) has none: the bootstrap wires what is
    there, and mypy checks each door against this."""

    @property
    def messenger(self) -> Messenger: ...

    @property
    def staff_inbox(self) -> StaffInbox | None: ...

    @property
    def announcer(self) -> BroadcastAnnouncer | None: ...

    @property
    def calendar(self) -> CalendarMirror | None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
