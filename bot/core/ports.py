"""Ports the core talks through, so that handlers and jobs never see a platform type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.replies import Reply

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
