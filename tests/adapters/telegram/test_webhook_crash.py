"""A real `wego-bot run` in webhook mode, killed with SIGKILL while hundreds of acknowledged updates wait, then
started again: every update Telegram was told "ok" for is answered, and none twice.

Telegram's side is played here: the fake Bot API records what the bot sends, and updates answered with anything
but 200 (or not answered at all: the process died mid-request) are posted again after the restart, as Telegram
would. The updates in hand at the kill (at most TELEGRAM_UPDATE_CONCURRENCY) may have been answered or not; they
are marked interrupted and never handled again (see bot/adapters/telegram/inbox.py).
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.adapters.telegram.door import SECRET_HEADER
from storage.models import TelegramUpdate
from storage.uow import Storage
from tests.adapters.telegram.fakeapi import TOKEN, FakeBotApi, fake_bot_api
from tests.test_restart import child_env

UPDATES = 400
SECRET = "crash-test-secret"
FIRST_USER = 5_000_000
FIRST_UPDATE = 70_000
# Updates handled at once: at most this many are in hand at the kill.
CONCURRENCY = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def update(n: int) -> str:
    user = FIRST_USER + n
    return json.dumps(
        {
            "update_id": FIRST_UPDATE + n,
            "message": {
                "message_id": 1 + n,
                "from": {"id": user, "is_bot": False, "first_name": f"P{n}", "language_code": "en"},
                "chat": {"id": user, "first_name": f"P{n}", "type": "private"},
                "date": 1772442000,
                "text": "/help",
                "entities": [{"offset": 0, "length": 5, "type": "bot_command"}],
            },
        }
    )


def start(tmp_path: Path, api: FakeBotApi, web_port: int) -> subprocess.Popen[bytes]:
    env = child_env(tmp_path)
    env.update(
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=f"http://127.0.0.1:{api.port}/bot",
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{web_port}/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(web_port),
        SECRET_KEY="crash-test-key-" + "x" * 32,
        SCHEDULER_TICK_SECONDS="30",
        TELEGRAM_UPDATE_CONCURRENCY=str(CONCURRENCY),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def answered(api: FakeBotApi) -> Counter[int]:
    return Counter(int(params["chat_id"]) for params in api.called("sendMessage"))


async def all_settled(tmp_path: Path) -> bool:
    """Every update is in the store and none is left pending or in hand."""
    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'wego.sqlite3'}")
    try:
        async with storage.unit_of_work() as uow:
            statuses = list(await uow.session.scalars(select(TelegramUpdate.status)))
    finally:
        await storage.close()
    return len(statuses) == UPDATES and all(status in ("done", "interrupted") for status in statuses)


async def post_until_acknowledged(
    client: httpx.AsyncClient, url: str, n: int, acked: set[int], alive: asyncio.Event
) -> None:
    """Post update n until it is answered 200, while `alive` is set (the process may be killed meanwhile)."""
    while alive.is_set():
        try:
            answer = await client.post(url, content=update(n), headers={SECRET_HEADER: SECRET})
        except httpx.HTTPError:
            answer = None
        if answer is not None and answer.status_code == 200:
            acked.add(n)
            return
        await asyncio.sleep(0.05)


async def test_kill_9_with_acknowledged_updates_in_flight_then_restart_answers_each_once(tmp_path: Path) -> None:
    async with fake_bot_api() as api:
        web_port = free_port()
        url = f"http://127.0.0.1:{web_port}/telegram/webhook"
        first = start(tmp_path, api, web_port)
        acked: set[int] = set()
        alive = asyncio.Event()
        alive.set()
        gate = asyncio.Semaphore(40)  # Telegram's default max_connections

        async def post(n: int) -> None:
            async with gate:
                await post_until_acknowledged(client, url, n, acked, alive)

        async with httpx.AsyncClient(timeout=10) as client:
            posters = [asyncio.create_task(post(n)) for n in range(UPDATES)]
            deadline = time.monotonic() + 60
            while sum(answered(api).values()) < 30 and time.monotonic() < deadline and first.poll() is None:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            assert first.poll() is None, first.stderr.read().decode()[-3000:] if first.stderr else ""
            first.send_signal(signal.SIGKILL)
            first.wait()
            alive.clear()
            await asyncio.gather(*posters)
            acked_before_kill = set(acked)
            answered_before_kill = {chat - FIRST_USER for chat in answered(api)}
            waiting = acked_before_kill - answered_before_kill
            assert len(waiting) >= 100, f"the kill must leave acknowledged updates unanswered: {len(waiting)}"

            # Telegram posts again what was not acknowledged; the acknowledged ones only the store has.
            second = start(tmp_path, api, web_port)
            try:
                alive.set()
                await asyncio.gather(
                    *(post_until_acknowledged(client, url, n, acked, alive) for n in range(UPDATES) if n not in acked)
                )
                # Finished when the store holds every update as done or interrupted (an interrupted one may never
                # be answered, so counting answers alone would wait for the deadline).
                deadline = time.monotonic() + 120
                while not await all_settled(tmp_path) and time.monotonic() < deadline and second.poll() is None:  # noqa: ASYNC110
                    await asyncio.sleep(0.2)
                # Anything answered twice would show up now.
                await asyncio.sleep(1.0)
            finally:
                second.send_signal(signal.SIGTERM)
                try:
                    _out, err = second.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    second.kill()
                    _out, err = second.communicate()
        assert second.returncode == 0, err.decode()[-3000:]

    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'wego.sqlite3'}")
    try:
        async with storage.unit_of_work() as uow:
            rows = {row.update_id: row.status for row in await uow.session.scalars(select(TelegramUpdate))}
    finally:
        await storage.close()
    interrupted = {update_id - FIRST_UPDATE for update_id, status in rows.items() if status == "interrupted"}
    per_update = {chat - FIRST_USER: count for chat, count in answered(api).items()}
    # The updates in hand at the kill are not handled again: answered once if the answer had gone out, else not.
    assert len(interrupted) <= CONCURRENCY and all(per_update.get(n, 0) <= 1 for n in interrupted), (
        interrupted,
        per_update,
    )
    if interrupted:
        listed = sorted(FIRST_UPDATE + n for n in interrupted)
        assert f"are not handled again: {', '.join(map(str, listed))}" in err.decode()
    unanswered = [n for n in range(UPDATES) if n not in interrupted and per_update.get(n, 0) == 0]
    twice = {n: count for n, count in per_update.items() if count > 1}
    assert unanswered == [] and twice == {}, (len(unanswered), unanswered[:20], twice)
    assert set(rows) == {FIRST_UPDATE + n for n in range(UPDATES)}, "an update was never stored"
    assert Counter(rows.values()) == {
        "done": UPDATES - len(interrupted),
        **({"interrupted": len(interrupted)} if interrupted else {}),
    }
