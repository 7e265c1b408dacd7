"""forward_questions: every staff chat gets every question once, whether the doors call it together or apart."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.app import App
from bot.core.replies import Reply
from bot.staff_inbox import StaffQuestion, forward_questions
from storage.models import Question
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver


class FakeInbox:
    def __init__(self, platform: str, *, failing: bool = False) -> None:
        self.platform = platform
        self.failing = failing
        self.posted: list[tuple[int, str]] = []

    async def post(self, question: StaffQuestion, reply: Reply) -> str | None:
        if self.failing:
            raise ConnectionError("staff chat down")
        self.posted.append((question.id, reply.text.split("\n")[1]))
        return f"{self.platform}-{question.id}"


async def _rows(app: App) -> list[tuple[int, str | None, str | None]]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.scalars(select(Question).order_by(Question.id))
        return [(q.id, q.telegram_message_id, q.discord_message_id) for q in rows]


async def test_doors_calling_apart_each_post_every_question_once(
    app: App, chat: Callable[..., ChatDriver], clock: FrozenClock
) -> None:
    assert app.storage is not None
    await chat("alice").send("/team Is there <b>parking</b>?")
    await chat("bob").send("/team When does part 3 open?")
    telegram, discord = FakeInbox("telegram"), FakeInbox("discord")

    assert await forward_questions(app.storage, [telegram], clock.now) == 2
    assert await forward_questions(app.storage, [discord], clock.now) == 2
    assert await forward_questions(app.storage, [telegram], clock.now) == 0
    assert await forward_questions(app.storage, [telegram, discord], clock.now) == 0

    [first, second] = [row[0] for row in await _rows(app)]
    assert telegram.posted == [(first, "“Is there &lt;b&gt;parking&lt;/b&gt;?”"), (second, "“When does part 3 open?”")]
    assert discord.posted == telegram.posted
    assert await _rows(app) == [
        (first, f"telegram-{first}", f"discord-{first}"),
        (second, f"telegram-{second}", f"discord-{second}"),
    ]


async def test_a_failing_inbox_gets_the_question_on_the_next_run(
    app: App, chat: Callable[..., ChatDriver], clock: FrozenClock
) -> None:
    assert app.storage is not None
    await chat("alice").send("/team Is there parking?")
    telegram, discord = FakeInbox("telegram"), FakeInbox("discord", failing=True)

    assert await forward_questions(app.storage, [telegram, discord], clock.now) == 1
    [(question_id, telegram_id, discord_id)] = await _rows(app)
    assert (telegram_id, discord_id) == (f"telegram-{question_id}", None)

    discord.failing = False
    assert await forward_questions(app.storage, [telegram, discord], clock.now) == 1
    assert [q for q, _text in telegram.posted] == [question_id]
    assert await _rows(app) == [(question_id, f"telegram-{question_id}", f"discord-{question_id}")]


async def test_answered_questions_are_not_forwarded(
    app: App, chat: Callable[..., ChatDriver], clock: FrozenClock
) -> None:
    assert app.storage is not None
    await chat("alice").send("/team Is there parking?")
    [(question_id, _t, _d)] = await _rows(app)
    await chat("staffer").send(f"/answer {question_id} Yes.")
    inbox = FakeInbox("discord")
    assert await forward_questions(app.storage, [inbox], clock.now) == 0
    assert inbox.posted == []


async def test_a_permanently_failing_inbox_does_not_starve_the_other(app: App, clock: FrozenClock) -> None:
    from storage.models import User
    from storage.questions import QuestionRepository

    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        user = User(display_name="alice")
        uow.session.add(user)
        await uow.session.flush()
        for n in range(22):
            await QuestionRepository(uow.session).add(
                user_id=user.id, text=f"q{n}", language="en", platform="telegram", now=clock.now, asked=True
            )
        await uow.commit()
    telegram, discord = FakeInbox("telegram", failing=True), FakeInbox("discord")

    # Each inbox takes the oldest 20 it has not had; the telegram chat refusing all of them changes nothing.
    assert await forward_questions(app.storage, [telegram, discord], clock.now) == 20
    assert await forward_questions(app.storage, [telegram, discord], clock.now) == 2
    ids = [row[0] for row in await _rows(app)]
    assert [question_id for question_id, _text in discord.posted] == ids
    assert {telegram_id for _id, telegram_id, _discord_id in await _rows(app)} == {None}
