"""Discord interactions through the door's line: one member's commands one after another in the order Discord
sent them, different members side by side, never more than the configured number at once.

On PostgreSQL, because SQLite runs one writing transaction at a time and every command is one: there the members'
commands could never overlap inside the handler, whatever the door does."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.core.context import Context
from bot.core.replies import Reply
from bot.core.router import Router
from tests.adapters.discord.harness import GUILD_ID, DiscordHarness, Member, snowflake
from tests.conftest import FrozenClock, make_settings

MEMBERS = [Member(str(800000000000001000 + n), f"m{n}") for n in range(8)]
CONCURRENCY = 3


class Log:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []
        self.running = 0
        self.peak = 0
        self.rng = random.Random(11)


log = Log()
slow_router = Router()


@slow_router.command("slow")
async def slow(ctx: Context) -> Reply:
    """A command that takes a random while, recording when it starts and ends."""
    log.running += 1
    log.peak = max(log.peak, log.running)
    log.events.append(("start", ctx.event.user_id, ctx.text))
    await asyncio.sleep(log.rng.uniform(0, 0.02))
    log.events.append(("end", ctx.event.user_id, ctx.text))
    log.running -= 1
    return Reply(f"done {ctx.text}")


@pytest.fixture
async def discord_app(tmp_path: Path, clock: FrozenClock, postgres_url: str) -> AsyncIterator[App]:
    """The harness's app (tests/adapters/discord/conftest.py) on PostgreSQL, with the slow command."""
    app = await build_app(
        make_settings(
            tmp_path,
            database_url=postgres_url,
            discord_guild_id=str(GUILD_ID),
            discord_interaction_concurrency=CONCURRENCY,
        )
    )
    app.router.include(slow_router)
    app.dispatcher.clock = clock
    try:
        yield app
    finally:
        await app.close()


def command_payload(rig: DiscordHarness, member: Member, text: str) -> dict[str, Any]:
    data = {
        "id": snowflake(),
        "name": "slow",
        "type": 1,
        "options": [{"name": "text", "type": 3, "value": text}],
        "guild_id": str(GUILD_ID),
    }
    return {**rig._base(member, dm=False), "type": 2, "data": data}


async def test_one_members_commands_in_order_members_side_by_side(harness: DiscordHarness) -> None:
    log.events.clear()
    log.peak = 0
    rng = random.Random(3)
    sent: dict[str, list[str]] = {member.user_id: [] for member in MEMBERS}
    # A burst as the gateway delivers it: all parsed at once, discord.py starting a task for each.
    for number in range(80):
        member = rng.choice(MEMBERS)
        sent[member.user_id].append(f"n{number}")
        harness.client._connection.parse_interaction_create(command_payload(harness, member, f"n{number}"))  # type: ignore[arg-type]
    await harness.settle()
    for member in MEMBERS:
        lane = [(kind, text) for kind, user, text in log.events if user == member.user_id]
        assert lane == [(kind, text) for text in sent[member.user_id] for kind in ("start", "end")], member.name
    assert len(log.events) == 160
    assert log.peak == CONCURRENCY
    answers = sorted(call.content for call in harness.calls if call.content.startswith("done "))
    assert answers == sorted(f"done n{number}" for number in range(80))
