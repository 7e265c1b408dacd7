"""Settings from the environment and an optional `.env` file; every default works with no file at all."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=PROJECT_ROOT / "data")
    database_url: str = ""
    # Seconds a writer waits for SQLite's lock before the event is retried and then refused politely.
    database_busy_timeout: float = Field(default=5.0, gt=0)
    content_dir: Path = Field(default=PROJECT_ROOT / "content")
    default_language: str = "en"
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    # How long a person promoted from a workshop's waiting list has to confirm before the seat passes on.
    waitlist_offer_hours: int = Field(default=48, ge=1, le=24 * 14)

    secret_key: SecretStr = SecretStr("")
    public_base_url: str = "http://127.0.0.1:8080"
    web_host: str = "127.0.0.1"
    web_port: int = 8080

    staff_console_users: CsvList = Field(default_factory=list)
    staff_telegram_ids: CsvList = Field(default_factory=list)
    staff_discord_ids: CsvList = Field(default_factory=list)

    telegram_token: SecretStr = SecretStr("")
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_staff_chat_id: str = ""

    discord_token: SecretStr = SecretStr("")
    discord_guild_id: str = ""
    discord_staff_role_id: str = ""
    discord_announcement_channel_id: str = ""
    discord_staff_channel_id: str = ""

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

    @field_validator("staff_console_users", "staff_telegram_ids", "staff_discord_ids", mode="before")
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
        from scheduler.timing import parse_offset

        for item in value:
            parse_offset(item)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        from scheduler.timing import parse_quiet_hours

        parse_quiet_hours(value)
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
        """The signing secret; without one configured, a random one kept in the data directory."""
        if self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
