"""LOG_FORMAT=json: one JSON object per line, the event id on the lines about an event, no token, no one's words."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_app
from bot.core.context import Context
from bot.core.events import Event
from bot.core.replies import Reply
from bot.logging_setup import EVENT_ID, configure_logging
from tests.adapters.telegram.fakeapi import TOKEN
from tests.conftest import make_settings
from tests.test_logging_redaction import NAME, SURNAME, TEXT, fresh_root_logging

__all__ = ["fresh_root_logging"]  # the fixture, used by name below


def lines(err: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


async def test_json_lines_carry_the_event_id_and_neither_secrets_nor_what_people_wrote(
    tmp_path: Path, fresh_root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, log_level="DEBUG", log_format="json", telegram_token=TOKEN)
    logging.getLogger().handlers = []
    configure_logging(settings, quiet=False)
    app = await build_app(make_settings(tmp_path))

    async def boom(ctx: Context) -> Reply:
        """Fails on purpose, with the token in its error as a careless library might put it."""
        raise RuntimeError(f"cannot reach https://api.telegram.org/bot{TOKEN}/sendMessage")

    app.router.command("boom")(boom)
    try:
        capsys.readouterr()
        logging.getLogger("wego.test").info("before any event")
        event = Event(
            platform="telegram",
            user_id="4242",
            chat_id="4242",
            text=f"/boom {TEXT}",
            display_name=f"{NAME} {SURNAME}",
            event_id="987654321",
        )
        replies = await app.dispatcher.dispatch(event)
        assert [reply.text for reply in replies] == [
            "Sorry, something went wrong on my side and nothing was changed. Please try again."
        ]
        logging.getLogger("wego.test").info("after the event")
    finally:
        await app.close()
    err = capsys.readouterr().err
    entries = lines(err)  # every line parses
    for word in (TOKEN, TOKEN.partition(":")[2], TEXT, NAME, SURNAME):
        assert word not in err
    before = next(entry for entry in entries if entry["message"] == "before any event")
    assert set(before) == {"time", "level", "logger", "message"}
    assert (before["level"], before["logger"]) == ("INFO", "wego.test")
    logged_at = datetime.fromisoformat(before["time"])
    assert logged_at.tzinfo is not None and logged_at.utcoffset() == UTC.utcoffset(None)
    failed = next(entry for entry in entries if entry["logger"] == "bot.core.dispatcher")
    assert {k: v for k, v in failed.items() if k not in ("time", "exception")} == {
        "level": "ERROR",
        "logger": "bot.core.dispatcher",
        "message": "handler failed for event 987654321 on telegram",
        "event_id": "987654321",
    }
    assert failed["exception"].startswith("Traceback (most recent call last):")
    assert failed["exception"].endswith("RuntimeError: cannot reach https://api.telegram.org/bot<token>/sendMessage")
    after = next(entry for entry in entries if entry["message"] == "after the event")
    assert "event_id" not in after
    assert EVENT_ID.get() is None


def test_an_uncaught_error_is_one_json_line_too_and_redacted(
    tmp_path: Path, fresh_root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger().handlers = []
    configure_logging(make_settings(tmp_path, log_format="json", telegram_token=TOKEN), quiet=False)
    try:
        raise RuntimeError(f"token {TOKEN} refused")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    err = capsys.readouterr().err
    assert TOKEN not in err
    [entry] = lines(err)
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "CRITICAL",
        "uncaught",
        "the process stopped on an error",
    )
    assert entry["exception"].endswith("RuntimeError: token <token> refused")


def test_log_format_is_text_or_json(tmp_path: Path) -> None:
    assert make_settings(tmp_path).log_format == "text"
    with pytest.raises(ValueError, match="log_format"):
        make_settings(tmp_path, log_format="xml")
