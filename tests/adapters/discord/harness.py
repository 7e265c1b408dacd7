"""Drive discord.py 2.7 offline: real INTERACTION_CREATE payloads in, every HTTP call captured.

Interaction payloads go into discord.py's own `ConnectionState.parse_interaction_create`, so the real CommandTree,
views and dynamic items run. Interaction responses, follow-ups and edits go through the webhook adapter, whose
`request` is replaced by a recorder; everything else (DMs, guild events) goes through `HTTPClient.request`, which
runs unchanged on a fake aiohttp session, so discord.py's own status → exception mapping is exercised.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter
from sqlalchemy import func, select

from bot.adapters.discord.door import DiscordDoor
from bot.app import App
from storage.models import Account, User

APP_ID = 900000000000000001
GUILD_ID = 900000000000000002
CHANNEL_ID = 900000000000000003
STAFF_ROLE_ID = 900000000000000004
STAFF_CHANNEL_ID = 900000000000000005
_ids = itertools.count(910000000000000000)


def snowflake() -> str:
    return str(next(_ids))


@dataclass
class Call:
    method: str
    path: str
    payload: Any = None
    files: list[str] = field(default_factory=list)
    # The files' bytes by file name.
    blobs: dict[str, bytes] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        """The message part of an interaction callback, or the payload itself."""
        if isinstance(self.payload, dict) and "type" in self.payload and "data" in self.payload:
            return self.payload["data"] or {}
        return self.payload or {}

    @property
    def ephemeral(self) -> bool:
        return bool(self.data.get("flags", 0) & 64)

    @property
    def content(self) -> str:
        return str(self.data.get("content", ""))

    def custom_ids(self) -> list[list[str]]:
        return [
            [c.get("custom_id") or c.get("url") for c in row["components"]] for row in self.data.get("components", [])
        ]

    def labels(self) -> list[list[str]]:
        return [[c.get("label", "") for c in row["components"]] for row in self.data.get("components", [])]


def text_channel_payload(channel_id: int, name: str) -> dict[str, Any]:
    """A server text channel as GET /channels/{id} answers it."""
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": 1,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def user_payload(user_id: str, name: str) -> dict[str, Any]:
    return {"id": user_id, "username": name, "global_name": name, "discriminator": "0", "avatar": None}


def message_payload(
    *,
    content: str,
    components: list[Any],
    author_id: str = str(APP_ID),
    flags: int = 0,
    invoker: tuple[str, str] | None = None,
    channel_id: int = CHANNEL_ID,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": snowflake(),
        "channel_id": str(channel_id),
        "author": {**user_payload(author_id, "wego"), "bot": True},
        "content": content,
        "timestamp": "2026-03-02T09:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": flags,
        "components": components,
    }
    if invoker is not None:
        data["interaction_metadata"] = {
            "id": snowflake(),
            "type": 2,
            "user": user_payload(*invoker),
            "authorizing_integration_owners": {},
        }
    return data


@dataclass
class Member:
    user_id: str
    name: str
    roles: list[str] = field(default_factory=list)
    locale: str = "en-US"


class DiscordHarness:
    """One bot client, offline, with the test's app behind it."""

    def __init__(self, door: DiscordDoor) -> None:
        self.door = door
        self.client = door.client
        self.calls: list[Call] = []
        # Answers for HTTPClient calls: (method, path) → handler(payload) → (status, body).
        self.routes: dict[tuple[str, str], Callable[[Any], tuple[int, Any]]] = {}

    # -- set-up -------------------------------------------------------------------------------------------------

    async def start(self, monkeypatch: Any) -> None:
        await self.client._async_setup_hook()
        state = self.client._connection
        state.application_id = APP_ID
        state.user = discord.ClientUser(
            state=state,
            data={**user_payload(str(APP_ID), "wego"), "bot": True, "verified": True, "mfa_enabled": False},  # type: ignore[typeddict-item]
        )
        self.client.http._global_over = asyncio.Event()
        self.client.http._global_over.set()
        self.client.http._HTTPClient__session = FakeSession(self)  # type: ignore[attr-defined]
        await self.door.prepare()
        harness = self

        async def record(adapter: Any, route: Any, session: Any, **kwargs: Any) -> Any:
            return harness._webhook(route, kwargs)

        monkeypatch.setattr(AsyncWebhookAdapter, "request", record)

    def _webhook(self, route: Any, kwargs: dict[str, Any]) -> Any:
        payload = kwargs.get("payload")
        multipart = kwargs.get("multipart")
        if payload is None and multipart:
            payload = json.loads(next(p["value"] for p in multipart if p["name"] == "payload_json"))
        sent = kwargs.get("files") or []
        files = [f.filename for f in sent]
        call = Call(route.method, route.url, payload, files, {f.filename: _bytes(f.fp) for f in sent})
        self.calls.append(call)
        if "/callback" in route.url:
            message_id = snowflake()
            return {"interaction": {"id": snowflake(), "type": 2, "response_message_id": message_id}}
        data = call.data
        return message_payload(
            content=data.get("content", ""), components=data.get("components", []), flags=data.get("flags", 0)
        )

    def http_answer(self, method: str, url: str, body: Any) -> tuple[int, Any]:
        for (m, path), handler in self.routes.items():
            if m == method and url.endswith(path):
                return handler(body)
        raise AssertionError(f"unexpected Discord call {method} {url}")

    # -- interactions -------------------------------------------------------------------------------------------

    def _base(self, member: Member, *, dm: bool) -> dict[str, Any]:
        base: dict[str, Any] = {
            "id": snowflake(),
            "application_id": str(APP_ID),
            "token": "interaction-token-" + snowflake(),
            "version": 1,
            "locale": member.locale,
            "app_permissions": "0",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "attachment_size_limit": 10485760,
        }
        if dm:
            base["context"] = 1
            base["channel"] = {"id": snowflake(), "type": 1, "recipients": [user_payload(member.user_id, member.name)]}
            base["channel_id"] = base["channel"]["id"]
            base["user"] = user_payload(member.user_id, member.name)
        else:
            base["context"] = 0
            base["guild_id"] = str(GUILD_ID)
            base["guild_locale"] = "en-US"
            base["guild"] = {"id": str(GUILD_ID), "locale": "en-US", "features": []}
            base["channel_id"] = str(CHANNEL_ID)
            base["channel"] = {
                "id": str(CHANNEL_ID),
                "type": 0,
                "guild_id": str(GUILD_ID),
                "name": "general",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
            }
            base["member"] = {
                "user": user_payload(member.user_id, member.name),
                "roles": member.roles,
                "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": "0",
                "nick": None,
                "avatar": None,
            }
        return base

    async def command(self, member: Member, name: str, text: str | None = None, *, dm: bool = False) -> list[Call]:
        options = [{"name": "text", "type": 3, "value": text}] if text is not None else []
        data: dict[str, Any] = {"id": snowflake(), "name": name, "type": 1, "options": options}
        if not dm:
            data["guild_id"] = str(GUILD_ID)
        return await self._feed({**self._base(member, dm=dm), "type": 2, "data": data})

    async def press(
        self,
        member: Member,
        message: dict[str, Any],
        custom_id: str,
        *,
        values: list[str] | None = None,
        dm: bool = False,
        component_type: int | None = None,
    ) -> list[Call]:
        """A component press: a button (type 2), or a select (type 3) when `values` are given; `component_type`
        says otherwise, as a forged or mismatched press would."""
        if component_type is None:
            component_type = 3 if values is not None else 2
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return await self._feed({**self._base(member, dm=dm), "type": 3, "data": data, "message": message})

    def message_of(
        self,
        call: Call,
        *,
        invoker: Member | None = None,
        flags: int | None = None,
        channel_id: int = CHANNEL_ID,
        message_id: str | None = None,
    ) -> dict[str, Any]:
        """The message Discord would show for a captured response: what a later press comes from.

        An edit (UPDATE_MESSAGE) keeps the edited message's flags: pass them (64 for an ephemeral one).
        """
        message = message_payload(
            content=call.content,
            components=call.data.get("components", []),
            flags=call.data.get("flags", 0) if flags is None else flags,
            invoker=(invoker.user_id, invoker.name) if invoker else None,
            channel_id=channel_id,
        )
        if message_id is not None:
            message["id"] = message_id
        return message

    async def submit_modal(
        self, member: Member, custom_id: str, values: dict[str, str], *, message: dict[str, Any] | None = None
    ) -> list[Call]:
        """A modal's submission, its text inputs in action rows as Discord sends them."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]} for key, value in values.items()
        ]
        payload: dict[str, Any] = {
            **self._base(member, dm=False),
            "type": 5,
            "data": {"custom_id": custom_id, "components": rows},
        }
        if message is not None:
            payload["message"] = message
        return await self._feed(payload)

    async def _feed(self, payload: dict[str, Any]) -> list[Call]:
        before = len(self.calls)
        self.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        await self.settle()
        return self.calls[before:]

    @staticmethod
    async def settle() -> None:
        """Wait for the tasks discord.py started for the interaction (not the views' 15-minute timers)."""
        me = asyncio.current_task()
        for _ in range(200):
            busy = [
                t
                for t in asyncio.all_tasks()
                if t is not me
                and not t.done()
                and not t.get_name().startswith("discord-ui-view-timeout")
                and t.get_name().startswith(("CommandTree-invoker", "discord-ui-", "discord.py:"))
            ]
            if not busy:
                return
            await asyncio.wait(busy, timeout=5)
        raise AssertionError("interaction tasks did not finish")


def _bytes(fp: Any) -> bytes:
    return bytes(fp.getvalue()) if hasattr(fp, "getvalue") else b""


class FakeResponse:
    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        self.status = status
        self._body = body
        self.headers = {"content-type": "application/json", **headers}
        self.reason = "fake"

    async def text(self, encoding: str = "utf-8") -> str:
        return json.dumps(self._body)

    async def __aenter__(self) -> FakeResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class FakeSession:
    """Stands in for aiohttp.ClientSession under discord.py's HTTPClient; records calls like the webhook path."""

    closed = False

    def __init__(self, harness: DiscordHarness) -> None:
        self.harness = harness

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        body = kwargs.get("json")
        files: list[str] = []
        blobs: dict[str, bytes] = {}
        if isinstance(kwargs.get("data"), str):
            body = json.loads(kwargs["data"])
        elif body is None and "data" in kwargs:
            form = kwargs["data"]
            fields = getattr(form, "_fields", [])
            payload_json = next((value for opts, _h, value in fields if opts.get("name") == "payload_json"), None)
            body = json.loads(payload_json) if payload_json else None
            files = [opts.get("filename") for opts, _h, _v in fields if opts.get("filename")]
            blobs = {opts["filename"]: _bytes(value) for opts, _h, value in fields if opts.get("filename")}
        self.harness.calls.append(Call(method, url, body, files, blobs if files else {}))
        status, answer = self.harness.http_answer(method, url, body)
        headers = answer.pop("__headers__", {}) if isinstance(answer, dict) else {}
        return FakeResponse(status, answer, headers)

    async def close(self) -> None:
        return None


@contextlib.asynccontextmanager
async def running(app: App, monkeypatch: Any, *, locales_dir: Path | None = None) -> AsyncIterator[DiscordHarness]:
    """The app's Discord door, started offline (no command sync), stopped after; one per process of the bot."""
    rig = DiscordHarness(DiscordDoor(app, locales_dir=locales_dir, sync_commands=False))
    await rig.start(monkeypatch)
    try:
        yield rig
    finally:
        await rig.door.stop()


async def stored_locale(app: App, member: Member) -> str | None:
    """The language the member chose (None: never chosen)."""
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(select(Account).where(Account.platform_user_id == member.user_id))
        assert account is not None
        return (await uow.session.get_one(User, account.user_id)).locale


async def account_count(app: App, member: Member | None = None) -> int:
    """Discord accounts stored: the member's, or everyone's."""
    assert app.storage is not None
    query = select(func.count()).select_from(Account)
    if member is not None:
        query = query.where(Account.platform_user_id == member.user_id)
    async with app.storage.unit_of_work() as uow:
        return int(await uow.session.scalar(query) or 0)
