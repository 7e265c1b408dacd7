"""WEGO_ROLES: what one process does, refused plainly when the configuration cannot serve it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.roles import RoleError, resolve_roles
from tests.conftest import make_settings

PG = "postgresql+asyncpg://wego@db/wego"


def test_unset_takes_everything_configured(tmp_path: Path) -> None:
    assert resolve_roles(make_settings(tmp_path)) == ["clock"]
    both = make_settings(tmp_path, telegram_token="1:a", discord_token="d")
    assert resolve_roles(both) == ["telegram", "discord", "clock"]


def test_split_roles_on_postgresql(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        database_url=PG,
        telegram_token="1:a",
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        wego_roles="Telegram, clock",
    )
    assert resolve_roles(settings) == ["telegram", "clock"]


def test_a_role_without_its_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RoleError, match="WEGO_ROLES has discord, but DISCORD_TOKEN is not set"):
        resolve_roles(make_settings(tmp_path, database_url=PG, wego_roles="discord"))


def test_sqlite_serves_one_process_with_every_role(tmp_path: Path) -> None:
    with pytest.raises(RoleError, match="needs PostgreSQL"):
        resolve_roles(make_settings(tmp_path, telegram_token="1:a", wego_roles="telegram"))
    # Naming every role explicitly is the same single process.
    assert resolve_roles(make_settings(tmp_path, telegram_token="1:a", wego_roles="telegram,clock")) == [
        "telegram",
        "clock",
    ]


def test_an_unknown_role_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown role"):
        make_settings(tmp_path, wego_roles="telegram,scheduler")


async def test_health_reports_the_roles_and_the_clock(tmp_path: Path) -> None:
    import httpx

    from bot.app import build_app
    from bot.web.app import start_web

    app = await build_app(make_settings(tmp_path))
    runner = await start_web(
        app, host="127.0.0.1", port=0, status=lambda: {"roles": ["telegram", "clock"], "clock": "standby"}
    )
    try:
        port = runner.addresses[0][1]
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/health")
        assert answer.json() == {"status": "ok", "database": "ok", "roles": ["telegram", "clock"], "clock": "standby"}
    finally:
        await runner.cleanup()
        await app.close()


async def test_the_clock_sends_to_a_platform_it_does_not_receive(tmp_path: Path) -> None:
    from bot.app import build_app
    from bot.core.replies import Reply
    from bot.roles import send_only
    from tests.adapters.telegram.fakeapi import TOKEN, fake_bot_api

    async with fake_bot_api() as api:
        settings = make_settings(
            tmp_path,
            telegram_token=TOKEN,
            telegram_base_url=f"http://127.0.0.1:{api.port}/bot",
            telegram_staff_chat_id="-100200",
        )
        app = await build_app(settings)
        try:
            async with send_only(app, have=[]) as senders:
                assert list(senders.messengers) == ["telegram"] and len(senders.staff_inboxes) == 1
                outcome = await senders.messengers["telegram"].send("4242", Reply("Awards tonight"))
            # A process that receives Telegram itself sends through its door: no second client.
            async with send_only(app, have=["telegram"]) as none:
                assert none.messengers == {} and none.staff_inboxes == []
        finally:
            await app.close()
    assert outcome.status == "sent"
    assert [(call["chat_id"], call["text"]) for call in api.called("sendMessage")] == [(4242, "Awards tonight")]
    assert api.methods.count("getMe") == 1
