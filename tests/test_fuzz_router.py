"""A suite that keeps looking (issue 14): generated text, arguments and button payloads at every command and every
action in the router, as a participant and as staff, through the real dispatcher on a real SQLite file.

For every event: no exception escapes and the dispatcher's generic "something went wrong" path is never taken (its
log line is watched), every reply is non-empty text whose buttons can be encoded for Telegram, and a refusal (a
UserError) changes no row in any table. Examples are derandomized, so CI sees the same ones every run; a crash
found here gets a plain regression test of its own (tests/test_input_checks.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from bot.app import App, build_app
from bot.core.actions import Action
from bot.core.errors import UserError
from bot.core.events import Event
from bot.core.replies import Reply
from tests.conftest import FrozenClock, make_settings
from tests.helpers import ChatDriver

GENERIC = "Sorry, something went wrong on my side and nothing was changed. Please try again."
# Enough to cover every command and action several times in CI; a longer hunt: WEGO_FUZZ_EXAMPLES=3000.
EXAMPLES = int(os.environ.get("WEGO_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Tokens people and attackers type: ids in and out of range, digits of other scripts, zone folders, far dates,
# markup, control and bidi characters, and the words the commands expect.
NUMBERS = ["0", "1", "2", "3", "7", "42", "-1", "+1", "#1", "1.5", "1e3", "2147483647", "2147483648", "3000000000",
           "9" * 20, "9" * 400, "²", "٣", "３", "१२", "1²", "¹²³", "²,mon", "٣,mon", "３,mon"]  # fmt: skip
WORDS = ["mon", "thu", "daily", "weekdays", "19:00", "25:99", "9:5", "٠٩:٣٠", "pause", "resume", "remove", "list",
         "new", "text", "preview", "send", "at", "cancel", "status", "everyone", "registered", "waiting", "attended",
         "urgent", "lang=it", "lang=xx", "platform=telegram", "workshop=1", "workshop=99999999999999999999",
         "workshop=²", "city=Milan", "stage=completed", "tba", "none", "skip", "Europe", "europe", "Europe/Rome",
         "America/Argentina", "Etc", "Etc/GMT+1", "UTC", "rome", "9999-12-31", "23:59", "2026-05-14", "15:00",
         "0001-01-01", "00:00", "2031-03-02", "2026-03-29", "02:30", "en", "it", "ar", "zz", "ws_1", "ci_ABCDEF",
         "3.2", "9.9", "\x00", "\x07", "\x1b[31m", "\u202e", "\u200b", "<b>", "</i>", "&amp;", '"', "'", "=", "#",
         "x" * 300, "ДА", "東京", "القاهرة"]  # fmt: skip
FIELDS = ["city", "title", "venue", "zone", "start", "duration", "capacity", "opens", "closes", "date", "timezone"]
VALUES = ['"9999-12-31 23:59"', '"2026-05-14 15:00"', '"0001-01-01 00:00"', '"2026-03-29 02:30"', "tba", "none",
          "Europe", "America/Argentina", "x" * 300, "3000000000", "²", "0", "30", "", '"City Hall"']  # fmt: skip

token = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(WORDS),
    st.tuples(st.sampled_from(FIELDS), st.sampled_from(VALUES)).map("=".join),
    st.text(max_size=12),
    st.integers(min_value=-(10**3), max_value=10**25).map(str),
)
arguments = st.lists(token, max_size=5).map(" ".join)


@dataclass(repr=False)
class World:
    """One app on one SQLite file, shared by every example: people, a dated workshop, a sign-up, a reminder, a
    question, a broadcast draft, so that valid ids exist beside the stale and forged ones."""

    runner: asyncio.Runner
    app: App
    db: Path
    ids: list[str]
    failures: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # Hypothesis prints it with every failing example
        return f"World({self.db})"

    def dispatch(self, event: Event) -> list[Reply]:
        return self.runner.run(self.app.dispatcher.dispatch(event))

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        with sqlite3.connect(self.db) as conn:
            tables = [row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")]
            return {t: sorted(conn.execute(f'select * from "{t}"').fetchall(), key=repr) for t in tables}


class _Failures(logging.Handler):
    def __init__(self, world: World) -> None:
        super().__init__(logging.ERROR)
        self.world = world

    def emit(self, record: logging.LogRecord) -> None:
        if "handler failed" in record.getMessage():
            self.world.failures.append(f"{record.getMessage()}: {record.exc_info and record.exc_info[1]!r}")


async def _seed(app: App) -> list[str]:
    staff, alice, bob = ChatDriver(app, "staffer"), ChatDriver(app, "alice"), ChatDriver(app, "bob")
    await staff.send('/ws_new city=Milan zone=Europe/Rome capacity=1 start="2026-05-14 15:00" venue="City Hall"')
    for person in (alice, bob):
        await person.send("/start")
        await person.send("/remind mon,thu 19:00")
        await person.send("/team Is there parking at the venue?")
    await staff.send("/broadcast new everyone")
    await staff.send("/broadcast text Hello")
    await staff.send("/name Maria Rossi")
    with sqlite3.connect(app.settings.data_dir / "wego.sqlite3") as conn:
        ids = {str(row[0]) for t in ("workshops", "study_reminders", "questions", "broadcasts", "users")
               for row in conn.execute(f"select id from {t}")}  # fmt: skip
    return sorted(ids, key=int)


def _no_fsync(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("fuzz")
    runner = asyncio.Runner()
    app = runner.run(build_app(make_settings(tmp)))
    assert app.storage is not None
    # Durability is not under test here, and waiting for the disk on every commit is most of the run time.
    event.listen(app.storage.engine.sync_engine, "connect", _no_fsync)
    runner.run(app.storage.engine.dispose())
    app.dispatcher.clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    world = World(runner, app, tmp / "data" / "wego.sqlite3", runner.run(_seed(app)))
    watcher = _Failures(world)
    logging.getLogger("bot.core.dispatcher").addHandler(watcher)
    original = UserError.reply

    def recorded(self: UserError) -> Reply:
        world.refusals.append(self.message)
        return original(self)

    UserError.reply = recorded  # type: ignore[method-assign]
    try:
        yield world
    finally:
        UserError.reply = original  # type: ignore[method-assign]
        logging.getLogger("bot.core.dispatcher").removeHandler(watcher)
        runner.run(app.close())
        runner.close()


def _check(world: World, event: Event) -> None:
    before = world.snapshot()
    world.failures.clear()
    world.refusals.clear()
    replies = world.dispatch(event)
    assert not world.failures, world.failures
    assert replies, f"no reply to {event}"
    for reply in replies:
        assert reply.text.strip(), f"empty reply to {event}"
        assert reply.text != GENERIC
        for row in reply.buttons:
            for button in row:
                if button.action is not None:
                    button.action.encode()  # raises if Telegram could not carry it
    if world.refusals:
        assert world.snapshot() == before, f"refused {event} but rows changed"


# (platform, user id): a participant with data, staff, a newcomer on Telegram, one on Discord in a group channel.
PEOPLE = [("console", "alice"), ("console", "staffer"), ("telegram", "100200300"), ("discord", "800000000000000009")]
# The platform's language hint, as Telegram and Discord send it, valid or not.
HINTS = [None, "en", "ar", "zh-hans", "pt-BR", "x" * 100, "\x00"]
person = st.tuples(st.sampled_from(PEOPLE), st.sampled_from(HINTS), st.booleans())


def _event(who: tuple[tuple[str, str], str | None, bool], *, text: str = "", action: Action | None = None) -> Event:
    (platform, user), hint, private = who
    return Event(
        platform=platform,
        user_id=user,
        chat_id=user if private else "-100999",
        display_name=user,
        text=text,
        action=action,
        locale_hint=hint,
        private=private,
    )


@FUZZ
@given(data=st.data())
def test_every_command_with_generated_arguments(world: World, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(world.app.router.commands)), label="command")
    who = data.draw(person, label="who")
    rest = data.draw(arguments, label="arguments")
    _check(world, _event(who, text=f"/{name} {rest}"))


@FUZZ
@given(data=st.data())
def test_every_action_with_generated_payloads(world: World, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(world.app.router.actions)), label="action")
    who = data.draw(person, label="who")
    arg = st.one_of(st.sampled_from(world.ids), token)
    args = data.draw(st.lists(arg, max_size=3), label="args")
    _check(world, _event(who, action=Action(name, tuple(args))))


@settings(FUZZ, max_examples=EXAMPLES // 3)
@given(text=st.one_of(arguments, st.text(max_size=200)), who=person)
def test_free_text_and_unknown_commands(world: World, text: str, who: tuple[tuple[str, str], str | None, bool]) -> None:
    _check(world, _event(who, text=text))
