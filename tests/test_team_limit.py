"""/team is limited per person per day: each question is posted to the staff chats, so a flood must stop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from bot.app import App, build_app
from storage.models import Question
from tests.conftest import FrozenClock, make_settings
from tests.helpers import ChatDriver

THANKS = "Thank you! I passed your question to the program team. Their answer will come here."


async def _asked(app: App) -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        count = await uow.session.scalar(
            select(func.count()).select_from(Question).where(Question.asked_at.is_not(None))
        )
    return int(count or 0)


async def test_the_sixth_question_in_a_day_is_refused_and_says_when(
    chat: Callable[..., ChatDriver], app: App, clock: FrozenClock
) -> None:
    alice = chat("alice")
    for n in range(5):
        await alice.send(f"/team Question number {n}?")
        assert alice.text == THANKS
        clock.advance(hours=1)
    await alice.send("/team One more?")
    assert alice.text == (
        "You have asked the team 5 questions in the last 24 hours, as many as I can pass on for now. "
        "You can ask again at Mar 3, 2026, 9:00\u202fAM (UTC). Nothing was sent."
    )
    assert await _asked(app) == 5
    # Someone else is not affected.
    await chat("bob").send("/team Is there parking?")
    assert await _asked(app) == 6
    # 24 hours after the first question, one more may be asked; the next waits for the second to age out.
    clock.now = clock.now.replace(day=3, hour=9)
    await alice.send("/team Now?")
    assert alice.text == THANKS
    await alice.send("/team And now?")
    assert alice.text.endswith("You can ask again at Mar 3, 2026, 10:00\u202fAM (UTC). Nothing was sent.")
    assert await _asked(app) == 7


async def test_the_limit_is_configurable_and_translated(tmp_path: Path) -> None:
    app = await build_app(make_settings(tmp_path / "one", team_questions_per_day=1))
    try:
        alice = ChatDriver(app, user_id="alice", locale_hint="it")
        await alice.send("/team Domanda?")
        await alice.send("/team Un'altra?")
        assert alice.text.startswith("Hai già fatto 1 domanda al team nelle ultime 24 ore")
        assert await _asked(app) == 1
    finally:
        await app.close()
