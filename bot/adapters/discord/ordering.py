"""Discord interactions handled concurrently across people and strictly in order for one person.

discord.py runs every interaction in a task of its own, all at once and in no guaranteed order: two quick presses
of one member could be handled the wrong way round, and a burst from thousands of members would start thousands
of database transactions together. The door takes each command or press through this line: at most
`concurrency` at once, one member's one after another in the order Discord delivered them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import discord

from bot.core.ordering import OrderedRunner


class InteractionOrder:
    def __init__(self, concurrency: int) -> None:
        self.runner = OrderedRunner(concurrency)

    @asynccontextmanager
    async def turn(
        self, interaction: discord.Interaction[Any], defer: Callable[[], Awaitable[None]]
    ) -> AsyncIterator[None]:
        """The member's turn. Waiting behind their own earlier interaction, this one is deferred first: Discord
        wants an acknowledgement within 3 s, and the earlier one may take longer than that."""
        async with self.runner.turn(("user", interaction.user.id), on_queue=defer):
            yield
