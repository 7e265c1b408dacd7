"""Logging for every command: secrets redacted and payloads kept out, from the first line the process writes."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import unquote, urlsplit

from bot.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The id of the platform event being handled (a Telegram update id, a Discord interaction id), set by the
# dispatcher for the time it handles one: JSON log lines carry it, so every line about one event can be found.
EVENT_ID: ContextVar[str | None] = ContextVar("wego_event_id", default=None)

# Libraries that log whole payloads at DEBUG: Bot API call parameters and answers (message texts, people's names,
# the webhook secret), every update PTB processes, Discord request bodies and gateway events, and every SQLite
# statement with its parameters. They are held at INFO, so LOG_LEVEL=DEBUG shows our own lines (which name ids,
# never contents) and theirs from INFO up.
PAYLOAD_LOGGERS = (
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "httpcore",
    "discord.http",
    "discord.gateway",
    "aiosqlite",
)
# httpx logs every request line at INFO, and a Telegram request URL carries the bot token: only its problems.
QUIET_LOGGERS = ("httpx",)
# Migrations and the clock narrate every step at INFO; only their problems are worth a line.
CHATTY_LOGGERS = ("alembic", "apscheduler")

# Shorter values are not secrets worth hiding, and replacing them would garble ordinary words in log lines.
MIN_SECRET_LENGTH = 6


class Redact(logging.Filter):
    """Replaces each secret by its label in every record that passes (message, arguments and traceback)."""

    def __init__(self, secrets: dict[str, str]) -> None:
        super().__init__()
        # Longest first: a secret that contains another is replaced whole.
        self.secrets = sorted(
            ((secret, label) for secret, label in secrets.items() if len(secret) >= MIN_SECRET_LENGTH),
            key=lambda item: len(item[0]),
            reverse=True,
        )

    def redact(self, text: str) -> str:
        for secret, label in self.secrets:
            text = text.replace(secret, label)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging reports it itself, unredacted text is never built
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info:
            # The traceback repeats the exception's message: format it now, redacted, so handlers reuse it.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the event id when one is known, the traceback.

    Only the message our code wrote (already redacted by the filter): never a record's other attributes, where a
    library may have put a payload."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        event_id = EVENT_ID.get()
        if event_id:
            entry["event_id"] = event_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def configured_secrets(settings: Settings) -> dict[str, str]:
    """Every secret the settings hold, with the label that replaces it in logs."""
    secrets: dict[str, str] = {}
    for token in (settings.telegram_token.get_secret_value(), settings.discord_token.get_secret_value()):
        if token:
            secrets[token] = "<token>"
            # A Telegram token is "<bot id>:<secret>": the secret half alone is still a secret.
            _bot_id, colon, rest = token.partition(":")
            if colon:
                secrets.setdefault(rest, "<token>")
    for value in (settings.telegram_webhook_secret.get_secret_value(), settings.secret_key.get_secret_value()):
        if value:
            secrets[value] = "<secret>"
    # urllib rather than SQLAlchemy's URL: `wego-bot ask` starts without importing SQLAlchemy.
    for url in (settings.resolved_database_url, settings.redis_url.get_secret_value()):
        password = urlsplit(url).password
        if password:
            secrets[password] = "<secret>"
            secrets.setdefault(unquote(password), "<secret>")
    return secrets


def configure_logging(settings: Settings, *, quiet: bool) -> Redact:
    """Root handler with the redaction filter, payload loggers held back; returns the filter.

    Called before any platform library is imported, so nothing they log (not even the Bot API URL they log when
    they start) reaches a handler unredacted."""
    level = logging.WARNING if quiet else getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format=FORMAT, stream=sys.stderr)
    redactor = Redact(configured_secrets(settings))
    json_lines = settings.log_format == "json"
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
        if json_lines:
            handler.setFormatter(JsonFormatter())
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    for name in QUIET_LOGGERS + CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    _redact_uncaught(redactor, json_lines=json_lines)
    return redactor


def _redact_uncaught(redactor: Redact, *, json_lines: bool = False) -> None:
    """A traceback that ends the process is printed without logging: it gets the same redaction (and, with JSON
    logs, the same shape as every other line, so a log collector does not split it into one entry per line)."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        text = redactor.redact("".join(traceback.format_exception(kind, error, trace)))
        if json_lines:
            record = logging.LogRecord("uncaught", logging.CRITICAL, "", 0, "the process stopped on an error", (), None)
            record.exc_text = text.rstrip("\n")
            text = JsonFormatter().format(record) + "\n"
        sys.stderr.write(text)

    sys.excepthook = hook
