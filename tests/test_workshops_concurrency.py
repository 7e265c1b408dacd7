"""200 people press the final sign-up button at once for 20 seats: the database keeps the capacity.

The clock moves on every read and the processes' clocks disagree by up to 50 ms, as real ones do: a time read
before the workshop's lock is taken must not decide the queue order, or two people are told the same position.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import App, build_app
from bot.core.actions import act
from bot.core.events import Event
from tests.conftest import FrozenClock, make_settings
from tests.workshop_helpers import make_workshop, registrations

PEOPLE, SEATS = 200, 20


class SkewedClock:
    """Each read a millisecond on, minus up to 50 ms of skew (seeded): concurrent events see times out of order."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.random = random.Random(14)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now - timedelta(milliseconds=self.random.randint(0, 50))


WAITING = re.compile(r"^The workshop in Milan is full\. You are number (\d+) on the waiting list\.")


async def _rush(app: App, clock: FrozenClock) -> None:
    wid = await make_workshop(app, clock(), capacity=SEATS)
    app.dispatcher.clock = SkewedClock(clock())

    async def press(n: int) -> str:
        event = Event(
            platform="console",
            user_id=f"p{n:03d}",
            chat_id=f"p{n:03d}",
            action=act("ws.join", wid, "skip"),
            event_id=f"rush-{n}",
        )
        replies = await app.dispatcher.dispatch(event)
        return replies[0].text

    texts = await asyncio.gather(*(press(n) for n in range(PEOPLE)))

    confirmed = [t for t in texts if t.startswith("You are confirmed for the workshop in Milan")]
    positions = sorted(int(m.group(1)) for t in texts if (m := WAITING.match(t)))
    assert len(confirmed) == SEATS
    assert positions == list(range(1, PEOPLE - SEATS + 1))

    rows = await registrations(app, wid)
    assert Counter(status for _who, status, _at in rows) == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    who = [w for w, _status, _at in rows]
    assert len(who) == len(set(who)) == PEOPLE
    # The database's queue order is the order the replies promised.
    waiting_in_order = [w for w, status, _at in rows if status == "waitlisted"]
    by_reply = {int(m.group(1)): f"p{n:03d}" for n, t in enumerate(texts) if (m := WAITING.match(t))}
    assert waiting_in_order == [by_reply[i] for i in range(1, PEOPLE - SEATS + 1)]


async def test_200_concurrent_sign_ups_sqlite_file(app: App, clock: FrozenClock) -> None:
    assert app.storage is not None and app.storage.is_sqlite
    assert app.settings.resolved_database_url.startswith("sqlite+aiosqlite:////")
    await _rush(app, clock)


async def test_200_concurrent_sign_ups_postgresql(tmp_path: Path, postgres_url: str, clock: FrozenClock) -> None:
    application = await build_app(make_settings(tmp_path, database_url=postgres_url))
    application.dispatcher.clock = clock
    try:
        assert application.storage is not None and not application.storage.is_sqlite
        await _rush(application, clock)
    finally:
        await application.close()
