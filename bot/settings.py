"""Settings from the environment and an optional `.env` file; every default works with no file at all."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES: tuple[str, ...] = ("en", "it", "de", "fr", "ar", "ko", "zh")


def _split_list(value: object) -> object:
    # Lists come from the environment as "a,b,c"; JSON would be unfriendly for staff to edit.
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]

# Certificate codes and the derived webhook secret are HMACs of sequential ids: a short key can be guessed.
MIN_SECRET_BYTES = 32
KEY_FILE = "secret.key"


class SecretKeyError(ValueError):
    """The signing key is missing, too short or cannot be made: the bot must not start with it."""


def _check_key(key: bytes, source: str) -> bytes:
    if len(key) < MIN_SECRET_BYTES:
        raise SecretKeyError(
            f"{source} holds a signing key of {len(key)} bytes; at least {MIN_SECRET_BYTES} are needed, or certificate "
            "codes and the webhook secret could be computed by anyone."
        )
    return key


def _read_key_file(path: Path) -> bytes:
    key = path.read_bytes().strip()
    try:
        return _check_key(key, str(path))
    except SecretKeyError as exc:
        raise SecretKeyError(
            f"{exc} An empty or short file is left by a crash or a full disk during the first start: if no "
            f"certificate was issued yet, delete {path} and start again; otherwise restore it from a backup."
        ) from None


def load_or_create_key(data_dir: Path) -> bytes:
    """The key kept in `data_dir/secret.key`, made on first use so that processes starting together agree on one.

    The key is written whole to a private temporary file and then hard-linked to its name: a link never replaces
    a file, so the first process to link wins and every other one reads the winner's complete key.
    """
    path = data_dir / KEY_FILE
    if path.exists():
        return _read_key_file(path)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file 0600, so the key is never readable by others, not even for a moment.
    handle, temporary = tempfile.mkstemp(prefix=f".{KEY_FILE}.", dir=data_dir)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(MIN_SECRET_BYTES))
            file.flush()
            os.fsync(file.fileno())
        # Another process linked its key first: theirs is read below.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return _read_key_file(path)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=PROJECT_ROOT / "data")
    database_url: str = ""
    # Seconds a writer waits for SQLite's lock before the event is retried and then refused politely.
    database_busy_timeout: float = Field(default=5.0, gt=0)
    # PostgreSQL: seconds to wait for a connection to be answered, and for one statement, before giving up with
    # the reason (instead of hanging for a minute, or for ever, on a server that accepts and never answers).
    database_connect_timeout: float = Field(default=10.0, gt=0)
    database_statement_timeout: float = Field(default=30.0, gt=0)
    # PostgreSQL connections one process keeps open, and how many more it may open at a peak.
    database_pool_size: int = Field(default=5, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    content_dir: Path = Field(default=PROJECT_ROOT / "content")
    default_language: str = "en"
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    # "text" for people reading a terminal, "json" (one object per line) for a log collector.
    log_format: Literal["text", "json"] = "text"
    # How long a person promoted from a workshop's waiting list has to confirm before the seat passes on.
    waitlist_offer_hours: int = Field(default=48, ge=1, le=24 * 14)

    secret_key: SecretStr = SecretStr("")
    public_base_url: str = "http://127.0.0.1:8080"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    # Serve Prometheus metrics at /metrics on the web server above (README: "Metrics and logs").
    metrics_enabled: bool = True

    staff_console_users: CsvList = Field(default_factory=list)
    staff_telegram_ids: CsvList = Field(default_factory=list)
    staff_discord_ids: CsvList = Field(default_factory=list)

    telegram_token: SecretStr = SecretStr("")
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_staff_chat_id: str = ""
    # Telegram updates handled at once (different chats; one chat's updates always one after another), and how
    # many may wait for their chat's turn or a free slot before the next ones stay queued.
    telegram_update_concurrency: int = Field(default=16, ge=1, le=1000)
    telegram_update_backlog: int = Field(default=512, ge=1, le=100_000)

    discord_token: SecretStr = SecretStr("")
    discord_guild_id: str = ""
    discord_staff_role_id: str = ""
    discord_announcement_channel_id: str = ""
    discord_staff_channel_id: str = ""
    # Discord interactions handled at once (different people; one person's always one after another).
    discord_interaction_concurrency: int = Field(default=16, ge=1, le=1000)

    # Sending (the outbox worker). Telegram allows about 30 messages/s overall and 1/s per chat.
    telegram_rate_limit: float = 30.0
    discord_rate_limit: float = 5.0
    per_chat_interval_seconds: float = 1.0
    delivery_concurrency: int = 16
    delivery_max_attempts: int = 5
    delivery_backoff_seconds: float = 1.0
    # A row claimed ("sending") longer than this was in flight at a crash and is sent again.
    delivery_lease_seconds: float = 300.0

    # Questions one person may ask the team (/team) in any 24 hours: each one is posted to the staff chats.
    team_questions_per_day: int = Field(default=5, ge=1)

    # Reminders. Offsets before a workshop: "7d", "1d", "2h", "30m".
    workshop_reminder_offsets: CsvList = Field(default_factory=lambda: ["7d", "1d", "2h"])
    # A study reminder missed (e.g. the bot was down) by more than this is skipped, not sent late.
    reminder_grace_minutes: int = 120
    nudge_after_days: int = 7
    quiet_hours: str = "22:00-08:00"
    scheduler_tick_seconds: float = 30.0

    # What this `wego-bot run` process does (README "Deploying"): telegram, discord, clock; empty: everything
    # configured, in one process. Several processes need PostgreSQL; exactly one of those with `clock` leads.
    wego_roles: CsvList = Field(default_factory=list)
    # Seconds between a standby process's attempts to take the clock (and the leader's connection checks).
    clock_election_seconds: float = Field(default=1.0, gt=0, le=60)
    # Redis (redis://host:6379/0) for one send rate limit shared by every process; empty: each process paces
    # itself, which is exact when one process sends (SQLite, or the clock leader alone sending the outbox).
    redis_url: SecretStr = SecretStr("")

    @field_validator("wego_roles")
    @classmethod
    def _roles_known(cls, value: list[str]) -> list[str]:
        roles = [role.lower() for role in value]
        unknown = [role for role in roles if role not in ("telegram", "discord", "clock")]
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)}; the roles are telegram, discord, clock")
        return roles

    @field_validator("staff_console_users", "staff_telegram_ids", "staff_discord_ids", "wego_roles", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("workshop_reminder_offsets", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("workshop_reminder_offsets")
    @classmethod
    def _offsets_valid(cls, value: list[str]) -> list[str]:
        from bot.domain.timing import parse_offset

        for item in value:
            parse_offset(item)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        from bot.domain.timing import parse_quiet_hours

        parse_quiet_hours(value)
        return value

    @field_validator("secret_key")
    @classmethod
    def _secret_long_enough(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value().encode()
        if key:
            try:
                _check_key(key, "SECRET_KEY")
            except SecretKeyError as exc:
                raise ValueError(
                    f"{exc} Leave it empty to use a generated key, or make one with: "
                    "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
                ) from None
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'wego.sqlite3'}"

    def effective_secret(self) -> bytes:
        """The signing secret; without one configured, a random one kept in the data directory.

        Raises SecretKeyError when the kept key is shorter than MIN_SECRET_BYTES."""
        configured = self.secret_key.get_secret_value()
        if configured:
            return configured.encode()
        return load_or_create_key(self.data_dir)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
