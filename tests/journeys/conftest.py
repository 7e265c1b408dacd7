"""A world per test, on SQLite and on PostgreSQL, with the door under test wired as `wego-bot run` wires it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import fresh_postgres_database
from tests.journeys.doors import (
    STAFF_GROUP,
    TELEGRAM_STAFF_ID,
    ConsoleDriver,
    DiscordDriver,
    MixedDriver,
    TelegramDriver,
)
from tests.journeys.world import DoorDriver, World, make_world

DATABASES = ["sqlite", "postgres"]


@contextlib.asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    """ "" (the SQLite file in the data folder) or the URL of a fresh PostgreSQL database."""
    if kind == "sqlite":
        yield ""
        return
    async with fresh_postgres_database() as url:
        yield url


@contextlib.asynccontextmanager
async def world_on(kind: str, tmp: Path, **overrides: object) -> AsyncIterator[World]:
    async with database(kind) as url:
        world = await make_world(tmp, url, **overrides)
        try:
            yield world
        finally:
            await world.close()


@pytest.fixture(params=DATABASES)
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextlib.asynccontextmanager
async def doors_world(
    platforms: list[str], db_kind: str, tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[World, dict[str, DoorDriver]]]:
    """A world with these doors running side by side, as `wego-bot run` runs every configured platform."""
    from tests.adapters.discord.harness import GUILD_ID, STAFF_CHANNEL_ID, STAFF_ROLE_ID
    from tests.adapters.telegram.fakeapi import TOKEN, fake_bot_api

    async with contextlib.AsyncExitStack() as stack:
        overrides: dict[str, object] = {}
        api = None
        if "telegram" in platforms:
            api = await stack.enter_async_context(fake_bot_api())
            overrides.update(
                telegram_token=TOKEN,
                telegram_base_url=f"http://127.0.0.1:{api.port}/bot",
                telegram_staff_chat_id=str(STAFF_GROUP),
                staff_telegram_ids=[str(TELEGRAM_STAFF_ID)],
            )
        if "discord" in platforms:
            overrides.update(
                discord_guild_id=str(GUILD_ID),
                discord_staff_role_id=str(STAFF_ROLE_ID),
                discord_staff_channel_id=str(STAFF_CHANNEL_ID),
            )
        world = await stack.enter_async_context(world_on(db_kind, tmp, **overrides))
        drivers: dict[str, DoorDriver] = {}
        if "console" in platforms:
            drivers["console"] = ConsoleDriver(world)
        if api is not None:
            telegram = TelegramDriver(world, api)
            await telegram.start()
            drivers["telegram"] = telegram
        if "discord" in platforms:
            from bot.adapters.discord.door import DiscordDoor
            from tests.adapters.discord.harness import DiscordHarness

            harness = DiscordHarness(DiscordDoor(world.app, sync_commands=False))
            await harness.start(monkeypatch)
            drivers["discord"] = DiscordDriver(world, harness)
        world.connect(*drivers.values())
        yield world, drivers


@contextlib.asynccontextmanager
async def door_world(
    platform: str, db_kind: str, tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[World, DoorDriver]]:
    if platform == "mixed":
        async with doors_world(["telegram", "discord"], db_kind, tmp, monkeypatch) as (world, drivers):
            telegram, discord = drivers["telegram"], drivers["discord"]
            assert isinstance(telegram, TelegramDriver) and isinstance(discord, DiscordDriver)
            mixed = MixedDriver(world, telegram, discord)
            # The world's doors stay the two real ones (they collect and stop); the journey talks to the pair.
            yield world, mixed
        return
    async with doors_world([platform], db_kind, tmp, monkeypatch) as (world, drivers):
        yield world, drivers[platform]
