"""The staff group on Telegram, against the fake Bot API: a question asked is posted there, a staff reply to it
answers the participant through the outbox, anyone else's reply is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update

from bot.adapters.telegram.door import TelegramDoor
from bot.app import App, staff_inboxes
from bot.i18n import LANGUAGE_NAMES, _, use_locale
from bot.settings import Settings
from bot.staff_inbox import forward_questions
from scheduler.clock import start_scheduler
from storage.models import Delivery, Question
from tests.adapters.telegram.fakeapi import BOT_USER, MESSAGE_ID_KEY, TOKEN, FakeBotApi, fake_bot_api
from tests.conftest import make_settings

ALICE = 111111111
STAFFER = 555000555
OUTSIDER = 777000777
STAFF_CHAT = -1009876543210
STAFF_GROUP = {"id": STAFF_CHAT, "title": "WeGO staff", "type": "supergroup"}
ASKED = "Is there <parking> & a cloakroom?"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with fake_bot_api() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, api: FakeBotApi) -> Settings:
    return make_settings(
        tmp_path,
        telegram_token=TOKEN,
        telegram_base_url=f"http://127.0.0.1:{api.port}/bot",
        telegram_staff_chat_id=str(STAFF_CHAT),
        staff_telegram_ids=[str(STAFFER)],
    )


@pytest.fixture
async def door(app: App, api: FakeBotApi) -> AsyncIterator[TelegramDoor]:
    door = TelegramDoor(app)
    # getMe gives the bot its username (needed to know replies to it); no polling: updates are fed by hand.
    await door.application.initialize()
    api.calls.clear()
    try:
        yield door
    finally:
        await door.application.shutdown()


_update_ids = iter(range(910000000, 920000000))


def person(user_id: int, first_name: str, language: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language}


async def feed(door: TelegramDoor, message: dict[str, Any]) -> None:
    message = {"date": 1772442000, **message}
    update = Update.de_json({"update_id": next(_update_ids), "message": message}, door.application.bot)
    await door.adapter.handle(update, SimpleNamespace(bot=door.application.bot))  # type: ignore[arg-type]


async def ask(door: TelegramDoor) -> None:
    text = f"/team {ASKED}"
    await feed(
        door,
        {
            "message_id": 20,
            "from": person(ALICE, "Alice", "it"),
            "chat": {"id": ALICE, "type": "private", "first_name": "Alice"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    )


async def reply_in_group(door: TelegramDoor, sender: dict[str, Any], to_message: int, text: str) -> None:
    await feed(
        door,
        {
            "message_id": 900,
            "from": sender,
            "chat": STAFF_GROUP,
            "text": text,
            "reply_to_message": {
                "message_id": to_message,
                "from": BOT_USER,
                "chat": STAFF_GROUP,
                "date": 1772442000,
                "text": "Question #1",
            },
        },
    )


def sent_to(api: FakeBotApi, chat_id: int) -> list[dict[str, Any]]:
    return [call for call in api.called("sendMessage") if call["chat_id"] == chat_id]


async def until_sent_to(api: FakeBotApi, chat_id: int, count: int = 1) -> list[dict[str, Any]]:
    # Up to 15 s: the clock and the worker run in this loop, and a loaded CI machine may be slow.
    for _attempt in range(750):
        if len(sent_to(api, chat_id)) >= count:
            break
        await asyncio.sleep(0.02)
    return sent_to(api, chat_id)


async def question_row(app: App) -> Question:
    """The one question asked of the team (free text may leave drafts beside it, for the "Ask the team" button)."""
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return (await uow.session.scalars(select(Question).where(Question.asked_at.is_not(None)))).one()


async def deliveries(app: App) -> list[tuple[str, int | None, str]]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.execute(select(Delivery.kind, Delivery.ref_id, Delivery.text).order_by(Delivery.id))
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


def posted_text(question_id: int) -> str:
    return (
        f"<b>Question #{question_id}</b> from Alice ({LANGUAGE_NAMES['it']}, telegram):\n"
        "“Is there &lt;parking&gt; &amp; a cloakroom?”\n"
        f"Answer with /answer {question_id} followed by your answer.\n"
        "Or reply to this message with your answer."
    )


def answer_notice(answer: str) -> str:
    # Alice never chose a language: the answer comes in the one she asked in (her Telegram is Italian).
    with use_locale("it"):
        title = _("<b>The program team answered your question</b>")
    return f"{title}\n<i>“Is there &lt;parking&gt; &amp; a cloakroom?”</i>\n\n{answer}"


async def test_question_goes_to_the_staff_group_and_a_staff_reply_reaches_the_participant(
    app: App, api: FakeBotApi, door: TelegramDoor
) -> None:
    # Wired as `wego-bot run` wires it: the door offers its inbox, the clock forwards after every commit.
    assert staff_inboxes([door]) == [door.staff_inbox]
    clock = await start_scheduler(app, {"telegram": door.messenger}, staff_inboxes=staff_inboxes([door]))
    try:
        await ask(door)
        [thanks] = sent_to(api, ALICE)
        with use_locale("it"):
            assert thanks["text"] == _(
                "Thank you! I passed your question to the program team. Their answer will come here."
            )
        [posted] = await until_sent_to(api, STAFF_CHAT)
        assert (posted["text"], posted["parse_mode"]) == (posted_text(1), "HTML")
        # The post is recorded in its own commit right after Telegram answered: wait for it, not for the send.
        row = await question_row(app)
        for _attempt in range(750):
            if row.forwarded_at is not None:
                break
            await asyncio.sleep(0.02)
            row = await question_row(app)
        message_id = posted[MESSAGE_ID_KEY]
        assert row.telegram_message_id == f"{STAFF_CHAT}:{message_id}"
        assert isinstance(row.forwarded_at, datetime) and row.answered_at is None

        await reply_in_group(door, person(STAFFER, "Sara", "en"), message_id, "Yes, at the back & it is free.")
        confirmation = sent_to(api, STAFF_CHAT)[1]
        assert confirmation["text"] == (
            "Answer to #1 is on its way to Alice. If it cannot be delivered, I will tell you."
        )
        assert confirmation["reply_markup"]["inline_keyboard"][0][0]["text"] == "Save as FAQ"
        row = await question_row(app)
        assert (row.answer, row.answered_by) == ("Yes, at the back & it is free.", "telegram:Sara")
        expected = answer_notice("Yes, at the back &amp; it is free.")
        assert await deliveries(app) == [("question.answer", row.id, expected)]
        # The delivery worker (started with the clock) sends it to Alice's private chat.
        delivered = await until_sent_to(api, ALICE, count=2)
        assert delivered[1]["text"] == expected
    finally:
        await clock.stop()
    # Forwarded once only, however many ticks ran.
    assert len(sent_to(api, STAFF_CHAT)) == 2


async def test_a_reply_from_someone_not_staff_is_refused_and_changes_nothing(
    app: App, api: FakeBotApi, door: TelegramDoor
) -> None:
    await ask(door)
    assert door.staff_inbox is not None
    assert app.storage is not None
    assert await forward_questions(app.storage, [door.staff_inbox], datetime.now(UTC)) == 1
    message_id = sent_to(api, STAFF_CHAT)[-1][MESSAGE_ID_KEY]
    await reply_in_group(door, person(OUTSIDER, "Otto", "en"), message_id, "Sure, plenty of parking.")
    assert sent_to(api, STAFF_CHAT)[-1]["text"] == "That is only for the program staff."
    row = await question_row(app)
    assert (row.answer, row.answered_at) == (None, None)
    assert await deliveries(app) == []


async def test_only_replies_to_a_posted_question_in_the_staff_group_answer_it(
    app: App, api: FakeBotApi, door: TelegramDoor
) -> None:
    await ask(door)
    assert door.staff_inbox is not None and app.storage is not None
    await forward_questions(app.storage, [door.staff_inbox], datetime.now(UTC))
    message_id = sent_to(api, STAFF_CHAT)[-1][MESSAGE_ID_KEY]
    # A reply to another bot message in the staff group is ordinary text, not an answer.
    await reply_in_group(door, person(STAFFER, "Sara", "en"), message_id - 1, "Yes, there is parking.")
    # The same message id in a private chat is another message: Telegram numbers messages per chat.
    await feed(
        door,
        {
            "message_id": 901,
            "from": person(STAFFER, "Sara", "en"),
            "chat": {"id": STAFFER, "type": "private", "first_name": "Sara"},
            "text": "Yes, there is parking.",
            "reply_to_message": {
                "message_id": message_id,
                "from": BOT_USER,
                "chat": {"id": STAFFER, "type": "private", "first_name": "Sara"},
                "date": 1772442000,
                "text": "Hello",
            },
        },
    )
    row = await question_row(app)
    assert (row.answer, row.answered_at) == (None, None)
    assert await deliveries(app) == []
    assert not any(call["text"].startswith("Answer to #") for call in api.called("sendMessage"))


async def test_without_a_staff_chat_the_door_offers_no_inbox(tmp_path: Path) -> None:
    from bot.app import build_app

    plain = await build_app(make_settings(tmp_path / "plain", telegram_token=TOKEN))
    try:
        door = TelegramDoor(plain)
        assert door.staff_inbox is None and staff_inboxes([door]) == []
    finally:
        await plain.close()
