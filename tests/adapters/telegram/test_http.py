"""The bot's Bot API client (bot/adapters/telegram/http.py) against a local HTTP server: what python-telegram-bot
hands it arrives as Telegram reads it (form fields, a file), and what fails comes back as PTB's own errors."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.adapters.telegram.http import AiohttpRequest

TOKEN = "123456:TEST-token-never-logged"
BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "WeGO", "username": "wego_bot"}


class Server:
    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, Any]]] = []
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {}
        self.delay = 0.0
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        fields: dict[str, Any] = {}
        for key, value in form.items():
            fields[key] = value if isinstance(value, str) else (value.filename, value.content_type, value.file.read())
        self.received.append((method, request.content_type, fields))
        if self.delay:
            await asyncio.sleep(self.delay)
        if method in self.answers:
            status, body = self.answers[method]
            return web.json_response(body, status=status)
        if method == "getMe":
            return web.json_response({"ok": True, "result": BOT_USER})
        message = {"message_id": 5, "date": 1772442000, "chat": {"id": 42, "type": "private"}, "from": BOT_USER}
        return web.json_response({"ok": True, "result": message})


@asynccontextmanager
async def serving(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> AsyncIterator[int]:
    """`handler` answering every Bot API method on a local port (yielded)."""
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site._server is not None
    try:
        yield site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    finally:
        await runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    served = Server()
    async with serving(served.handle) as served.port:
        yield served


def bot_on(port: int, **timeouts: float) -> Bot:
    return Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(**timeouts))


async def test_a_message_with_buttons_arrives_as_form_fields(server: Server) -> None:
    async with bot_on(server.port) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sign up", callback_data="signup:7")]])
        sent = await bot.send_message(42, "Ciao <b>Milano</b> — 서울", parse_mode="HTML", reply_markup=markup)
    assert sent.message_id == 5
    method, content_type, fields = server.received[-1]
    assert (method, content_type) == ("sendMessage", "application/x-www-form-urlencoded")
    assert json.loads(fields.pop("reply_markup")) == {
        "inline_keyboard": [[{"text": "Sign up", "callback_data": "signup:7"}]]
    }
    assert fields == {"chat_id": "42", "text": "Ciao <b>Milano</b> — 서울", "parse_mode": "HTML"}


async def test_a_file_arrives_as_multipart_with_its_name_and_type(server: Server) -> None:
    calendar = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    async with bot_on(server.port) as bot:
        await bot.send_document(42, InputFile(calendar, filename="workshop-milano.ics"), caption="Milano")
    method, content_type, fields = server.received[-1]
    assert (method, content_type) == ("sendDocument", "multipart/form-data")
    assert fields["chat_id"] == "42" and fields["caption"] == "Milano"
    assert fields["document"] == ("workshop-milano.ics", "text/calendar", calendar)


async def test_telegram_refusals_are_ptbs_errors(server: Server) -> None:
    server.answers["sendMessage"] = (
        429,
        {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 3}},
    )
    async with bot_on(server.port) as bot:
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(42, "hi")
        assert flood.value.retry_after == 3
        server.answers["sendMessage"] = (403, {"ok": False, "error_code": 403, "description": "Forbidden: blocked"})
        with pytest.raises(Forbidden):
            await bot.send_message(42, "hi")


async def test_a_slow_answer_times_out_and_the_client_still_works(server: Server) -> None:
    async with bot_on(server.port, read_timeout=0.2) as bot:
        server.delay = 1.0
        with pytest.raises(TimedOut):
            await bot.send_message(42, "hi")
        server.delay = 0.0
        assert (await bot.send_message(42, "again")).message_id == 5
        # A call's own read timeout wins over the client's (PTB passes getUpdates' long-poll wait this way).
        server.delay = 0.4
        assert (await bot.send_message(42, "patient", read_timeout=2)).message_id == 5


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_an_error_that_quotes_the_url_does_not_carry_the_token() -> None:
    async def loop_back(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(str(request.url))

    request = AiohttpRequest()
    async with serving(loop_back) as port:
        try:
            with pytest.raises(NetworkError) as failed:
                await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage")
        finally:
            await request.shutdown()
    assert "aiohttp.TooManyRedirects" in failed.value.message
    assert "bot<token>/sendMessage" in failed.value.message
    assert TOKEN not in failed.value.message


async def test_shut_down_then_initialised_again(server: Server) -> None:
    request = AiohttpRequest()
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{server.port}/bot", request=request)
    for _ in range(2):
        async with bot:
            assert (await bot.get_me()).username == "wego_bot"
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"http://127.0.0.1:{server.port}/bot{TOKEN}/getMe", "POST")
