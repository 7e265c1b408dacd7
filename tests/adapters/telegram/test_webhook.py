"""The webhook request handler: only Telegram (with our secret header) may feed updates in."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from telegram.ext import Application

from bot.adapters.telegram.door import SECRET_HEADER, TelegramDoor, webhook_route, webhook_secret
from bot.app import App
from bot.settings import Settings
from tests.adapters.telegram.fakeapi import TOKEN, fake_bot_api
from tests.conftest import make_settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path,
        telegram_token="123456:ABC",
        telegram_webhook_url="https://bot.example.org/hooks/telegram",
        telegram_webhook_secret="s3cret-token_1",
    )


@pytest.fixture
async def served(app: App) -> AsyncIterator[tuple[TelegramDoor, str]]:
    door = TelegramDoor(app)
    web_app = web.Application()
    web_app.add_routes([webhook_route(door)])
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    door.started = True  # the route only; no Bot API behind it in this test
    try:
        yield door, f"http://127.0.0.1:{port}/hooks/telegram"
    finally:
        await runner.cleanup()


async def test_update_with_the_secret_is_queued(served: tuple[TelegramDoor, str]) -> None:
    door, url = served
    body = (FIXTURES / "private_start.json").read_text(encoding="utf-8")
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=body, headers={SECRET_HEADER: "s3cret-token_1"})
    assert answer.status_code == 200
    queued = door.application.update_queue.get_nowait()
    assert queued.update_id == 900000001 and queued.message.text == "/start"


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, "{}", 403),
        ({SECRET_HEADER: "wrong"}, "{}", 403),
        ({SECRET_HEADER: "s3cret-token_1"}, "not json", 400),
        ({SECRET_HEADER: "s3cret-token_1"}, "[1, 2]", 400),
    ],
)
async def test_refused(served: tuple[TelegramDoor, str], headers: dict[str, str], body: str, status: int) -> None:
    door, url = served
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=body, headers=headers)
    assert answer.status_code == status
    assert door.application.update_queue.empty()


async def test_not_started_asks_telegram_to_come_back(served: tuple[TelegramDoor, str]) -> None:
    door, url = served
    door.started = False
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=json.dumps({"update_id": 1}), headers={SECRET_HEADER: "s3cret-token_1"})
    assert answer.status_code == 503


async def test_an_update_posted_while_stopping_is_sent_back_to_telegram(app: App) -> None:
    """PTB's stop no longer reads the queue: an update accepted then would be lost, so Telegram must resend it."""
    statuses: list[int] = []
    web_app = web.Application()
    runner = web.AppRunner(web_app)

    class PostsWhileStopping(Application):  # type: ignore[type-arg]
        async def stop(self) -> None:
            body = (FIXTURES / "private_start.json").read_text(encoding="utf-8")
            async with httpx.AsyncClient() as client:
                answer = await client.post(url, content=body, headers={SECRET_HEADER: "s3cret-token_1"})
            statuses.append(answer.status_code)
            await super().stop()

    async with fake_bot_api() as api:
        builder = (
            Application.builder()
            .token(TOKEN)
            .base_url(f"http://127.0.0.1:{api.port}/bot")
            .application_class(PostsWhileStopping)
        )
        door = TelegramDoor(app, builder=builder)
        web_app.add_routes([webhook_route(door)])
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hooks/telegram"  # type: ignore[union-attr]
        try:
            await door.start()
            assert door.started and "setWebhook" in api.methods
            await door.stop()
        finally:
            await runner.cleanup()
    assert statuses == [503]


def test_secret_is_derived_when_not_configured(tmp_path: Path) -> None:
    derived = webhook_secret(make_settings(tmp_path, telegram_webhook_url="https://x.example/t"))
    assert len(derived) == 64 and derived == webhook_secret(make_settings(tmp_path, telegram_webhook_url="https://y"))
    assert derived != webhook_secret(make_settings(tmp_path, secret_key="another-secret-key-of-at-least-32-bytes"))
