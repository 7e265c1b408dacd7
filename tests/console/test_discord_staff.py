"""Staff by Discord role, re-checked with the server on every console page: the member's roles now, not those
recorded with the sign-in link. Discord is discord.py's own client on the offline harness (no network): every
REST call it makes is counted."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

import bot.adapters.discord.members
from bot.adapters.discord.members import DiscordMemberRoles
from bot.app import App, build_app
from bot.core.staff import CachedRoles
from bot.settings import Settings
from bot.web import build_web_app
from storage.console import ConsoleAudit, ConsoleSession
from tests.adapters.discord.harness import GUILD_ID, STAFF_ROLE_ID, DiscordHarness, running, user_payload
from tests.conftest import FrozenClock, make_settings
from tests.console.helpers import link_token
from tests.helpers import ChatDriver

Client = TestClient[object, object]

TOKEN = "test-discord-token-never-logged"
MEMBER = "800000000000000011"
BY_ID = "800000000000000099"
OTHER_ROLE = "900000000000000077"
GUILD_PATH = f"/guilds/{GUILD_ID}"


def discord_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "discord_token": TOKEN,
        "discord_guild_id": str(GUILD_ID),
        "discord_staff_role_id": str(STAFF_ROLE_ID),
        "staff_discord_ids": [BY_ID],
        "staff_console_users": [],
    }
    values.update(overrides)
    return make_settings(tmp_path, **values)


class Server:
    """What the Discord server holds: each member's role ids (absent: not a member), or no answer at all."""

    def __init__(self, rig: DiscordHarness) -> None:
        self.rig = rig
        self.roles: dict[str, list[str]] = {}
        self.reachable = True
        rig.routes[("GET", GUILD_PATH)] = self._guild

    def member(self, user_id: str, roles: list[str]) -> None:
        self.roles[user_id] = roles
        self.rig.routes[("GET", f"{GUILD_PATH}/members/{user_id}")] = lambda _body: self._member(user_id)

    def _guild(self, _body: Any) -> tuple[int, Any]:
        self._connect()
        role = {"id": str(STAFF_ROLE_ID), "name": "staff", "permissions": "0", "position": 1, "color": 0}
        everyone = {"id": str(GUILD_ID), "name": "@everyone", "permissions": "0", "position": 0, "color": 0}
        return 200, {"id": str(GUILD_ID), "name": "WeGO", "roles": [everyone, role], "emojis": [], "features": []}

    def _member(self, user_id: str) -> tuple[int, Any]:
        self._connect()
        if user_id not in self.roles:
            return 404, {"message": "Unknown Member", "code": 10007}
        return 200, {
            "user": user_payload(user_id, "member"),
            "roles": self.roles[user_id],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
        }

    def _connect(self) -> None:
        if not self.reachable:
            # What aiohttp raises when nothing answers at discord.com (connection refused: not retried).
            raise aiohttp.ClientOSError(111, "Connect call failed ('162.159.128.233', 443)")

    def calls(self, path: str) -> int:
        return sum(1 for call in self.rig.calls if call.method == "GET" and call.path.endswith(path))

    @property
    def member_calls(self) -> int:
        return sum(1 for call in self.rig.calls if "/members/" in call.path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shared `app` fixture (tests/conftest.py) is built with these."""
    return discord_settings(tmp_path)


@pytest.fixture
async def server(app: App, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    """The bootstrap's own lookup (bot/app.py), its client being the harness's discord.py client."""
    async with running(app, monkeypatch) as rig:
        lookup = DiscordMemberRoles(rig.client, GUILD_ID)
        monkeypatch.setattr(bot.adapters.discord.members, "open_member_roles", lambda _settings: lookup)
        yield Server(rig)


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


async def sign_in(client: Client, app: App, user_id: str, roles: frozenset[str]) -> None:
    """/console on Discord with the roles the interaction carries, then the link in the browser."""
    token = await link_token(ChatDriver(app, user_id=user_id, platform="discord", roles=roles))
    response = await client.post(f"/console/signin/{token}", allow_redirects=False)
    assert response.status == 303, await response.text()


async def sessions(app: App) -> list[tuple[str, bool]]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.scalars(select(ConsoleSession).order_by(ConsoleSession.id))
        return [(row.platform_user_id, row.ended_at is None) for row in rows]


async def audit(app: App) -> list[tuple[str, str]]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.scalars(select(ConsoleAudit).order_by(ConsoleAudit.id))
        return [(row.actor, row.action) for row in rows]


STAFF = frozenset({str(STAFF_ROLE_ID)})


async def test_the_role_taken_away_in_the_server_ends_the_session(
    client: Client, app: App, server: Server, clock: FrozenClock
) -> None:
    server.member(MEMBER, [str(STAFF_ROLE_ID), OTHER_ROLE])
    await sign_in(client, app, MEMBER, STAFF)
    assert (await client.get("/console")).status == 200
    server.member(MEMBER, [OTHER_ROLE])
    # What the server said is kept a minute; then it is asked again, and the member is out.
    clock.advance(seconds=61)
    refused = await client.get("/console")
    assert refused.status == 403
    assert "That is only for the program staff." in await refused.text()
    assert refused.headers["Cache-Control"] == "no-store"
    assert await sessions(app) == [(MEMBER, False)]
    assert await audit(app) == [(f"discord:{MEMBER}", "sign-in"), (f"discord:{MEMBER}", "sign-out")]
    # Given the role back, they need a new link: the session stays ended.
    server.member(MEMBER, [str(STAFF_ROLE_ID)])
    clock.advance(seconds=61)
    assert (await client.get("/console")).status == 401
    assert server.member_calls == 2


async def test_a_member_who_left_the_server_is_refused(
    client: Client, app: App, server: Server, clock: FrozenClock
) -> None:
    server.member(MEMBER, [str(STAFF_ROLE_ID)])
    await sign_in(client, app, MEMBER, STAFF)
    del server.roles[MEMBER]
    clock.advance(seconds=61)
    assert (await client.get("/console/workshops")).status == 403
    assert await sessions(app) == [(MEMBER, False)]


async def test_a_link_made_with_the_role_is_refused_once_the_role_is_gone(
    client: Client, app: App, server: Server
) -> None:
    # The interaction carried the role when /console was sent; the server no longer has it at sign-in.
    server.member(MEMBER, [OTHER_ROLE])
    token = await link_token(ChatDriver(app, user_id=MEMBER, platform="discord", roles=STAFF))
    response = await client.post(f"/console/signin/{token}", allow_redirects=False)
    assert response.status == 403
    assert "Set-Cookie" not in response.headers
    assert await sessions(app) == [(MEMBER, False)]


async def test_with_the_role_pages_are_served_and_discord_asked_once_a_minute(
    client: Client, app: App, server: Server, clock: FrozenClock
) -> None:
    server.member(MEMBER, [str(STAFF_ROLE_ID)])
    await sign_in(client, app, MEMBER, STAFF)
    # The sign-in asked: the server once (kept for the process), the member once.
    assert (server.calls(GUILD_PATH), server.member_calls) == (1, 1)
    for path in ("/console", "/console/workshops", "/console/broadcasts"):
        assert (await client.get(path)).status == 200, path
    clock.advance(seconds=59)
    assert (await client.get("/console")).status == 200
    assert (server.calls(GUILD_PATH), server.member_calls) == (1, 1)
    clock.advance(seconds=2)
    assert (await client.get("/console")).status == 200
    assert (await client.get("/console/questions")).status == 200
    assert (server.calls(GUILD_PATH), server.member_calls) == (1, 2)
    assert [call.path.split("/api/v10")[-1] for call in server.rig.calls] == [
        GUILD_PATH,
        f"{GUILD_PATH}/members/{MEMBER}",
        f"{GUILD_PATH}/members/{MEMBER}",
    ]
    assert await sessions(app) == [(MEMBER, True)]


async def test_discord_not_answering_refuses_the_page_and_keeps_the_session(
    client: Client, app: App, server: Server, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    server.member(MEMBER, [str(STAFF_ROLE_ID)])
    await sign_in(client, app, MEMBER, STAFF)
    server.reachable = False
    clock.advance(seconds=61)
    with caplog.at_level(logging.WARNING):
        refused = await client.get("/console")
        posted = await client.post("/console/signout", data={"csrf": "x"}, allow_redirects=False)
    assert refused.status == 503
    assert refused.headers["Retry-After"] == "60"
    assert refused.headers["Cache-Control"] == "no-store"
    text = await refused.text()
    assert "We can&#x27;t confirm you are staff right now: Discord is not answering." in text
    assert "Try again in a minute." in text
    # Nothing was done, not even the sign-out the form asked for.
    assert posted.status == 503
    assert await sessions(app) == [(MEMBER, True)]
    assert await audit(app) == [(f"discord:{MEMBER}", "sign-in")]
    # A failed lookup is not kept: each page asked again.
    assert server.member_calls == 3
    logged = caplog.text
    assert f"roles of member {MEMBER} could not be checked: ClientOSError: [Errno 111] Connect call failed" in logged
    assert f"console: session 1 refused for now, discord:{MEMBER} could not be confirmed as staff" in logged
    assert TOKEN not in logged
    # Discord answers again: the same session goes on.
    server.reachable = True
    assert (await client.get("/console")).status == 200
    assert server.member_calls == 4


async def test_signing_in_while_discord_is_not_answering_waits_for_it(client: Client, app: App, server: Server) -> None:
    server.member(MEMBER, [str(STAFF_ROLE_ID)])
    server.reachable = False
    # The link is used up either way; the session opens, and no page is shown until Discord answers.
    await sign_in(client, app, MEMBER, STAFF)
    assert (await client.get("/console")).status == 503
    server.reachable = True
    assert (await client.get("/console")).status == 200
    assert await sessions(app) == [(MEMBER, True)]


async def test_staff_named_by_id_are_not_looked_up(client: Client, app: App, server: Server) -> None:
    await sign_in(client, app, BY_ID, frozenset())
    assert (await client.get("/console")).status == 200
    server.reachable = False
    assert (await client.get("/console")).status == 200
    assert server.rig.calls == []
    # Taken off the list, only the role could keep them: the server is asked, and they do not have it.
    app.settings.staff_discord_ids = []
    server.reachable = True
    server.member(BY_ID, [OTHER_ROLE])
    assert (await client.get("/console")).status == 403
    assert server.member_calls == 1


async def test_the_bootstrap_builds_the_lookup_only_when_discord_can_be_asked(tmp_path: Path) -> None:
    built = await build_app(discord_settings(tmp_path))
    try:
        assert isinstance(built.member_roles, CachedRoles)
    finally:
        await built.close()
    for missing in ("discord_token", "discord_guild_id", "discord_staff_role_id"):
        built = await build_app(discord_settings(tmp_path, **{missing: ""}))
        try:
            assert built.member_roles is None, missing
        finally:
            await built.close()


async def test_a_role_that_cannot_be_checked_is_not_taken_on_trust(tmp_path: Path, clock: FrozenClock) -> None:
    # No server configured: /console gives no link the console could never honour.
    built = await build_app(discord_settings(tmp_path, discord_guild_id=""))
    built.dispatcher.clock = clock
    try:
        member = ChatDriver(built, user_id=MEMBER, platform="discord", roles=STAFF)
        replies = await member.send("/console")
        assert [reply.text for reply in replies] == [
            "The console cannot check your staff role on Discord, because the bot does not know its server. "
            "Ask whoever runs the bot to set DISCORD_GUILD_ID, or to add your Discord id to STAFF_DISCORD_IDS."
        ]
        assert replies[0].personal
        # Staff named by id are not asked about: their link comes as ever.
        assert await link_token(ChatDriver(built, user_id=BY_ID, platform="discord"))
    finally:
        await built.close()


async def test_a_session_whose_role_can_no_longer_be_checked_is_refused(
    client: Client, app: App, server: Server
) -> None:
    # A session opened while the server was known, in a process that can no longer ask it: the recorded roles
    # are not taken on trust, and the page says what has to change rather than "try again".
    await sign_in(client, app, MEMBER, STAFF)
    app.member_roles = None
    page = await client.get("/console")
    assert page.status == 403
    assert "the bot does not know its server" in await page.text()
    assert await sessions(app) == [(MEMBER, True)]
