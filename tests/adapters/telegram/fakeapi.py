"""A small fake Bot API server (aiohttp on 127.0.0.1) that records calls and injects the faults no emulator offers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from telegram import Bot

from bot.adapters.telegram.http import AiohttpRequest

TOKEN = "123456:TEST-token-never-logged"
# Key under which a recorded call keeps the message id the fake answered with.
MESSAGE_ID_KEY = "__message_id__"
BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "WeGO Champions", "username": "wego_champions_bot"}


@dataclass
class Fault:
    status: int
    description: str
    parameters: dict[str, Any] | None = None
    delay: float = 0.0
    # Calls of the method let through before this fault is served (to fail the second message of several).
    skip: int = 0


@dataclass
class FakeBotApi:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # method → faults to serve, first one first; an exhausted list means success again.
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    # chat ids (as strings) that answer 403, as a person who blocked the bot.
    blocked: set[str] = field(default_factory=set)
    # Served once each by getUpdates (long polling), then empty answers.
    updates: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _message_id: int = 100

    def fail(self, method: str, fault: Fault) -> None:
        self.faults.setdefault(method, []).append(fault)

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    @property
    def methods(self) -> list[str]:
        return [name for name, _ in self.calls]

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    try:
                        params[key] = json.loads(value)
                    except ValueError:
                        params[key] = value
                else:
                    params[key] = {"filename": value.filename, "data": value.file.read()}
        self.calls.append((method, params))
        queued = self.faults.get(method)
        if queued and queued[0].skip:
            queued[0].skip -= 1
        elif queued:
            fault = queued.pop(0)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            else:
                body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": fault.description}
                if fault.parameters:
                    body["parameters"] = fault.parameters
                return web.json_response(body, status=fault.status)
        if str(params.get("chat_id")) in self.blocked:
            return web.json_response(
                {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}, status=403
            )
        return web.json_response({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            served, self.updates = self.updates, []
            return served
        if method in ("sendMessage", "sendDocument", "editMessageText"):
            self._message_id += 1
            # Recorded on the call itself, so a test can name the id of one message whatever else was sent.
            params[MESSAGE_ID_KEY] = params.get("message_id", self._message_id)
            chat_id = int(params.get("chat_id", 0))
            message: dict[str, Any] = {
                "message_id": params.get("message_id", self._message_id),
                "date": 1772442000,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT_USER,
            }
            if method == "sendDocument":
                message["document"] = {"file_id": "BQAC", "file_unique_id": "AgAD", "file_name": "f"}
            else:
                message["text"] = params.get("text", "")
            return message
        return True

    def bot(self, *, timeout: float = 2.0) -> Bot:
        # The bot's own HTTP client, as `wego-bot run` builds it.
        request = AiohttpRequest(
            connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout
        )
        return Bot(TOKEN, base_url=f"http://127.0.0.1:{self.port}/bot", request=request)


@asynccontextmanager
async def fake_bot_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    web_app = web.Application()
    web_app.router.add_post("/bot{token}/{method}", api.handle)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    api.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield api
    finally:
        await runner.cleanup()
