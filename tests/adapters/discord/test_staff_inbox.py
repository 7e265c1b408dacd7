"""Questions for the team in the Discord staff channel: posted with an Answer button, answered by a form."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Question, User
from tests.adapters.discord.harness import (
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    Call,
    DiscordHarness,
    Member,
    message_payload,
    running,
    text_channel_payload,
)
from tests.conftest import FrozenClock
from tests.workshop_helpers import deliveries

ALICE = Member("800000000000000001", "alice")
BOB = Member("800000000000000002", "bob")
SAM = Member("800000000000000003", "sam", roles=[str(STAFF_ROLE_ID)])
POSTED_ID = "920000000000000001"
ASKED = "Is there parking at the venue? @everyone **now**"
ANSWER = "Yes: 20 free spaces <b>behind</b> the venue."

ON_ITS_WAY = "Answer to #{id} is on its way to alice. If it cannot be delivered, I will tell you."


def _staff_channel(harness: DiscordHarness) -> list[Any]:
    """Answers for fetching the staff channel and posting in it; returns the posted payloads."""
    posted: list[Any] = []
    harness.routes[("GET", f"/channels/{STAFF_CHANNEL_ID}")] = lambda body: (
        200,
        text_channel_payload(STAFF_CHANNEL_ID, "staff"),
    )

    def post(body: Any) -> tuple[int, Any]:
        posted.append(body)
        message = message_payload(
            content=body["content"], components=body.get("components", []), channel_id=STAFF_CHANNEL_ID
        )
        message["id"] = POSTED_ID
        return 200, message

    harness.routes[("POST", f"/channels/{STAFF_CHANNEL_ID}/messages")] = post
    return posted


async def _question(app: App) -> Question:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        question = await uow.session.scalar(select(Question))
        assert question is not None
        return question


async def _asked_and_posted(harness: DiscordHarness) -> Call:
    _staff_channel(harness)
    [thanks] = await harness.command(ALICE, "team", ASKED)
    assert thanks.content.startswith("Thank you! I passed your question to the program team.")
    before = len(harness.calls)
    assert await _forward(harness) == 1
    fetch, post = harness.calls[before:]
    assert fetch.method == "GET" and post.method == "POST"
    return post


async def test_question_is_posted_once_escaped_without_mentions(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    post = await _asked_and_posted(harness)

    question = await _question(discord_app)
    assert post.path.endswith(f"/channels/{STAFF_CHANNEL_ID}/messages")
    assert post.payload["content"] == (
        f"**Question #{question.id}** from alice (English, discord):\n"
        "“Is there parking at the venue? @everyone \\*\\*now\\*\\*”\n"
        f"Answer with /answer {question.id} followed by your answer."
    )
    assert post.payload["allowed_mentions"] == {"parse": []}
    assert post.custom_ids() == [[f"wans:{question.id}"]] and post.labels() == [["Answer"]]
    assert question.discord_message_id == POSTED_ID and question.forwarded_at == clock.now
    assert question.telegram_message_id is None

    # Taken once: the next round posts nothing.
    before = len(harness.calls)
    assert await _forward(harness) == 0
    assert harness.calls[before:] == []


async def test_staff_answer_through_the_form_reaches_the_participant(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    post = await _asked_and_posted(harness)
    question_id = (await _question(discord_app)).id
    message = harness.message_of(post, channel_id=STAFF_CHANNEL_ID, message_id=POSTED_ID)

    [form] = await harness.press(SAM, message, f"wans:{question_id}")
    assert form.payload["type"] == 9
    modal = form.payload["data"]
    assert modal["custom_id"] == f"wansm:{question_id}" and modal["title"] == f"Answer question #{question_id}"
    [text_input] = [c for row in modal["components"] for c in row.get("components", [row.get("component")])]
    assert text_input["custom_id"] == "answer" and text_input["label"] == "Your answer"
    assert text_input["style"] == 2 and text_input["required"] is True

    [done] = await harness.submit_modal(SAM, f"wansm:{question_id}", {"answer": f"  {ANSWER}\n"}, message=message)

    assert done.payload["type"] == 4 and done.ephemeral
    assert done.content == ON_ITS_WAY.format(id=question_id)
    assert done.custom_ids() == [[f"w:faq.save:{question_id}"]] and done.labels() == [["Save as FAQ"]]
    question = await _question(discord_app)
    assert question.answer == ANSWER and question.answered_by == "discord:sam" and question.answered_at == clock.now
    assert await deliveries(discord_app) == [
        (
            ALICE.user_id,
            "question.answer",
            "<b>The program team answered your question</b>\n"
            "<i>“Is there parking at the venue? @everyone **now**”</i>\n\n"
            "Yes: 20 free spaces &lt;b&gt;behind&lt;/b&gt; the venue.",
        )
    ]

    # Pressed again once answered: no form, the answer stays as it was.
    [again] = await harness.press(SAM, message, f"wans:{question_id}")
    assert again.payload["type"] == 4 and again.ephemeral
    assert again.content == f"Question #{question_id} was already answered by discord:sam."
    assert len(await deliveries(discord_app)) == 1


async def test_no_answer_form_for_a_question_whose_asker_deleted_their_data(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    """Rule bug fixed: the form used to open, and staff learnt only after typing the answer that it could not go."""
    post = await _asked_and_posted(harness)
    question = await _question(discord_app)
    assert discord_app.storage is not None
    async with discord_app.storage.unit_of_work() as uow:
        (await uow.session.get_one(User, question.user_id)).deleted_at = clock.now
        await uow.commit()
    message = harness.message_of(post, channel_id=STAFF_CHANNEL_ID, message_id=POSTED_ID)

    [refused] = await harness.press(SAM, message, f"wans:{question.id}")

    assert refused.payload["type"] == 4 and refused.ephemeral
    assert refused.content == (
        f"The person who asked question #{question.id} has deleted their data, so no answer can reach them."
    )
    assert await deliveries(discord_app) == []


async def test_non_staff_press_and_forged_submission_are_refused(harness: DiscordHarness, discord_app: App) -> None:
    post = await _asked_and_posted(harness)
    question_id = (await _question(discord_app)).id
    message = harness.message_of(post, channel_id=STAFF_CHANNEL_ID, message_id=POSTED_ID)

    [refused] = await harness.press(BOB, message, f"wans:{question_id}")
    assert refused.payload["type"] == 4 and refused.ephemeral
    assert refused.content == "That is only for the program staff."

    # A form submission sent without the form (Bob never got one): the dispatcher's staff check refuses it.
    [forged] = await harness.submit_modal(BOB, f"wansm:{question_id}", {"answer": "Sure, park anywhere."})
    assert forged.ephemeral and forged.content == "That is only for the program staff."
    # An answer button the message never had is refused like any forged button.
    [unknown] = await harness.press(SAM, message, "wans:999")
    assert unknown.ephemeral and unknown.content.startswith("That button is not valid (any more)")

    question = await _question(discord_app)
    assert question.answered_at is None and question.answer is None
    assert await deliveries(discord_app) == []


async def test_form_opened_before_a_restart_is_taken_after_it(
    harness: DiscordHarness, discord_app: App, locales_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = await _asked_and_posted(harness)
    question_id = (await _question(discord_app)).id
    message = harness.message_of(post, channel_id=STAFF_CHANNEL_ID, message_id=POSTED_ID)
    [form] = await harness.press(SAM, message, f"wans:{question_id}")
    assert form.payload["type"] == 9
    await harness.door.stop()

    # A new process: a new client that never sent the form nor saw the message.
    async with running(discord_app, monkeypatch, locales_dir=locales_dir) as restarted:
        [done] = await restarted.submit_modal(SAM, f"wansm:{question_id}", {"answer": ANSWER}, message=message)
        assert done.content == ON_ITS_WAY.format(id=question_id)
        [again] = await restarted.press(SAM, message, f"wans:{question_id}")
        assert again.content == f"Question #{question_id} was already answered by discord:sam."
    assert [kind for _user, kind, _text in await deliveries(discord_app)] == ["question.answer"]


async def test_the_clock_forwards_new_questions_to_the_staff_channel(harness: DiscordHarness, discord_app: App) -> None:
    import asyncio

    from bot.app import staff_inboxes
    from scheduler.clock import start_scheduler

    posted = _staff_channel(harness)
    # As `wego-bot run` wires it: the clock ticks after every commit and posts to every door's staff inbox.
    clock = await start_scheduler(discord_app, {}, staff_inboxes=staff_inboxes([harness.door]))
    try:
        await harness.command(ALICE, "team", ASKED)
        for _ in range(200):
            if posted:
                break
            await asyncio.sleep(0.01)
    finally:
        await clock.stop()
    assert [body["content"].split("\n")[1] for body in posted] == [
        "“Is there parking at the venue? @everyone \\*\\*now\\*\\*”"
    ]
    assert (await _question(discord_app)).discord_message_id == POSTED_ID


async def _forward(harness: DiscordHarness) -> int:
    from bot.staff_inbox import forward_questions

    app = harness.door.app
    assert app.storage is not None and harness.door.staff_inbox is not None
    return await forward_questions(
        app.storage, [harness.door.staff_inbox], app.dispatcher.clock(), staff_language=app.settings.default_language
    )
