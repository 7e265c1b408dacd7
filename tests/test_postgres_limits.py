"""A database server that never answers fails fast with the reason; "too many clients" is retried, then "busy"."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.app import build_app
from bot.cli import main
from bot.settings import get_settings
from tests.conftest import POSTGRES_URL, make_settings
from tests.helpers import ChatDriver

BUSY = "The assistant is busy right now and nothing was changed. Please try again in a moment."


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A TCP server on 127.0.0.1 that accepts every connection and never sends a byte."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_server_that_never_answers_fails_within_the_connect_timeout(tmp_path: Path, silent_server: int) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{silent_server}/wego"
    settings = make_settings(tmp_path, database_url=url, database_connect_timeout=1)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as failed:
        await build_app(settings)
    assert time.monotonic() - started < 5
    assert str(failed.value) == (
        f"the database server at 127.0.0.1:{silent_server} accepted the connection but did not answer within 1 s "
        "(DATABASE_CONNECT_TIMEOUT)"
    )


async def test_the_cli_names_the_reason(
    silent_server: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql+asyncpg://postgres@127.0.0.1:{silent_server}/wego")
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        started = time.monotonic()
        # main() runs its own event loop, so it gets a thread of its own (the silent server lives in this one).
        assert await asyncio.to_thread(main, ["db", "current"]) == 3
        assert time.monotonic() - started < 5
    finally:
        get_settings.cache_clear()
    assert capsys.readouterr().err == (
        "The database cannot be opened or upgraded: the database server at "
        f"127.0.0.1:{silent_server} accepted the connection but did not answer within 1 s (DATABASE_CONNECT_TIMEOUT)\n"
    )


async def test_a_statement_that_runs_too_long_is_cancelled_with_the_reason(tmp_path: Path, postgres_url: str) -> None:
    app = await build_app(make_settings(tmp_path, database_url=postgres_url, database_statement_timeout=0.5))
    try:
        assert app.storage is not None
        started = time.monotonic()
        with pytest.raises(DBAPIError) as failed:
            async with app.storage.engine.connect() as connection:
                await connection.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 3
        assert "canceling statement due to statement timeout" in str(failed.value.orig)
    finally:
        await app.close()


async def _admin(database: str, *statements: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    base = POSTGRES_URL.replace("+asyncpg", "").rpartition("/")[0]
    connection = await asyncpg.connect(f"{base}/{database}", timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def test_too_many_clients_is_retried_then_answered_busy(tmp_path: Path, postgres_url: str) -> None:
    import asyncpg

    database = postgres_url.rpartition("/")[2]
    # The superuser is exempt from connection limits: the bot connects as a role of its own, owner of the database.
    role = f"wego_limited_{uuid.uuid4().hex[:10]}"
    await _admin("test", f'CREATE ROLE "{role}" LOGIN', f'ALTER DATABASE "{database}" OWNER TO "{role}"')
    base = postgres_url.rpartition("@")[2]
    bot_url = f"postgresql+asyncpg://{role}@{base}"
    blocker = None
    try:
        app = await build_app(make_settings(tmp_path, database_url=bot_url))
        try:
            alice = ChatDriver(app, "alice")
            await alice.send("/start")
            assert app.storage is not None
            # The bot's pooled connections are closed; the only connection the role may have is then someone else's.
            await app.storage.engine.dispose()
            await _admin("test", f'ALTER ROLE "{role}" CONNECTION LIMIT 1')
            blocker = await asyncpg.connect(f"postgresql://{role}@{base}", timeout=5)
            with pytest.raises(asyncpg.TooManyConnectionsError):
                await asyncpg.connect(f"postgresql://{role}@{base}", timeout=5)
            started = time.monotonic()
            await alice.send("/language de")
            assert alice.text == BUSY
            # Retried with waits of 0.2, 0.4 and 0.8 s before giving up.
            assert time.monotonic() - started >= 1.4
            await blocker.close()
            blocker = None
            await alice.send("/language de")
            assert alice.last[0].lang == "de"
        finally:
            await app.close()
    finally:
        if blocker is not None:
            await blocker.close()
        await _admin(database, f'REASSIGN OWNED BY "{role}" TO postgres', f'DROP OWNED BY "{role}"')
        await _admin("test", f'DROP ROLE "{role}"')
