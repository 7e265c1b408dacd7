"""End to end: the real PTB client and our webhook against telemelya, a Bot API emulator from PyPI.

The emulator runs in a subprocess (state in fakeredis); the bot runs as in production (TelegramDoor, webhook
mode) with our aiohttp webhook route on 127.0.0.1. Each test is one person in their own emulator session.

More scenario steps (workshop sign-up, lecture marking, the certificate answer) are added as further test
functions using `TelegramUser`: `await user.send("/workshops", expect=1)`, `await user.press(label, expect=2)`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.adapters.telegram.door import SECRET_HEADER, TelegramDoor, webhook_route
from bot.app import App
from bot.i18n import LANGUAGE_NAMES, _, use_locale
from bot.settings import PROJECT_ROOT, Settings
from handlers.start import DEEP_LINK_PREFIXES
from storage.models import Account, User
from tests.conftest import make_settings

TOKEN = "123456:ABC-e2e"
pytest.importorskip("telemelya")
pytest.importorskip("fakeredis")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    workdir = tmp_path_factory.mktemp("telemelya")  # no .env here: telemelya would read and reject ours
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.adapters.telegram.telemelya_server", str(port)],
        cwd=workdir,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/", timeout=0.5)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("telemelya did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def webhook_port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, emulator: str, webhook_port: int) -> Settings:
    return make_settings(
        tmp_path,
        telegram_token=TOKEN,
        telegram_base_url=f"{emulator}/bot",
        telegram_webhook_url=f"http://127.0.0.1:{webhook_port}/telegram/webhook",
        telegram_webhook_secret="e2e-secret",
    )


@pytest.fixture
async def door(app: App, webhook_port: int) -> AsyncIterator[TelegramDoor]:
    door = TelegramDoor(app)

    # Telegram sends the secret header back; the emulator does not, so the test server adds it, as Telegram would.
    @web.middleware
    async def as_telegram(request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
        headers = request.headers.copy()
        headers[SECRET_HEADER] = door.secret
        return await handler(request.clone(headers=headers))

    web_app = web.Application(middlewares=[as_telegram])
    web_app.add_routes([webhook_route(door)])
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", webhook_port).start()
    await door.start()
    try:
        yield door
    finally:
        await door.stop()
        await runner.cleanup()


class TelegramUser:
    """One person talking to the bot through the emulator; records are what the bot asked Telegram to do."""

    def __init__(self, control: httpx.AsyncClient, chat_id: int) -> None:
        self.control = control
        self.chat_id = chat_id
        self.seen = 0
        self.last_message: dict[str, Any] = {}

    async def _update(self, body: dict[str, Any]) -> None:
        answer = await self.control.post("/api/v1/test/send_update", params={"bot_token": TOKEN}, json=body)
        answer.raise_for_status()

    async def records(self) -> list[dict[str, Any]]:
        answer = await self.control.get(
            "/api/v1/test/responses", params={"session_id": self.control.headers["X-Test-Session"]}
        )
        answer.raise_for_status()
        return list(answer.json()["responses"])

    async def _new(self, expect: int) -> list[dict[str, Any]]:
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            everything = await self.records()
            if len(everything) >= self.seen + expect or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.02)
        new = everything[self.seen :]
        self.seen = len(everything)
        for record in new:
            if record["method"] in ("sendMessage", "editMessageText"):
                self.last_message = record
        assert len(new) == expect, [r["method"] for r in new]
        return new

    async def send(self, text: str, *, expect: int = 1) -> list[dict[str, Any]]:
        await self._update({"chat_id": self.chat_id, "text": text})
        return await self._new(expect)

    async def press_data(self, data: str, *, message_id: int, expect: int = 2) -> list[dict[str, Any]]:
        await self._update({"chat_id": self.chat_id, "callback_data": data, "callback_message_id": message_id})
        return await self._new(expect)

    async def press(self, label: str, *, expect: int = 2) -> list[dict[str, Any]]:
        """Press a button of the last message by its label."""
        markup = self.last_message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if button["text"] == label:
                    return await self.press_data(
                        button["callback_data"], message_id=self.last_message["message_id"], expect=expect
                    )
        raise AssertionError(f"no button {label!r} in {markup}")


@pytest.fixture
async def user(emulator: str, door: TelegramDoor) -> AsyncIterator[TelegramUser]:
    headers = {"Authorization": "Bearer e2e", "X-Test-Session": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=emulator, headers=headers, timeout=15) as control:
        yield TelegramUser(control, chat_id=700000000 + uuid.uuid4().int % 100000)


def labels(record: dict[str, Any]) -> list[str]:
    return [button["text"] for row in (record["reply_markup"] or {}).get("inline_keyboard", []) for button in row]


async def stored_locale(app: App, chat_id: int) -> str | None:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(select(Account).where(Account.platform_user_id == str(chat_id)))
        assert account is not None
        return (await uow.session.get_one(User, account.user_id)).locale


async def test_start_shows_the_menu(app: App, user: TelegramUser) -> None:
    [welcome] = await user.send("/start")
    assert welcome["method"] == "sendMessage" and welcome["chat_id"] == user.chat_id
    assert welcome["text"].startswith("<b>Hello, TestUser!</b>")
    assert welcome["raw"]["parse_mode"] == "HTML"
    assert labels(welcome)[:2] == ["About the program", "Lectures"]


async def test_menu_button_runs_its_command(app: App, user: TelegramUser) -> None:
    await user.send("/start")
    answer, program = await user.press("Contact")
    assert answer["method"] == "answerCallbackQuery" and answer["text"] is None
    [direct] = await user.send("/contact")
    assert program["method"] == "sendMessage" and program["text"] == direct["text"]


async def test_language_switch_to_arabic(app: App, user: TelegramUser) -> None:
    [question] = await user.send("/language")
    assert LANGUAGE_NAMES["ar"] in labels(question)
    answer, edited = await user.press(LANGUAGE_NAMES["ar"])
    assert answer["method"] == "answerCallbackQuery"
    # The choice replaces the question in place, written in Arabic.
    assert (edited["method"], edited["message_id"]) == ("editMessageText", question["message_id"])
    with use_locale("ar"):
        expected = _("From now on I will answer in {language}.").format(language=LANGUAGE_NAMES["ar"])
    assert edited["text"] == expected and "العربية" in edited["text"]
    assert await stored_locale(app, user.chat_id) == "ar"


async def test_deep_link(app: App, user: TelegramUser, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DEEP_LINK_PREFIXES, "e2e", "menu")
    [opened] = await user.send("/start e2e_1")
    assert opened["text"] == "What would you like to know?" and "Lectures" in labels(opened)
    [refused] = await user.send("/start nosuch_12")
    assert refused["text"] == "That link is not valid any more. Here is the main menu."


async def test_forged_callback_changes_nothing(app: App, user: TelegramUser) -> None:
    [question] = await user.send("/language")
    [answer] = await user.press_data("lang:ar<script>", message_id=question["message_id"], expect=1)
    assert answer["method"] == "answerCallbackQuery"
    assert answer["text"] == "That button is no longer valid. Nothing was changed."
    # Well-formed but forged: the handler re-checks it and refuses; still nothing changes.
    _answer, refusal = await user.press_data("lang:xx", message_id=question["message_id"])
    assert refusal["text"].startswith("I don't know the language code")
    assert await stored_locale(app, user.chat_id) is None
