"""Database faults through the console door (issue 14, bug 2): locked, read-only, and gone mid-transaction.

The console must answer every line, keep reading piped input, and lose no notice waiting in the outbox.
"""

from __future__ import annotations

import io
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.adapters.console import ConsoleChat
from bot.app import build_app
from bot.settings import PROJECT_ROOT
from tests.conftest import make_settings
from tests.helpers import ChatDriver

BUSY = "The assistant is busy right now and nothing was changed. Please try again in a moment."
READ_ONLY = (
    "I can't save anything right now (the database is read-only), so nothing was changed. The team has been told."
)
ANSWERED = "The program team answered your question"


class Lines:
    """A child process's output, line by line, read on a thread so the test can wait for a line with a timeout."""

    def __init__(self, stream: Any) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self._queue.put(line) for line in stream], daemon=True).start()

    def wait_for(self, text: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                self.seen.append(self._queue.get(timeout=0.2))
            except queue.Empty:
                continue
            if text in self.seen[-1]:
                return
        raise AssertionError(f"{text!r} never came; output so far:\n{''.join(self.seen)}")

    def rest(self) -> str:
        while not self._queue.empty():
            self.seen.append(self._queue.get())
        return "".join(self.seen)


def test_piped_chat_survives_a_locked_database_and_answers_the_lines_after_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_"))}
    env.update({"DATA_DIR": str(tmp_path / "data"), "DATABASE_BUSY_TIMEOUT": "0.05"})
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--user", "dana"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert chat.stdin is not None and chat.stdout is not None and chat.stderr is not None
    out, log = Lines(chat.stdout), Lines(chat.stderr)
    blocker: sqlite3.Connection | None = None
    try:
        # The bot creates and migrates the database at start; lock it only once it has answered.
        chat.stdin.write("/start\n")
        chat.stdin.flush()
        out.wait_for("[7] Contact")
        blocker = sqlite3.connect(tmp_path / "data" / "wego.sqlite3", isolation_level=None, timeout=30)
        # Another process holds the write lock (as a long transaction or a stuck writer would).
        blocker.execute("BEGIN IMMEDIATE")
        blocker.execute("UPDATE users SET locale = locale")
        chat.stdin.write("/program\n")
        chat.stdin.flush()
        out.wait_for(BUSY)
        # After the answer the console looks for notices: that too meets the lock, and must not end the chat.
        log.wait_for("WARNING bot.adapters.console: console notices not shown for now: OperationalError")
        blocker.execute("ROLLBACK")
        # The rest of the piped input is still read and answered.
        chat.stdin.write("/contact\n")
        chat.stdin.close()
        assert chat.wait(timeout=60) == 0
    finally:
        if blocker is not None:
            blocker.close()
        if chat.poll() is None:
            chat.kill()
    output, errors = out.rest(), log.rest()
    assert "Traceback" not in errors, errors
    assert output.count(BUSY) == 1
    assert output.rstrip().endswith(
        "WeGO Secretariat\nE-mail: secretariat@we-gov.org\nTelephone: +82 (02) 720-2935\n\n[1] Main menu"
    ), output[-400:]


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Path]:
    """A database where alice asked the team a question and staff answered: the answer waits in the outbox."""
    import asyncio

    async def seed() -> None:
        app = await build_app(make_settings(tmp_path))
        try:
            await ChatDriver(app, "alice").send("/team Is there parking at the venue?")
            await ChatDriver(app, "staffer").send("/answer 1 Yes, behind the city hall.")
        finally:
            await app.close()

    asyncio.run(seed())
    yield make_settings(tmp_path).data_dir / "wego.sqlite3"


def _pending(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select kind, status from deliveries where kind = 'question.answer'").fetchall()


async def test_read_only_database_keeps_the_console_going_and_the_notice_waiting(tmp_path: Path, seeded: Path) -> None:
    url = f"sqlite+aiosqlite:///file:{seeded}?mode=ro&uri=true"
    app = await build_app(make_settings(tmp_path, database_url=url))
    out = io.StringIO()
    try:
        chat = ConsoleChat(app, user="alice", out=out)
        await chat.handle_line("/language fr\n")
        await chat.handle_line("/help\n")
    finally:
        await app.close()
    assert out.getvalue() == f"{READ_ONLY}\n\n{READ_ONLY}\n\n"
    assert _pending(seeded) == [("question.answer", "pending")]


async def test_a_database_gone_mid_transaction_loses_no_notice(tmp_path: Path, seeded: Path) -> None:
    app = await build_app(make_settings(tmp_path))
    assert app.storage is not None
    engine = app.storage.engine.sync_engine
    gone = True

    def fail_on_outbox(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The disk goes away after the event's own transaction, while the console reads the outbox.
        if gone and "deliveries" in statement:
            raise sqlite3.OperationalError("disk I/O error")

    event.listen(engine, "before_cursor_execute", fail_on_outbox)
    out = io.StringIO()
    try:
        chat = ConsoleChat(app, user="alice", out=out)
        await chat.handle_line("/contact\n")
        assert "WeGO Secretariat" in out.getvalue() and ANSWERED not in out.getvalue()
        assert _pending(seeded) == [("question.answer", "pending")]
        gone = False
        await chat.handle_line("/contact\n")
        await chat.handle_line("/contact\n")
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_outbox)
        await app.close()
    assert out.getvalue().count(ANSWERED) == 1
    assert _pending(seeded) == [("question.answer", "sent")]
