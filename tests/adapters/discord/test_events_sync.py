"""Workshops mirrored as guild scheduled events: created, updated, cancelled, left alone when nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import App
from storage.models import Workshop
from tests.adapters.discord.harness import GUILD_ID, DiscordHarness, snowflake
from tests.conftest import FrozenClock

STARTS = datetime(2026, 5, 14, 7, 0, tzinfo=UTC)


class FakeEvents:
    """The guild's scheduled events as Discord would keep them."""

    def __init__(self, harness: DiscordHarness) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        base = f"/guilds/{GUILD_ID}/scheduled-events"
        harness.routes[("GET", f"/guilds/{GUILD_ID}")] = lambda body: (
            200,
            {"id": str(GUILD_ID), "name": "WeGO Champions", "roles": [], "emojis": [], "features": []},
        )
        harness.routes[("GET", base)] = lambda body: (200, list(self.events.values()))
        harness.routes[("POST", base)] = self.create
        self.harness = harness

    def _event(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": event_id,
            "guild_id": str(GUILD_ID),
            "channel_id": None,
            "creator_id": None,
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body.get("privacy_level", 2),
            "status": body.get("status", 1),
            "entity_type": body.get("entity_type", 3),
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
        }

    def create(self, body: dict[str, Any]) -> tuple[int, Any]:
        event_id = snowflake()
        self.events[event_id] = self._event(event_id, body)
        self.harness.routes[("PATCH", f"/guilds/{GUILD_ID}/scheduled-events/{event_id}")] = (
            lambda patch, event_id=event_id: self.edit(event_id, patch)
        )
        return 200, self.events[event_id]

    def edit(self, event_id: str, patch: dict[str, Any]) -> tuple[int, Any]:
        self.events[event_id] = self._event(event_id, {**self.events[event_id], **patch})
        return 200, self.events[event_id]


async def _workshop(app: App, **changes: Any) -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.get(Workshop, changes.pop("id")) if "id" in changes else None
        if row is None:
            row = Workshop(
                city="Seoul",
                title="Smart City Workshop",
                venue="Seoul City Hall",
                starts_at=STARTS,
                timezone="Asia/Seoul",
                duration_minutes=180,
                capacity=40,
                checkin_code="SEOUL1",
            )
            uow.session.add(row)
        for key, value in changes.items():
            setattr(row, key, value)
        await uow.session.flush()
        result = row.id
        await uow.commit()
        return result


async def test_workshop_event_lifecycle(harness: DiscordHarness, discord_app: App) -> None:
    events = FakeEvents(harness)
    door = harness.door
    workshop_id = await _workshop(discord_app)

    assert await door.calendar.sync(workshop_id) == "created"
    [event] = events.events.values()
    assert event["name"] == "Smart City Workshop · Seoul"
    assert event["entity_metadata"] == {"location": "Seoul City Hall, Seoul"}
    assert event["scheduled_start_time"] == "2026-05-14T07:00:00+00:00"
    assert event["scheduled_end_time"] == "2026-05-14T10:00:00+00:00"
    assert event["description"].endswith(f"WeGO workshop #{workshop_id}")

    assert await door.calendar.sync(workshop_id) == "unchanged"

    await _workshop(discord_app, id=workshop_id, venue="Seoul Innovation Park")
    assert await door.calendar.sync(workshop_id) == "updated"
    [event] = events.events.values()
    assert event["entity_metadata"] == {"location": "Seoul Innovation Park, Seoul"}

    await _workshop(discord_app, id=workshop_id, status="cancelled")
    assert await door.calendar.sync(workshop_id) == "cancelled"
    [event] = events.events.values()
    assert event["status"] == 4
    # A cancelled event is not touched again.
    assert await door.calendar.sync(workshop_id) == "unchanged"


async def test_undated_and_past_workshops_get_no_event(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    events = FakeEvents(harness)
    undated = await _workshop(discord_app, starts_at=None)
    assert await harness.door.calendar.sync(undated) == "unchanged"
    clock.now = datetime(2026, 6, 1, tzinfo=UTC)
    past = await _workshop(discord_app)
    assert await harness.door.calendar.sync(past) == "unchanged"
    assert events.events == {}
    assert await harness.door.calendar.sync_all() == {}


async def _nobody(_notice: object) -> None:
    return None


async def test_a_staff_edit_anywhere_reaches_the_events_tab(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    from bot.services.workshop_admin import edit_workshop
    from handlers.workshop_input import parse_fields

    events = FakeEvents(harness)
    door = harness.door
    await door.on_ready()  # the first sync at connect; the clock's later looks start from it
    assert events.events == {}
    assert await door.calendar.check() is False
    workshop_id = await _workshop(discord_app, updated_at=clock.now)
    assert await door.calendar.check() is True
    assert [e["entity_metadata"] for e in events.events.values()] == [{"location": "Seoul City Hall, Seoul"}]
    clock.advance(minutes=5)
    assert discord_app.storage is not None
    async with discord_app.storage.unit_of_work() as uow:  # the path `/ws_edit` and `wego-bot workshop edit` take
        fields = parse_fields([("venue", "Seoul Innovation Park")])
        await edit_workshop(uow, workshop_id, fields, clock.now, notify=_nobody, offer_hours=48)
    assert await door.calendar.check() is True
    assert [e["entity_metadata"] for e in events.events.values()] == [{"location": "Seoul Innovation Park, Seoul"}]
    assert await door.calendar.check() is False
    await door.stop()


async def test_a_refused_sync_is_tried_again_at_the_next_look(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    import discord

    events = FakeEvents(harness)
    refusals = 2

    def create_or_refuse(body: dict[str, Any]) -> tuple[int, Any]:
        nonlocal refusals
        if refusals:
            refusals -= 1
            return 403, {"message": "Missing Permissions", "code": 50013}
        return events.create(body)

    harness.routes[("POST", f"/guilds/{GUILD_ID}/scheduled-events")] = create_or_refuse
    door = harness.door
    await _workshop(discord_app, updated_at=clock.now)
    await door.on_ready()  # the first sync is refused: logged, not raised
    assert events.events == {} and door.calendar is not None
    with pytest.raises(discord.Forbidden):
        await door.calendar.check()
    # Nothing changed since, but nothing was synced either: the next look syncs.
    assert await door.calendar.check() is True
    assert [e["entity_metadata"] for e in events.events.values()] == [{"location": "Seoul City Hall, Seoul"}]
    assert await door.calendar.check() is False
    await door.stop()


async def test_a_broadcast_is_posted_once_to_the_announcement_channel(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    from bot.adapters.discord.announce import DiscordAnnouncer
    from scheduler.announce import announce_pending
    from storage.models import Broadcast

    channel = "900000000000000077"
    posted: list[dict[str, Any]] = []
    harness.routes[("GET", f"/channels/{channel}")] = lambda body: (
        200,
        {"id": channel, "type": 0, "guild_id": str(GUILD_ID), "name": "announcements", "position": 0},
    )

    def post(body: dict[str, Any]) -> tuple[int, Any]:
        posted.append(body)
        return 200, {
            "id": snowflake(),
            "channel_id": channel,
            "content": body.get("content", ""),
            "type": 0,
            "author": {"id": "1", "username": "bot", "discriminator": "0"},
            "attachments": [],
            "embeds": [],
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "mention_everyone": False,
            "tts": False,
            "timestamp": "2026-03-02T09:00:00+00:00",
            "edited_timestamp": None,
            "flags": 0,
            "components": [],
        }

    harness.routes[("POST", f"/channels/{channel}/messages")] = post
    assert discord_app.storage is not None
    async with discord_app.storage.unit_of_work() as uow:
        telegram_only = Broadcast(
            texts={"en": "Telegram only"}, default_language="en", status="sending", started_at=clock.now
        )
        telegram_only.audience = {"platform": "telegram"}
        uow.session.add_all(
            [
                Broadcast(
                    texts={"en": "Seoul <b>workshop</b> moved to *May*"},
                    default_language="en",
                    status="sending",
                    started_at=clock.now,
                ),
                telegram_only,
            ]
        )
        await uow.commit()
    # No channel configured: the door offers no announcer, and the clock posts nothing.
    assert harness.door.announcer is None
    announcer = DiscordAnnouncer(harness.client, int(channel))
    # The Telegram-only broadcast is not posted here, and both are done with.
    assert await announce_pending(discord_app.storage, [announcer], clock.now) == 2
    assert [p["content"] for p in posted] == [
        "📣 **Message from the program team**\n\nSeoul <b>workshop</b> moved to \\*May\\*"
    ]
    assert posted[0]["allowed_mentions"] == {"parse": []}
    assert await announce_pending(discord_app.storage, [announcer], clock.now) == 0
    assert len(posted) == 1
