"""Telegram updates handled concurrently across chats and strictly in order within one chat.

python-telegram-bot handles one update at a time by default: a flood wait while answering one person stopped
everyone. This update processor lets `concurrency` updates run at once, one chat's updates one after another.
PTB's own bound (`max_concurrent_updates`) counts updates *admitted*, including those waiting for their chat's
turn; it is set to `backlog`, so that one busy chat cannot take every running slot while it waits for itself.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.core.ordering import OrderedRunner


def order_key(update: object) -> Hashable | None:
    """The chat an update belongs to (the person, for a press on an inline message); None: no order needed."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


# Where an update names its chat (PTB's `effective_chat`), and else its person (`effective_user`), in raw JSON.
_CHAT_PATHS = (
    ("message", "chat"),
    ("edited_message", "chat"),
    ("channel_post", "chat"),
    ("edited_channel_post", "chat"),
    ("business_message", "chat"),
    ("edited_business_message", "chat"),
    ("callback_query", "message", "chat"),
    ("my_chat_member", "chat"),
    ("chat_member", "chat"),
    ("chat_join_request", "chat"),
    ("message_reaction", "chat"),
    ("message_reaction_count", "chat"),
    ("chat_boost", "chat"),
    ("removed_chat_boost", "chat"),
)
_USER_KINDS = (
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    "shipping_query",
    "pre_checkout_query",
    "poll_answer",
)


def order_key_of_payload(payload: str) -> Hashable | None:
    """`order_key` for an update as Telegram posted it (the webhook store's JSON), without building the Update:
    the store reads it for every row it looks at when choosing the next update to handle."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for path in _CHAT_PATHS:
        found: Any = data
        for step in path:
            found = found.get(step) if isinstance(found, dict) else None
        if isinstance(found, dict) and "id" in found:
            return ("chat", found["id"])
    for kind in _USER_KINDS:
        part = data.get(kind)
        person = (part.get("from") or part.get("user")) if isinstance(part, dict) else None
        if isinstance(person, dict) and "id" in person:
            return ("user", person["id"])
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """PTB's update processor: concurrent across chats, in order per chat (see the module docstring)."""

    __slots__ = ("runner",)

    def __init__(self, concurrency: int, backlog: int) -> None:
        # PTB runs updates one by one (no task each) when its bound is 1: keep it above 1 so a bound of one
        # running update still lets other chats queue instead of the fetcher blocking.
        super().__init__(max(backlog, concurrency, 2))
        self.runner = OrderedRunner(concurrency)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await self.runner.run(order_key(update), coroutine)

    async def initialize(self) -> None:
        """Nothing to open: the runner lives as long as the processor."""

    async def shutdown(self) -> None:
        """Nothing to close: PTB waits for the updates in hand before it calls this."""
