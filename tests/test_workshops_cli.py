"""`wego-bot workshop ...` and the terminal console, as staff and participants use them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.cli import main
from bot.core.actions import act
from bot.core.events import Event
from bot.domain import workshops as ws
from bot.settings import PROJECT_ROOT, get_settings
from storage.models import Registration, User, Workshop
from tests.conftest import FrozenClock, make_settings


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(data))
    monkeypatch.setenv("CONTENT_DIR", str(PROJECT_ROOT / "content"))
    monkeypatch.chdir(tmp_path)  # no developer .env
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


def _sign_up(tmp_path: Path, people: list[tuple[str, str]], workshop_id: int) -> None:
    """People press the final sign-up button (name, year or "skip") at a frozen moment."""

    async def run() -> None:
        app = await build_app(make_settings(tmp_path))
        app.dispatcher.clock = FrozenClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
        try:
            for name, year in people:
                event = Event(
                    platform="console",
                    user_id=name,
                    chat_id=name,
                    display_name=name,
                    action=act("ws.join", workshop_id, year),
                )
                await app.dispatcher.dispatch(event)
        finally:
            await app.close()

    asyncio.run(run())


def test_cli_create_export_counts_cancel(tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workshop", "create", "--city", "Milan", "--zone", "Europe/Rome", "--capacity", "1",
                 "--start", "2027-03-28 10:00", "--venue", "Palazzo Reale"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    # The last Sunday of March 2027: 10:00 in Rome is already summer time, UTC+2.
    assert out.startswith("#9\tMilan\tMar 28, 2027, 10:00\u202fAM (Europe/Rome)\topen\tcapacity=1\tconfirmed=0")

    async def secret() -> str:
        app = await build_app(make_settings(tmp_path))
        try:
            assert app.storage is not None
            async with app.storage.unit_of_work() as uow:
                return (await uow.session.get_one(Workshop, 9)).checkin_code
        finally:
            await app.close()

    # The session day's code, derived from the stored secret; the secret itself is never printed.
    key = asyncio.run(secret())
    assert out.rstrip("\n").endswith(f"\tcode={ws.session_code(key, date(2027, 3, 28))}") and key not in out

    _sign_up(tmp_path, [("alice", "1998"), ("=cmd|calc", "skip"), ("bob", "skip")], 9)

    target = tmp_path / "milan.csv"
    assert main(["workshop", "export", "9", "--out", str(target)]) == 0
    assert capsys.readouterr().out == f"3 rows written to {target}\n"
    assert target.read_text().splitlines() == [
        "workshop_id,city,starts_at_local,timezone,user_id,record_name,display_name,status,waiting_position,"
        "registered_at_utc,attended_at_utc,birth_year,under_35",
        "9,Milan,2027-03-28 10:00,Europe/Rome,1,,alice,confirmed,,2026-12-01T09:00:00+00:00,,1998,under",
        "9,Milan,2027-03-28 10:00,Europe/Rome,2,,'=cmd|calc,waitlisted,1,2026-12-01T09:00:00+00:00,,,",
        "9,Milan,2027-03-28 10:00,Europe/Rome,3,,bob,waitlisted,2,2026-12-01T09:00:00+00:00,,,",
    ]
    assert main(["workshop", "export", "9"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "9,Milan,2027-03-28 10:00,Europe/Rome,1,,alice,confirmed,,2026-12-01T09:00:00+00:00,,1998,under"
    )

    assert main(["workshop", "counts"]) == 0
    assert "Milan\t1\t2\t0" in capsys.readouterr().out.splitlines()

    assert main(["workshop", "set-date", "999", "2027-05-01 10:00"]) == 1
    assert capsys.readouterr().err == (
        "There is no workshop with that number. Run `wego-bot workshop list` to see them.\n"
    )
    assert main(["workshop", "edit", "9", "--capacity", "0"]) == 1
    assert capsys.readouterr().err == "The capacity must be a whole number above zero.\n"

    assert main(["workshop", "cancel", "9"]) == 0
    assert capsys.readouterr().out == "cancelled; 3 people told\n"

    async def statuses() -> list[str]:
        app = await build_app(make_settings(tmp_path))
        try:
            assert app.storage is not None
            async with app.storage.unit_of_work() as uow:
                return list(await uow.session.scalars(select(Registration.status).order_by(Registration.id)))
        finally:
            await app.close()

    assert asyncio.run(statuses()) == ["cancelled", "cancelled", "cancelled"]


def test_console_sign_up_by_numbered_buttons(tmp_path: Path, cli_env: Path) -> None:
    assert main(["workshop", "create", "--city", "Geneva", "--zone", "Europe/Zurich", "--capacity", "5",
                 "--start", "2027-04-20 14:00"]) == 0  # fmt: skip
    # The birth-year decades run from the youngest down; find the number of the 1990s for this year.
    year = datetime.now(UTC).year
    decades = list(range((year - 10) // 10 * 10, (year - 100) // 10 * 10 - 1, -10))
    lines = ["/workshops", "1", "1", "1", str(decades.index(1990) + 1), "6", "/mysignups"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", "ann"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    out = result.stdout
    assert "[1] Geneva  [2] Athens" in out
    assert "[1] Sign up\n[2] All workshops" in out
    assert "[1] I agree\n[2] No, thanks" in out
    assert "You are confirmed for the workshop in Geneva on Tuesday, April 20, 2027" in out
    ics = cli_env / "downloads" / "ann" / "workshop-geneva.ics"
    assert f"📎 workshop-geneva.ics: {ics}" in out
    assert "DTSTART;TZID=Europe/Zurich:20270420T140000" in ics.read_text()
    assert "Geneva — Tuesday, April 20, 2027" in out and "Your place is confirmed." in out

    async def person() -> tuple[int | None, list[str]]:
        app = await build_app(make_settings(tmp_path))
        try:
            assert app.storage is not None
            async with app.storage.unit_of_work() as uow:
                user = await uow.session.scalar(select(User).where(User.display_name == "ann"))
                assert user is not None
                statuses = list(await uow.session.scalars(select(Registration.status)))
                return user.birth_year, statuses
        finally:
            await app.close()

    assert asyncio.run(person()) == (1995, ["confirmed"])
