"""A real process killed with SIGKILL mid-broadcast and started again: everyone gets the message, at most the one in
flight twice; a study reminder that fell due while the bot was down fires once, not once per start."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import build_app
from bot.settings import PROJECT_ROOT
from storage.models import Account, Broadcast, Delivery, StudyReminder, User
from tests.conftest import make_settings

RECIPIENTS = 30


def child_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_URL"))}
    env.update(
        DATA_DIR=str(tmp_path / "data"),
        CONTENT_DIR=str(PROJECT_ROOT / "content"),
        DELIVERY_CONCURRENCY="1",
        DELIVERY_LEASE_SECONDS="0",
        TELEGRAM_RATE_LIMIT="1000",
        PER_CHAT_INTERVAL_SECONDS="0",
        SCHEDULER_TICK_SECONDS="0.2",
        QUIET_HOURS="00:00-00:00",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


async def seed(tmp_path: Path) -> None:
    app = await build_app(make_settings(tmp_path, quiet_hours="00:00-00:00"))
    assert app.storage is not None
    now = datetime.now(UTC)
    async with app.storage.unit_of_work() as uow:
        for n in range(RECIPIENTS):
            user = User(display_name=f"u{n}", locale="en")
            uow.session.add(user)
            await uow.session.flush()
            uow.session.add(Account(user_id=user.id, platform="telegram", platform_user_id=f"u{n}", chat_id=f"c{n}"))
            if n == 0:
                uow.session.add(
                    StudyReminder(
                        user_id=user.id,
                        weekdays="1,2,3,4,5,6,7",
                        at_local="00:00",
                        next_due_at=now - timedelta(minutes=5),
                    )
                )
        uow.session.add(
            Broadcast(
                audience={}, texts={"en": "Final call"}, default_language="en", status="scheduled", scheduled_at=now
            )
        )
        await uow.commit()
    await app.close()


def start(tmp_path: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.restart_entry", str(out), "0.05"],
        cwd=tmp_path,
        env=child_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def lines(out: Path) -> list[str]:
    return out.read_text().splitlines() if out.exists() else []


async def test_kill_9_mid_broadcast_then_restart_delivers_everyone_once(tmp_path: Path) -> None:
    await seed(tmp_path)
    out = tmp_path / "sent.log"
    first = start(tmp_path, out)
    deadline = time.monotonic() + 30
    while len(lines(out)) < 10 and time.monotonic() < deadline and first.poll() is None:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    assert first.poll() is None, first.stderr.read().decode() if first.stderr else ""
    first.send_signal(signal.SIGKILL)
    first.wait()
    before_restart = len(lines(out))
    assert 10 <= before_restart < RECIPIENTS + 1, "the kill must land mid-broadcast"

    second = start(tmp_path, out)
    try:
        _out, err = second.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        second.kill()
        _out, err = second.communicate()
        raise AssertionError(f"restarted process did not finish: {lines(out)[-3:]} {err.decode()[-3000:]}") from None
    assert second.returncode == 0, err.decode()

    broadcast_lines = [line for line in lines(out) if line.endswith("Final call")]
    per_chat = Counter(line.split("\t")[0] for line in broadcast_lines)
    assert set(per_chat) == {f"c{n}" for n in range(RECIPIENTS)}, "someone never got the broadcast"
    twice = [chat for chat, count in per_chat.items() if count > 1]
    assert len(twice) <= 1 and all(per_chat[c] == 2 for c in twice), per_chat

    app = await build_app(make_settings(tmp_path))
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        statuses = Counter((d.kind, d.status) for d in await uow.session.scalars(select(Delivery)))
        broadcast = await uow.session.scalar(select(Broadcast))
    await app.close()
    assert statuses == {("broadcast", "sent"): RECIPIENTS, ("study", "sent"): 1}
    assert broadcast is not None and (broadcast.status, broadcast.recipients) == ("done", RECIPIENTS)
