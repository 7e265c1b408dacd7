"""Check-in codes: a code per session day, one answer for every wrong code, and a pause after too many guesses."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import App, build_app
from bot.core.actions import act
from bot.core.events import Event
from bot.domain import workshops as ws
from bot.settings import Settings
from storage.models import CheckinAttempts
from tests.conftest import FrozenClock, make_settings
from tests.helpers import ChatDriver
from tests.workshop_helpers import make_workshop, registrations, user_row, workshop

WRONG = "That check-in code is not right. Please check it on the poster at the venue."
PAUSED_NOW = WRONG + " Check-in is paused for you for 10 minutes; the staff at the venue can also check you in."


async def _join(driver: ChatDriver, workshop_id: int) -> None:
    await driver.press_action(act("ws.join", workshop_id, "skip"))


async def _code(app: App, workshop_id: int) -> str:
    code = ws.checkin_code_for(await workshop(app, workshop_id))
    assert code is not None
    return code


async def _attempts(app: App, platform_user_id: str) -> tuple[int, datetime | None] | None:
    user = await user_row(app, platform_user_id)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.scalar(select(CheckinAttempts).where(CheckinAttempts.user_id == user.id))
        return None if row is None else (row.failures, row.paused_until)


def _other_code(code: str) -> str:
    """A well-formed code that is not `code`."""
    return ("A" if code[0] != "A" else "B") + code[1:]


async def test_every_wrong_code_gets_one_answer_and_only_the_right_one_learns_the_window(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), start="2026-03-03 15:00", duration=120)  # 14:00-16:00 UTC
    alice = chat("alice")
    await _join(alice, wid)
    code = await _code(app, wid)
    answers = []
    # Out of the window (the day before), then in it: a wrong code reads the same, whatever it is.
    for moment in (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 3, 14, 30, tzinfo=UTC)):
        clock.now = moment
        for wrong in (_other_code(code), "XXXXXX", "ab", "ÄÖÜ123"):
            await alice.send(f"/checkin {wrong}")
            answers.append(alice.text)
            # The pause is tested below: here every try starts a fresh series.
            async with app.storage.unit_of_work() as uow:  # type: ignore[union-attr]
                await uow.session.execute(CheckinAttempts.__table__.delete())
                await uow.commit()
    assert answers == [WRONG] * 8
    clock.now = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    await alice.send(f"/checkin {code}")
    # The right code, before the window: when it opens, in the venue's zone, named.
    assert alice.text == (
        "Check-in for the workshop in Milan opens on Tuesday, March 3, 2026, 2:00\u202fPM (Europe/Rome), "
        "one hour before the start. Send the code again then."
    )
    await alice.send("/language it")
    await alice.send("/timezone Asia/Seoul")
    await alice.send(f"/checkin {code}")
    assert alice.text == (
        "Il check-in per il workshop di Milano apre martedì 3 marzo 2026, ore 14:00 (Europe/Rome), un'ora prima "
        "dell'inizio. Invia di nuovo il codice a quel punto."
    )
    assert await registrations(app, wid) == [("alice", "confirmed", None)]


async def test_five_wrong_codes_pause_check_in_for_ten_minutes_across_a_restart(
    app: App, settings: Settings, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), start="2026-03-03 15:00", duration=120)
    alice = chat("alice")
    await _join(alice, wid)
    code = await _code(app, wid)
    clock.now = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    for n in range(4):
        await alice.send(f"/checkin {n}{code[1:]}" if f"{n}{code[1:]}" != code else "/checkin ZZZZZZ")
        assert alice.text == WRONG
    assert await _attempts(app, "alice") == (4, None)
    await alice.send("/checkin ZZZZZY")
    assert alice.text == PAUSED_NOW
    assert await _attempts(app, "alice") == (5, datetime(2026, 3, 3, 14, 10, tzinfo=UTC))
    # Paused: even the right code is not looked at.
    clock.advance(minutes=3)
    await alice.send(f"/checkin {code}")
    assert alice.text == (
        "Too many wrong check-in codes. Check-in is paused for you for 7 minutes; the staff at the venue can also "
        "check you in."
    )
    assert await registrations(app, wid) == [("alice", "confirmed", None)]

    # A restart keeps the pause: it is a row.
    restarted = await build_app(settings)
    restarted.dispatcher.clock = clock
    try:
        again = ChatDriver(restarted, user_id="alice")
        await again.send(f"/checkin {code}")
        assert again.text.startswith("Too many wrong check-in codes. Check-in is paused for you for 7 minutes")
        clock.now = datetime(2026, 3, 3, 14, 10, tzinfo=UTC)
        await again.send(f"/checkin {code}")
        assert again.text == "Welcome to the workshop in Milan! Your attendance is recorded."
    finally:
        await restarted.close()
    assert await registrations(app, wid) == [("alice", "confirmed", datetime(2026, 3, 3, 14, 10, tzinfo=UTC))]
    # The right code ends the series.
    assert await _attempts(app, "alice") is None


async def test_wrong_codes_spread_over_more_than_an_hour_do_not_pause(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), start="2026-03-03 15:00", duration=120)
    bob = chat("bob")
    await _join(bob, wid)
    for _ in range(8):
        await bob.send("/checkin ZZZZZZ")
        assert bob.text == WRONG
        clock.advance(minutes=20)
    # A series lasts an hour from its first wrong code: 0, 20, 40 | 60, 80, 100 | 120, 140 minutes.
    assert await _attempts(app, "bob") == (2, None)


async def test_the_code_is_the_session_days_own_and_staff_see_it_not_the_secret(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), start="2026-03-03 15:00", duration=120)
    alice, staff = chat("alice"), chat("staffer")
    await _join(alice, wid)
    row = await workshop(app, wid)
    assert len(row.checkin_code) == 32  # the secret
    day = datetime(2026, 3, 3).date()
    code = await _code(app, wid)
    assert code == ws.session_code(row.checkin_code, day) and len(code) == 6
    yesterday = ws.session_code(row.checkin_code, day - timedelta(days=1))
    assert yesterday != code
    await staff.send("/ws_list")
    assert f"check-in code {code}" in staff.text
    assert row.checkin_code not in staff.text

    clock.now = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    await alice.send(f"/checkin {yesterday}")
    assert alice.text == WRONG
    # Moved to the next day: the poster of the old day no longer checks anyone in.
    await staff.send(f'/ws_date {wid} "2026-03-04 15:00"')
    new_code = await _code(app, wid)
    assert new_code != code and f"check-in code {new_code}" in staff.text
    clock.now = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    await alice.send(f"/checkin {code}")
    assert alice.text == WRONG
    await alice.send(f"/checkin {new_code}")
    assert alice.text == "Welcome to the workshop in Milan! Your attendance is recorded."


async def test_a_workshop_without_a_date_has_no_code_yet(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), start="tba")
    assert ws.checkin_code_for(await workshop(app, wid)) is None
    staff = chat("staffer")
    await staff.send(f"/ws_list {wid}")
    assert "check-in code —\n" in staff.text


async def _guess_at_once(app: App, clock: FrozenClock) -> None:
    wid = await make_workshop(app, clock(), start="2026-03-03 15:00", duration=120)
    await _join(ChatDriver(app, user_id="mallory"), wid)
    clock.now = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)

    async def guess(n: int) -> str:
        event = Event(
            platform="console", user_id="mallory", chat_id="mallory", text=f"/checkin Z{n:05d}", event_id=f"guess-{n}"
        )
        return (await app.dispatcher.dispatch(event))[0].text

    texts = Counter(await asyncio.gather(*(guess(n) for n in range(30))))
    # Every guess counted, none lost to a race: four plain answers, the fifth starts the pause, the rest wait.
    assert texts[WRONG] == 4 and texts[PAUSED_NOW] == 1
    assert sum(texts.values()) == 30 and all(
        t.startswith("Too many wrong check-in codes.") for t in texts.elements() if t not in (WRONG, PAUSED_NOW)
    )
    assert await _attempts(app, "mallory") == (5, datetime(2026, 3, 3, 14, 10, tzinfo=UTC))


async def test_thirty_guesses_at_once_count_each_one_sqlite(app: App, clock: FrozenClock) -> None:
    await _guess_at_once(app, clock)


async def test_thirty_guesses_at_once_count_each_one_postgresql(
    tmp_path: Path, postgres_url: str, clock: FrozenClock
) -> None:
    application = await build_app(make_settings(tmp_path, database_url=postgres_url))
    application.dispatcher.clock = clock
    try:
        await _guess_at_once(application, clock)
    finally:
        await application.close()
