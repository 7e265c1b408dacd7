"""The Messenger port on Discord: a reply sent as a direct message to one member (chat id = user id).

One attempt per call; what to do next is the outcome's business (the outbox retries, or marks the account).
discord.py itself still waits out short rate limits and retries a few 5xx answers inside one request; a rate limit
longer than the client's `max_ratelimit_timeout` comes back here as `retry` with its delay.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.adapters.discord.render import render
from bot.core.ports import SendOutcome
from bot.core.replies import Reply
from bot.core.text import is_number

log = logging.getLogger(__name__)

# Discord's JSON error code for "Cannot send messages to this user" (DMs closed, bot blocked, no shared server).
CANNOT_DM = 50007
NO_MENTIONS = discord.AllowedMentions.none()


def outcome_of(exc: BaseException) -> SendOutcome:
    """What a failed Discord call means for the sender."""
    if isinstance(exc, discord.RateLimited):
        return SendOutcome("retry", retry_after=exc.retry_after, error="rate limited")
    if isinstance(exc, discord.HTTPException):
        error = f"{exc.status} {exc.code}: {exc.text}"[:500]
        if isinstance(exc, discord.Forbidden) and exc.code == CANNOT_DM:
            return SendOutcome("unreachable", error=error)
        if exc.status == 429:
            retry_after = _retry_after(exc)
            return SendOutcome("retry", retry_after=retry_after, error=error)
        if exc.status >= 500:
            return SendOutcome("retry", error=error)
        return SendOutcome("failed", error=error)
    if isinstance(exc, aiohttp.ClientError | OSError | TimeoutError):
        return SendOutcome("retry", error=f"network: {exc!r}"[:500])
    raise exc


def _retry_after(exc: discord.HTTPException) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    value = headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class DiscordMessenger:
    platform = "discord"

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def dm_channel(self, user_id: int) -> discord.DMChannel:
        return await self.client.create_dm(discord.Object(id=user_id))

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        if not is_number(chat_id):
            return SendOutcome("failed", error=f"not a Discord user id: {chat_id[:40]!r}")
        try:
            channel = await self.dm_channel(int(chat_id))
            for message in render(reply).messages():
                await channel.send(**message, allowed_mentions=NO_MENTIONS)
        except (TimeoutError, discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError) as exc:
            outcome = outcome_of(exc)
            log.info("discord send to %s: %s (%s)", chat_id, outcome.status, outcome.error)
            return outcome
        return SendOutcome("sent")
