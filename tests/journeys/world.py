"""The world a journey runs in: the real app on SQLite or PostgreSQL, a clock the test moves, the clock's jobs and
the delivery worker driven by hand, and the staff CLI run as its own process, as staff would run it on the server.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.app import App, build_app
from bot.core.ports import Messenger
from bot.i18n import _, use_locale
from bot.settings import PROJECT_ROOT, Settings
from bot.staff_inbox import StaffInbox
from scheduler.clock import SchedulerHandle
from tests.conftest import FrozenClock

SECRET = "journey-secret-key-0123456789-abcdefghijkl"
STAFF_CONSOLE = "staffer"


@dataclass
class Seen:
    """One message as a person sees it on their platform, reduced to what every platform has."""

    text: str
    # Button labels, row by row.
    buttons: list[list[str]]
    # In the person's own private chat or DM (never a group, a server channel or someone else's chat).
    private: bool
    # Only the person sees it (a DM, a private chat, an ephemeral message).
    only_them: bool
    # What the door needs to press a button of this message.
    handle: object = None

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]


class Person(Protocol):
    name: str
    lang: str


class DoorDriver(Protocol):
    """A platform door driven through its real code path, read at the platform's own boundary."""

    platform: str

    def messengers(self) -> Mapping[str, Messenger]: ...

    def staff_inboxes(self) -> Sequence[StaffInbox]: ...

    def person(self, name: str, lang: str) -> Person: ...

    def staff(self) -> Person: ...

    async def say(self, person: Person, text: str) -> list[Seen]: ...

    async def press(self, person: Person, seen: Seen, label: str) -> list[Seen]: ...

    async def answer_question(self, staff: Person, question_id: int, text: str) -> list[Seen]: ...

    async def collect(self) -> None:
        """Sort what the platform received since the last look into each person's inbox."""

    def inbox(self, person: Person) -> list[Seen]:
        """What reached the person later (notices, answers, reminders, broadcasts), once each; emptied on read."""

    def misdirected(self) -> list[str]:
        """Anything personal that went to a group, a channel or another person's chat."""

    async def stop(self) -> None: ...


@dataclass
class World:
    app: App
    clock: FrozenClock
    tmp: Path
    handle: SchedulerHandle | None = None
    doors: list[DoorDriver] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.app.settings

    def connect(self, *doors: DoorDriver) -> None:
        """The clock and the worker send through the doors, as `wego-bot run` wires them."""
        self.doors = list(doors)
        messengers: dict[str, Messenger] = {}
        inboxes: list[StaffInbox] = []
        for door in doors:
            messengers.update(door.messengers())
            inboxes.extend(door.staff_inboxes())
        self.handle = SchedulerHandle(self.app, messengers, self.clock, staff_inboxes=inboxes)
        # Its jobs are kept as in `wego-bot run`, but never fire on the real clock: the test moves time and runs
        # the catch-up pass itself.
        self.handle.scheduler.start(paused=True)

    async def close(self) -> None:
        if self.handle is not None and self.handle.scheduler.running:
            self.handle.scheduler.shutdown(wait=False)
        for door in self.doors:
            await door.stop()
        await self.app.close()

    async def settle(self) -> None:
        """What the running bot does between two things people do: the clock's catch-up pass (questions to staff,
        reminders, broadcasts, offers) and the delivery of everything due."""
        assert self.handle is not None
        for _round in range(2):
            await self.handle.tick()
            await self.handle.worker.run_until_idle()
            await self.handle.worker.sweep_unreachable()
        for door in self.doors:
            await door.collect()

    async def later(self, **delta: float) -> None:
        self.clock.advance(**delta)
        await self.settle()

    def cli_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "STAFF_"))}
        env.update(
            DATA_DIR=str(self.settings.data_dir),
            DATABASE_URL=self.settings.resolved_database_url,
            CONTENT_DIR=str(self.settings.content_dir),
            SECRET_KEY=SECRET,
            STAFF_CONSOLE_USERS=STAFF_CONSOLE,
            LOG_LEVEL="WARNING",
        )
        return env

    async def cli(self, *args: str) -> str:
        """`wego-bot ARGS` as staff type it on the server, in its own process, while the bot runs."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=self.tmp,
            env=self.cli_env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == 0, f"wego-bot {' '.join(args)} failed: {err.decode()}{out.decode()}"
        return out.decode()

    async def workshop_id(self, slug: str) -> int:
        from sqlalchemy import select

        from storage.models import Workshop

        assert self.app.storage is not None
        async with self.app.storage.unit_of_work() as uow:
            found = await uow.session.scalar(select(Workshop.id).where(Workshop.slug == slug))
        assert found is not None
        return int(found)

    async def question_ids(self) -> list[int]:
        from sqlalchemy import select

        from storage.models import Question

        assert self.app.storage is not None
        async with self.app.storage.unit_of_work() as uow:
            rows = await uow.session.scalars(
                select(Question.id).where(Question.asked_at.is_not(None)).order_by(Question.id)
            )
            return list(rows)


def journey_now() -> datetime:
    """Two days after the real today, at 10:00 UTC: the staff CLI, run as its own process, stamps its changes with
    the real time, which must already be past for the bot; and no one's quiet hours are on."""
    today = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    return today + timedelta(days=2)


async def make_world(tmp: Path, database_url: str = "", **overrides: object) -> World:
    values: dict[str, object] = {
        "data_dir": tmp / "data",
        "content_dir": PROJECT_ROOT / "content",
        "database_url": database_url,
        "secret_key": SECRET,
        "staff_console_users": [STAFF_CONSOLE],
        # Every message at once: the spacing between two messages to one chat is the worker's business, tested
        # on its own; here it would only make the journey wait.
        "per_chat_interval_seconds": 0.0,
    }
    values.update(overrides)
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    clock = FrozenClock(journey_now())
    app = await build_app(settings)
    app.dispatcher.clock = clock
    return World(app=app, clock=clock, tmp=tmp)


def tr(lang: str, message: str, **values: object) -> str:
    """A program string as the person reads it in their language (placeholders filled)."""
    with use_locale(lang):
        text = _(message)
    return text.format(**values) if values else text


_TAGS = re.compile(r"</?(?:b|i|u|s|code)>")


def plain(html_text: str) -> str:
    import html

    return html.unescape(_TAGS.sub("", html_text))
