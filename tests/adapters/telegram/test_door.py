"""The door in long-polling mode, against the fake Bot API: start, answer an update, stop cleanly."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest
from telegram.error import NetworkError
from telegram.ext import Application

from bot.adapters.telegram.door import TelegramDoor
from bot.adapters.telegram.http import AiohttpRequest
from bot.app import App, build_app
from tests.adapters.telegram.fakeapi import TOKEN, fake_bot_api
from tests.conftest import make_settings

FIXTURES = Path(__file__).parent / "fixtures"


async def test_polling_answers_and_stops(app: App) -> None:
    async with fake_bot_api() as api:
        api.updates.append(json.loads((FIXTURES / "private_start.json").read_text(encoding="utf-8")))
        builder = (
            Application.builder()
            .token(TOKEN)
            .base_url(f"http://127.0.0.1:{api.port}/bot")
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(1, read_timeout=2))
        )
        door = TelegramDoor(app, builder=builder)
        await door.start()
        try:
            for _ in range(200):
                if api.called("sendMessage"):
                    break
                await asyncio.sleep(0.02)
        finally:
            await door.stop()
        assert not door.application.running and not door.started
        assert "setWebhook" not in api.methods and "deleteWebhook" in api.methods
        assert [call["chat_id"] for call in api.called("sendMessage")] == [111111111]
        assert api.methods.count("setMyCommands") == 8


async def test_a_door_that_cannot_reach_telegram_fails_to_start_and_leaves_no_connection_open(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens there any more: the start's first call (getMe) is refused.
    app = await build_app(
        make_settings(tmp_path, telegram_token=TOKEN, telegram_base_url=f"http://127.0.0.1:{port}/bot")
    )
    try:
        door = TelegramDoor(app)
        with pytest.raises(NetworkError):
            await door.start()
        assert not door.started
        assert [client.closed for client in door.clients] == [False, False]
        await door.stop()
        assert [client.closed for client in door.clients] == [True, True]
    finally:
        await app.close()
