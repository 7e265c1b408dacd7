"""The webhook request handler: only Telegram (with our secret header) may feed updates in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select
from telegram.ext import Application

from bot.adapters.telegram.door import SECRET_HEADER, TelegramDoor, webhook_route, webhook_secret
from bot.adapters.telegram.inbox import UpdateInbox
from bot.app import App
from bot.settings import Settings
from storage.models import TelegramUpdate
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
    assert app.storage is not None

    async def not_handled(data: dict[str, Any]) -> None:
        raise AssertionError("the worker is not started in these tests")

    door.inbox = UpdateInbox(app.storage, not_handled)
    try:
        yield door, f"http://127.0.0.1:{port}/hooks/telegram"
    finally:
        await runner.cleanup()


async def stored(app: App) -> list[TelegramUpdate]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return list(await uow.session.scalars(select(TelegramUpdate).order_by(TelegramUpdate.id)))


async def test_an_update_is_stored_before_it_is_acknowledged_and_once(
    served: tuple[TelegramDoor, str], app: App
) -> None:
    door, url = served
    body = (FIXTURES / "private_start.json").read_text(encoding="utf-8")
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=body, headers={SECRET_HEADER: "s3cret-token_1"})
        assert answer.status_code == 200
        # Telegram sends an update again when our "ok" did not reach it: acknowledged, not stored twice.
        again = await client.post(url, content=body, headers={SECRET_HEADER: "s3cret-token_1"})
        assert again.status_code == 200
    rows = await stored(app)
    assert [(row.update_id, row.status) for row in rows] == [(900000001, "pending")]
    assert json.loads(rows[0].payload)["message"]["text"] == "/start"
    assert door.application.update_queue.empty()


async def test_an_update_the_database_cannot_take_is_refused_so_telegram_resends_it(
    served: tuple[TelegramDoor, str], app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.telegram_updates

    async def locked(*args: object) -> bool:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(storage.telegram_updates, "store", locked)
    _door, url = served
    body = (FIXTURES / "private_start.json").read_text(encoding="utf-8")
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=body, headers={SECRET_HEADER: "s3cret-token_1"})
    assert answer.status_code == 503
    assert await stored(app) == []


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, "{}", 403),
        ({SECRET_HEADER: "wrong"}, "{}", 403),
        ({SECRET_HEADER: "s3cret-token_1"}, "not json", 400),
        ({SECRET_HEADER: "s3cret-token_1"}, "[1, 2]", 400),
    ],
)
async def test_refused(
    served: tuple[TelegramDoor, str], app: App, headers: dict[str, str], body: str, status: int
) -> None:
    door, url = served
    async with httpx.AsyncClient() as client:
        answer = await client.post(url, content=body, headers=headers)
    assert answer.status_code == status
    assert door.application.update_queue.empty()
    assert await stored(app) == []


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


async def test_stored_updates_are_handled_in_order_once_and_what_a_crash_held_is_not_handled_again(app: App) -> None:
    assert app.storage is not None
    now = datetime.now(UTC)
    async with app.storage.unit_of_work() as uow:
        # As a kill -9 leaves them: one update in hand, two stored and not yet handled.
        uow.session.add(TelegramUpdate(update_id=1, payload='{"update_id": 1}', status="handling", received_at=now))
        uow.session.add(TelegramUpdate(update_id=2, payload='{"update_id": 2}', status="pending", received_at=now))
        uow.session.add(TelegramUpdate(update_id=3, payload='{"update_id": 3}', status="pending", received_at=now))
        await uow.commit()
    handled: list[int] = []
    both = asyncio.Event()

    async def process(data: dict[str, Any]) -> None:
        handled.append(data["update_id"])
        if data["update_id"] == 2:
            raise ValueError("a handler failure is reported, and the update is still done")
        if len(handled) == 2:
            both.set()

    inbox = UpdateInbox(app.storage, process)
    await inbox.start()
    try:
        await asyncio.wait_for(both.wait(), timeout=10)
        assert await inbox.accept(4, {"update_id": 4}) is True
        assert await inbox.accept(3, {"update_id": 3}) is False
        for _ in range(200):
            if handled == [2, 3, 4]:
                break
            await asyncio.sleep(0.02)
    finally:
        await inbox.stop()
    assert handled == [2, 3, 4]
    rows = await stored(app)
    assert [(row.update_id, row.status, row.payload) for row in rows] == [
        (1, "interrupted", ""),
        (2, "done", ""),
        (3, "done", ""),
        (4, "done", ""),
    ]
