"""The signing key: made once, atomically, by whichever process starts first; a short key stops the start."""

from __future__ import annotations

import multiprocessing
import stat
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.settings import KEY_FILE, SecretKeyError, Settings, get_settings, load_or_create_key
from tests.conftest import make_settings

KEY_LENGTH = 43  # secrets.token_urlsafe(32)


def _start(data_dir: Path, barrier: Barrier, results: Any) -> None:
    barrier.wait()
    try:
        results.put(load_or_create_key(data_dir).decode())
    except Exception as exc:  # reported to the test, which shows it
        results.put(f"error: {exc!r}")


def test_processes_starting_together_on_a_fresh_folder_agree_on_one_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for attempt in range(30):
        data_dir = tmp_path / f"data{attempt}"
        barrier = context.Barrier(4)
        results = context.Queue()
        workers = [context.Process(target=_start, args=(data_dir, barrier, results)) for _ in range(4)]
        for worker in workers:
            worker.start()
        keys = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert len(set(keys)) == 1, (attempt, keys)
        assert len(keys[0]) == KEY_LENGTH, (attempt, keys)
        assert (data_dir / KEY_FILE).read_text() == keys[0]
        # Only the key: the temporary files the losers wrote are gone.
        assert [path.name for path in data_dir.iterdir()] == [KEY_FILE]


def test_key_file_and_folder_are_private_from_the_first_moment(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    key = make_settings(tmp_path, secret_key="").effective_secret()
    assert len(key) == KEY_LENGTH
    assert stat.S_IMODE((data_dir / KEY_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert load_or_create_key(data_dir) == key


@pytest.mark.parametrize("content", ["", "\n", "short-key"])
def test_an_empty_or_short_key_file_is_refused(tmp_path: Path, content: str) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / KEY_FILE).write_text(content)
    settings = make_settings(tmp_path, secret_key="")
    with pytest.raises(SecretKeyError) as refused:
        settings.effective_secret()
    length = len(content.strip())
    assert str(refused.value).startswith(
        f"{data_dir / KEY_FILE} holds a signing key of {length} bytes; at least 32 are needed"
    )
    # The file is left for the operator to look at: nothing overwrites a key that may have signed records.
    assert (data_dir / KEY_FILE).read_text() == content


def test_a_short_configured_secret_key_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, secret_key="k" * 31)  # type: ignore[call-arg]
    assert "SECRET_KEY holds a signing key of 31 bytes; at least 32 are needed" in str(refused.value)
    assert Settings(_env_file=None, secret_key="k" * 32).effective_secret() == b"k" * 32  # type: ignore[call-arg]


def test_the_bot_does_not_start_with_an_empty_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / KEY_FILE).write_text("")
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("/start\n"))
    get_settings.cache_clear()
    try:
        assert main(["chat", "--user", "alice"]) == 2
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(
        "The signing key cannot be used; the bot cannot start:\n"
        f"{data_dir / KEY_FILE} holds a signing key of 0 bytes; at least 32 are needed"
    )
    # Refused before the database was made.
    assert not (data_dir / "wego.sqlite3").exists()
