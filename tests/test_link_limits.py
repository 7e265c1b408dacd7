"""/link codes cannot be guessed: 5 wrong codes per 15 minutes per person, counted in the database."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.settings import Settings
from storage.models import FailedAttempt
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver, user_id_of


def _code(text: str) -> str:
    match = re.search(r"link code: ([0-9A-Z]{8})", text)
    assert match, text
    return match.group(1)


async def test_five_wrong_codes_then_a_pause_that_survives_a_restart(
    chat: Callable[..., ChatDriver],
    app: App,
    settings: Settings,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice = chat("alice")
    await alice.send("/link")
    code = _code(alice.text)
    guesser = chat("mallory", platform="telegram")
    caplog.set_level(logging.INFO)
    for n in range(4):
        await guesser.send(f"/link ZZZZZZZ{n}")
        assert guesser.text == "That is not a valid link code. Send /link on your other platform for a new one."
    await guesser.send("/link ZZZZZZZ9")
    assert guesser.text == (
        "That is not a valid link code. Send /link on your other platform for a new one.\n"
        "That was too many wrong codes. You can try again at Mar 2, 2026, 9:15\u202fAM (UTC) (in 15 minutes)."
    )
    clock.advance(minutes=5)
    # Even the right code is not checked while the pause lasts: otherwise guessing would simply go on.
    await guesser.send(f"/link {code}")
    assert guesser.text == (
        "Too many wrong link codes, so I am not checking codes from you for a while. "
        "You can try again at Mar 2, 2026, 9:15\u202fAM (UTC) (in 10 minutes)."
    )
    assert await user_id_of(app, "alice") != await user_id_of(app, "mallory", "telegram")
    mallory = await user_id_of(app, "mallory", "telegram")
    refusals = [r.getMessage() for r in caplog.records if "link code refused" in r.getMessage()]
    assert len(refusals) == 6 and all(f"for user {mallory}:" in line for line in refusals)
    assert not any(code in r.getMessage() or "ZZZZZZZ" in r.getMessage() for r in caplog.records)

    # A restart does not reset the count.
    restarted = await build_app(settings)
    restarted.dispatcher.clock = clock
    try:
        again = ChatDriver(restarted, user_id="mallory", platform="telegram")
        await again.send(f"/link {code}")
        assert again.text.startswith("Too many wrong link codes")
        clock.advance(minutes=10)
        # The pause is over: the code asked for now works (the first one has expired meanwhile).
        await alice.send("/link")
        await again.send(f"/link {_code(alice.text)}")
        assert "your accounts are linked" in again.text
    finally:
        await restarted.close()
    assert await user_id_of(app, "alice") == await user_id_of(app, "mallory", "telegram")


async def test_failures_leave_the_window_one_by_one(
    chat: Callable[..., ChatDriver], app: App, clock: FrozenClock
) -> None:
    guesser = chat("mallory")
    for _n in range(5):
        await guesser.send("/link 22222222")
        clock.advance(minutes=1)
    # Failures at 9:00 … 9:04: at 9:15 the first has left the window, so exactly one more try is allowed.
    clock.advance(minutes=10, seconds=-1)
    await guesser.send("/link 22222222")
    assert guesser.text.startswith("Too many wrong link codes") and "9:15" in guesser.text
    clock.advance(seconds=1)
    await guesser.send("/link 22222222")
    assert guesser.text.endswith("You can try again at Mar 2, 2026, 9:16\u202fAM (UTC) (in 1 minute).")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        # Failures older than the window are dropped as new ones come: a person never has more than 5 rows.
        assert await uow.session.scalar(select(func.count()).select_from(FailedAttempt)) == 5
