"""LOG_LEVEL=DEBUG shows no secret and no one's message or name, from the first line the process writes."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logging_setup import PAYLOAD_LOGGERS, configure_logging
from bot.settings import PROJECT_ROOT
from tests.adapters.telegram.fakeapi import TOKEN, fake_bot_api
from tests.conftest import make_settings

FIXTURES = Path(__file__).parent / "adapters" / "telegram" / "fixtures"
NAME = "Zebulon"
SURNAME = "Quaxworthy"
TEXT = "my diary says I live at 7 Larkspur Lane"
SECRET_KEY = "signing-key-0123456789-abcdefghijklmnop"
PASSWORD = "db-pass-w0rd"


@pytest.fixture
def fresh_root_logging() -> Iterator[None]:
    """The root logger's handlers, level, excepthook and library levels, restored after the test."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook)
    levels = {name: logging.getLogger(name).level for name in (*PAYLOAD_LOGGERS, "httpx")}
    try:
        yield
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers, root.level, sys.excepthook = saved[0], saved[1], saved[2]
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_every_configured_secret_is_redacted_at_every_level(
    tmp_path: Path, fresh_root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(
        tmp_path,
        log_level="DEBUG",
        telegram_token=TOKEN,
        discord_token="discord.token.value-0123456789",
        telegram_webhook_secret="webhook-secret-value",
        secret_key=SECRET_KEY,
        database_url=f"postgresql+asyncpg://wego:{PASSWORD}@db.example.org/wego",
    )
    # As in a new process: no handler yet (pytest's capture handler, added after the fixture, set aside too).
    logging.getLogger().handlers = []
    configure_logging(settings, quiet=False)
    log = logging.getLogger("wego.test")
    log.debug("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    log.info("discord says %s", "discord.token.value-0123456789")
    log.warning("the secret half alone: %s", TOKEN.partition(":")[2])
    log.error("webhook %s, key %s, database %s", "webhook-secret-value", SECRET_KEY, PASSWORD)
    try:
        raise RuntimeError(f"failed at https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("with a traceback")
    err = capsys.readouterr().err
    for secret in (TOKEN, TOKEN.partition(":")[2], "discord.token.value", "webhook-secret-value", SECRET_KEY, PASSWORD):
        assert secret not in err
    assert "GET https://api.telegram.org/bot<token>/getMe" in err
    assert "the secret half alone: <token>" in err
    assert "webhook <secret>, key <secret>, database <secret>" in err
    assert "RuntimeError: failed at https://api.telegram.org/bot<token>/sendMessage" in err
    # Payload loggers are held at INFO even at DEBUG.
    assert all(logging.getLogger(name).getEffectiveLevel() == logging.INFO for name in PAYLOAD_LOGGERS)


async def test_wego_bot_run_at_debug_logs_neither_the_token_nor_what_people_wrote(tmp_path: Path) -> None:
    update = json.loads((FIXTURES / "private_start.json").read_text(encoding="utf-8"))
    update["message"]["from"].update(first_name=NAME, last_name=SURNAME, username="zq_private")
    update["message"]["chat"]["first_name"] = NAME
    update["message"]["text"] = TEXT
    del update["message"]["entities"]
    async with fake_bot_api() as api:
        api.updates.append(update)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "LOG_LEVEL": "DEBUG",
            "DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": SECRET_KEY,
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": f"http://127.0.0.1:{api.port}/bot",
            "WEB_PORT": "0",
            "SCHEDULER_TICK_SECONDS": "0.2",
        }
        # A file, not a pipe: nobody reads a pipe while the test waits, and a full one would stall the bot.
        log_file = tmp_path / "output.log"
        with log_file.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=PROJECT_ROOT,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
            )
        try:
            for _ in range(1500):
                if api.called("sendMessage") or process.returncode is not None:
                    break
                await asyncio.sleep(0.02)
            assert api.called("sendMessage"), "the bot did not answer"
            # The answer went to the person: the update with their name and text was handled.
            assert api.called("sendMessage")[0]["chat_id"] == 111111111
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    text = log_file.read_text()
    assert process.returncode == 0, text
    # Debug logging was on, and the bot's start and stop are there.
    assert " DEBUG " in text
    assert "telegram: long polling as @wego_champions_bot" in text
    assert "stop signal received: shutting down" in text
    for private in (TOKEN, TOKEN.partition(":")[2], SECRET_KEY, NAME, SURNAME, "zq_private", TEXT, "Larkspur"):
        assert private not in text, private
