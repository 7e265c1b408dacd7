"""The console's locks, with a plain HTTP client: one-time links, sessions, staff re-checked, CSRF, no caching."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import App
from bot.web import build_web_app
from storage.console import ConsoleAudit, ConsoleLink, ConsoleSession, hash_token
from storage.models import Workshop
from tests.conftest import FrozenClock
from tests.console.helpers import MakeChat, link_token, sign_in

Client = TestClient[object, object]


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


def console_routes(client: Client) -> list[tuple[str, str]]:
    """Every console URL and method the server has (ids filled in), except the sign-in link and static files."""
    fill = {"id": "1", "op": "close", "name": "funnel"}
    routes = []
    for route in client.server.app.router.routes():  # type: ignore[union-attr]
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if not path.startswith("/console") or "signin" in path or route.method == "HEAD":
            continue
        for key, value in fill.items():
            path = path.replace("{" + key + "}", value)
        routes.append((route.method, path))
    return routes


async def test_every_console_url_is_covered(client: Client) -> None:
    routes = console_routes(client)
    assert ("GET", "/console") in routes
    assert ("POST", "/console/workshops/1/close") in routes
    assert len(routes) >= 25


async def test_without_a_session_every_url_refuses_and_is_not_cached(client: Client) -> None:
    for method, path in console_routes(client):
        if path.startswith("/console/static"):
            continue
        response = await client.request(method, path, allow_redirects=False)
        assert response.status == 401, (method, path, response.status)
        assert response.headers["Cache-Control"] == "no-store", path
        assert "sign-in link" in await response.text()


async def test_the_link_opens_a_session_once(client: Client, chat: MakeChat, app: App) -> None:
    token = await link_token(chat("staffer"))
    # Opening the link (a chat's link preview does it too) uses nothing up.
    assert (await client.get(f"/console/signin/{token}")).status == 200
    assert (await client.get(f"/console/signin/{token}")).status == 200
    response = await client.post(f"/console/signin/{token}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/console"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/console" in cookie
    # Served over plain HTTP here: a Secure cookie would never come back.
    assert "Secure" not in cookie
    assert response.headers["Cache-Control"] == "no-store"
    again = await client.post(f"/console/signin/{token}", allow_redirects=False)
    assert again.status == 403
    assert "already used" in await again.text()
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        # Only the hash is stored.
        assert await uow.session.scalar(select(func.count()).where(ConsoleLink.token_hash == token)) == 0
        assert await uow.session.scalar(select(func.count()).where(ConsoleLink.token_hash == hash_token(token))) == 1
        sessions = list(await uow.session.scalars(select(ConsoleSession)))
        assert [(s.platform, s.platform_user_id) for s in sessions] == [("console", "staffer")]
        audit = list(await uow.session.scalars(select(ConsoleAudit)))
        assert [(a.actor, a.action) for a in audit] == [("console:staffer", "sign-in")]


async def test_secure_cookie_when_served_over_https(app: App, chat: MakeChat) -> None:
    app.settings.public_base_url = "https://console.example.org"
    async with TestClient(TestServer(build_web_app(app))) as client:
        token = await link_token(chat("staffer"))
        response = await client.post(f"/console/signin/{token}", allow_redirects=False)
        assert response.status == 303
        assert "Secure" in response.headers["Set-Cookie"]


async def test_an_expired_link_is_refused(client: Client, chat: MakeChat, clock: FrozenClock) -> None:
    token = await link_token(chat("staffer"))
    clock.advance(minutes=10, seconds=1)
    assert (await client.get(f"/console/signin/{token}")).status == 403
    response = await client.post(f"/console/signin/{token}", allow_redirects=False)
    assert response.status == 403
    assert (await client.get("/console")).status == 401


async def test_a_made_up_link_is_refused(client: Client) -> None:
    response = await client.post("/console/signin/" + "A" * 43, allow_redirects=False)
    assert response.status == 403


async def test_only_staff_get_a_link(chat: MakeChat) -> None:
    replies = await chat("alice").send("/console")
    assert "/console/signin/" not in replies[0].text
    assert "only for the program staff" in replies[0].text


async def test_someone_no_longer_staff_is_refused_everywhere(client: Client, chat: MakeChat, app: App) -> None:
    await sign_in(client, chat("staffer"))
    app.settings.staff_console_users = []
    for method, path in console_routes(client):
        if path.startswith("/console/static"):
            continue
        response = await client.request(method, path, allow_redirects=False)
        assert response.status in (401, 403), (method, path, response.status)
        assert response.headers["Cache-Control"] == "no-store"
    # The session ended with the first refusal: being put back on the list does not revive it.
    app.settings.staff_console_users = ["staffer"]
    assert (await client.get("/console")).status == 401


async def test_every_form_needs_the_csrf_token(client: Client, chat: MakeChat, app: App) -> None:
    csrf = await sign_in(client, chat("staffer"))
    assert app.storage is not None
    for method, path in console_routes(client):
        if method != "POST":
            continue
        for data in ({}, {"csrf": "wrong-" + csrf}):
            response = await client.post(path, data=data, allow_redirects=False)
            assert response.status == 403, (path, data, response.status)
            assert "Nothing was changed" in await response.text()
    # Still signed in, and nothing changed: no workshop closed, no audit row beyond the sign-in.
    assert (await client.get("/console")).status == 200
    async with app.storage.unit_of_work() as uow:
        assert (
            await uow.session.scalar(select(func.count()).select_from(Workshop).where(Workshop.status == "closed")) == 0
        )
        assert [a.action for a in await uow.session.scalars(select(ConsoleAudit))] == ["sign-in"]


async def test_pages_are_not_cached_and_run_no_foreign_script(client: Client, chat: MakeChat) -> None:
    await sign_in(client, chat("staffer"))
    for path in (
        "/console",
        "/console/workshops",
        "/console/broadcasts",
        "/console/questions",
        "/console/participants",
        "/console/workshops/1",
        "/console/csv/funnel.csv",
    ):
        response = await client.get(path)
        assert response.status == 200, path
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "same-origin"
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


async def test_sign_out_ends_the_session(client: Client, chat: MakeChat) -> None:
    csrf = await sign_in(client, chat("staffer"))
    response = await client.post("/console/signout", data={"csrf": csrf})
    assert response.status == 200
    assert (await client.get("/console")).status == 401


async def test_a_session_idles_out_and_expires(client: Client, chat: MakeChat, clock: FrozenClock) -> None:
    await sign_in(client, chat("staffer"))
    clock.advance(minutes=59)
    assert (await client.get("/console")).status == 200
    clock.advance(hours=1, seconds=1)
    assert (await client.get("/console")).status == 401
    await sign_in(client, chat("staffer"))
    # Active all along: still signed in until eight hours after signing in, not a minute more.
    for _step in range(15):
        clock.advance(minutes=30)
        assert (await client.get("/console")).status == 200
    clock.advance(minutes=29)
    assert (await client.get("/console")).status == 200
    clock.advance(minutes=1)
    assert (await client.get("/console")).status == 401


async def test_a_new_link_sweeps_links_and_sessions_over_a_day_past(
    client: Client, chat: MakeChat, app: App, clock: FrozenClock
) -> None:
    staffer = chat("staffer")
    await sign_in(client, staffer)
    await link_token(staffer)
    clock.advance(hours=8, days=1, minutes=1)
    await link_token(staffer)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        links = list(await uow.session.scalars(select(ConsoleLink)))
        assert [link.expires_at for link in links] == [clock.now + timedelta(minutes=10)]
        assert list(await uow.session.scalars(select(ConsoleSession))) == []


async def test_a_form_posted_from_another_site_is_refused(client: Client, chat: MakeChat, app: App) -> None:
    evil = {"Origin": "https://evil.example"}
    token = await link_token(chat("staffer"))
    # Another site cannot sign a visitor in with someone's link, nor post into a session.
    assert (await client.post(f"/console/signin/{token}", headers=evil, allow_redirects=False)).status == 403
    csrf = await sign_in(client, chat("staffer"))
    response = await client.post("/console/workshops/1/close", data={"csrf": csrf}, headers=evil)
    assert response.status == 403
    own = {"Origin": f"http://{client.host}:{client.port}"}
    closed = await client.post("/console/workshops/1/close", data={"csrf": csrf}, headers=own, allow_redirects=False)
    assert closed.status == 303
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert (await uow.session.get_one(Workshop, 1)).status == "closed"
