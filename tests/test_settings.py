from __future__ import annotations

import re
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.M))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_defaults_work_with_no_file_and_lists_come_comma_separated(tmp_path: Path, monkeypatch: object) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, staff_telegram_ids="1, 2,,3")  # type: ignore[call-arg]
    assert settings.staff_telegram_ids == ["1", "2", "3"]
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'wego.sqlite3'}"
    secret = settings.effective_secret()
    assert len(secret) >= 32 and settings.effective_secret() == secret
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    # A token never shows up in a printed settings object.
    assert "123:ABC" not in repr(Settings(_env_file=None, telegram_token="123:ABC"))  # type: ignore[call-arg]
