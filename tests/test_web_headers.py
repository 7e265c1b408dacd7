"""Every web response (pages, errors, /health and Telegram's webhook) carries the browser protections."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, build_app
from bot.web import build_web_app
from tests.conftest import make_settings
from tests.helpers import ChatDriver

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Server": "WeGO",
}


@pytest.fixture
async def webhook_app(tmp_path: Path) -> AsyncIterator[App]:
    settings = make_settings(
        tmp_path,
        telegram_token="123456:ABC",
        telegram_webhook_url="https://bot.example.org/hooks/telegram",
        telegram_webhook_secret="s3cret-token_1",
    )
    app = await build_app(settings)
    try:
        yield app
    finally:
        await app.close()


@pytest.fixture
async def client(webhook_app: App) -> AsyncIterator[TestClient[object, object]]:
    from bot.adapters.telegram.door import TelegramDoor, webhook_route

    door = TelegramDoor(webhook_app)
    async with TestClient(TestServer(build_web_app(webhook_app, [webhook_route(door)]))) as test_client:
        yield test_client


def _style_hash(page: str) -> str:
    style = re.search(r"<style>(.*?)</style>", page, flags=re.S)
    assert style is not None
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode() + "'"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/verify/ABCD-EFGH-JKMN-PQRS", 404),
        ("GET", "/verify/not-a-code", 400),
        ("GET", "/nowhere", 404),
        ("GET", "/", 404),
        ("GET", "/health", 200),
        ("POST", "/health", 405),
        ("POST", "/hooks/telegram", 403),
        ("GET", "/hooks/telegram", 405),
    ],
)
async def test_every_route_sends_the_security_headers(
    client: TestClient[object, object], method: str, path: str, status: int
) -> None:
    response = await client.request(method, path)
    assert response.status == status
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; ")
    assert policy.endswith("; frame-ancestors 'none'")
    assert "unsafe-inline" not in policy
    assert "aiohttp" not in str(response.headers) and "Python" not in str(response.headers)
    if response.content_type == "text/html":
        # The page's own inline style is the one the policy allows (a browser would drop any other).
        assert f"style-src {_style_hash(await response.text())};" in policy


async def test_the_webhook_with_its_secret_has_them_too(client: TestClient[object, object]) -> None:
    from bot.adapters.telegram.door import SECRET_HEADER

    # Accepted by the secret check; the door is not started in this test, so Telegram is asked to come back.
    response = await client.post("/hooks/telegram", data="{}", headers={SECRET_HEADER: "s3cret-token_1"})
    assert response.status == 503
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name


async def test_a_valid_record_page_has_them_too(webhook_app: App, client: TestClient[object, object]) -> None:
    from datetime import UTC, datetime

    from bot.certificates import codes
    from storage import certificates as store
    from tests.helpers import user_id_of

    await ChatDriver(webhook_app, "alice").send("/start")
    assert webhook_app.storage is not None
    async with webhook_app.storage.unit_of_work() as uow:
        record = await store.issue(
            uow.session,
            user_id=await user_id_of(webhook_app, "alice"),
            kind=store.COURSE,
            workshop_id=None,
            name="Alice Liddell",
            now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            secret=webhook_app.settings.effective_secret(),
        )
        await uow.commit()
    assert record.code is not None
    response = await client.get(f"/verify/{codes.group(record.code)}")
    assert response.status == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert f"style-src {_style_hash(await response.text())};" in response.headers["Content-Security-Policy"]
