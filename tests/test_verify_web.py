"""The verification page and /health through a real HTTP client, and `wego-bot verify`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.certificates import codes
from bot.cli import main
from bot.settings import PROJECT_ROOT, get_settings
from bot.web import build_web_app
from storage import certificates as store
from tests.helpers import ChatDriver, user_id_of


@pytest.fixture
async def client(app: App) -> AsyncIterator[TestClient[object, object]]:
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


async def _issue(app: App, name: str, full_name: str) -> str:
    user_id = await user_id_of(app, name)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        record = await store.issue(
            uow.session,
            user_id=user_id,
            kind=store.COURSE,
            workshop_id=None,
            name=full_name,
            now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            secret=app.settings.effective_secret(),
        )
        assert record.code is not None
        await uow.commit()
        return record.code


async def test_valid_record_page(chat: Callable[..., ChatDriver], app: App, client: TestClient[object, object]) -> None:
    await chat("alice").send("/start")
    code = await _issue(app, "alice", "Alice <script>alert('x')</script> & Co")
    response = await client.get(f"/verify/{codes.group(code)}")
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert '<html lang="en" dir="ltr">' in page
    assert "✓ Valid record" in page
    assert "<dd>Alice &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co</dd>" in page
    assert "<script>" not in page
    assert (
        "<dd>All 24 lectures of the online course marked as watched (a record of this assistant, not the course’s "
        "official certificate)</dd>"
    ) in page
    assert "<dd>March 2, 2026</dd>" in page
    assert f"<dd>{codes.group(code)}</dd>" in page
    # The compact and lower-case spellings work too.
    assert (await client.get(f"/verify/{code.lower()}")).status == 200


async def test_page_language_from_header_or_query(
    chat: Callable[..., ChatDriver], app: App, client: TestClient[object, object]
) -> None:
    await chat("alice").send("/start")
    code = await _issue(app, "alice", "Alice")
    arabic = await client.get(f"/verify/{code}", headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert arabic.status == 200
    page = await arabic.text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "٢" in page or "2" in page  # Babel's Arabic date
    german = await client.get(f"/verify/{code}", headers={"Accept-Language": "xx, de;q=0.8, fr;q=0.9"})
    assert '<html lang="fr" dir="ltr">' in await german.text()
    chosen = await client.get(f"/verify/{code}?lang=ar", headers={"Accept-Language": "de"})
    assert 'dir="rtl"' in await chosen.text()
    unknown = await client.get(f"/verify/{code}?lang=pt", headers={"Accept-Language": "pt-BR"})
    assert '<html lang="en" dir="ltr">' in await unknown.text()


async def test_tampered_unknown_revoked_and_malformed_codes(
    chat: Callable[..., ChatDriver], app: App, client: TestClient[object, object]
) -> None:
    await chat("alice").send("/start")
    code = await _issue(app, "alice", "Alice")
    tampered = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = await client.get(f"/verify/{tampered}")
    assert response.status == 404
    page = await response.text()
    assert "✗ Not a valid record" in page and "Alice" not in page
    # A well-formed code signed with the right secret for a record that does not exist.
    assert (await client.get(f"/verify/{codes.sign(12345, app.settings.effective_secret())}")).status == 404
    for garbage in ["ABC", "0123456789ABCDEO", "%3Cscript%3E"]:
        bad = await client.get(f"/verify/{garbage}")
        assert bad.status == 400, garbage
        assert "That is not a record code" in await bad.text()
    staff = chat("staffer")
    await staff.send(f"/revoke {code}")
    revoked = await client.get(f"/verify/{code}?lang=it")
    assert revoked.status == 404
    assert '<html lang="it"' in await revoked.text()
    nowhere = await client.get("/nowhere")
    assert nowhere.status == 404
    assert "Page not found" in await nowhere.text()


async def test_health(client: TestClient[object, object], app: App, tmp_path: Path) -> None:
    response = await client.get("/health")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok"}
    from storage.uow import Storage

    real = app.storage
    # A directory is no database file: every connection fails, as with a database server that is down.
    app.storage = Storage(f"sqlite+aiosqlite:///{tmp_path}")
    try:
        failing = await client.get("/health")
        assert failing.status == 503
        assert (await failing.json())["status"] == "error"
    finally:
        await app.storage.close()
        app.storage = real


async def test_cli_verify_and_revoke(
    chat: Callable[..., ChatDriver], app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await chat("alice").send("/start")
    code = await _issue(app, "alice", "Alice Liddell")
    monkeypatch.setenv("DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-of-at-least-32-bytes")
    get_settings.cache_clear()

    async def run(*args: str) -> tuple[int, str, str]:
        # main() runs its own event loop, so it gets a thread of its own.
        code_ = await asyncio.to_thread(main, list(args))
        out, err = capsys.readouterr()
        return code_, out.strip(), err.strip()

    try:
        assert await run("verify", codes.group(code)) == (
            0,
            f"VALID: Alice Liddell - course completion - issued 2026-03-02 - code {codes.group(code)}",
            "",
        )
        status, out, _ = await run("verify", code[:-1] + ("0" if code[-1] != "0" else "1"))
        assert status == 1 and out.startswith("NOT VALID: no record has the code")
        status, _, err = await run("verify", "hello")
        assert status == 1 and err.startswith("NOT A CODE")
        status, out, _ = await run("certificate", "revoke", code)
        assert status == 0 and out.startswith(f"revoked: {codes.group(code)}")
        status, out, _ = await run("verify", code)
        assert status == 1 and out.startswith(f"NOT VALID: record {codes.group(code)} (course completion, issued")
    finally:
        get_settings.cache_clear()


async def test_cli_verify_imports_no_platform(app: App) -> None:
    script = (
        "import sys; from bot.cli import main; rc = main(['verify', '0000-0000-0000-0000']); "
        "assert not {'telegram', 'discord', 'aiohttp'} & set(sys.modules), 'platform imported'; sys.exit(rc)"
    )
    env = {"DATA_DIR": str(app.settings.data_dir), "SECRET_KEY": "k" * 32, "PATH": "/usr/bin:/bin"}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.strip() == "NOT VALID: no record has the code 0000-0000-0000-0000"


async def test_start_web_serves_on_a_real_socket(app: App) -> None:
    from aiohttp import ClientSession

    from bot.web import start_web

    runner = await start_web(app, host="127.0.0.1", port=0)
    try:
        host, port = runner.addresses[0][:2]
        async with ClientSession() as session, session.get(f"http://{host}:{port}/health") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "database": "ok"}
    finally:
        await runner.cleanup()
