"""The adapter between recorded updates, the real dispatcher and a fake Bot API: what Telegram is asked to do."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot, Update

from bot.adapters.telegram.adapter import TelegramAdapter, command_menu, on_error, publish_commands
from bot.adapters.telegram.door import RedactToken
from bot.app import App
from bot.core.context import Context
from bot.core.replies import Reply
from bot.core.router import Route
from bot.settings import LANGUAGES
from storage.models import Account, User
from tests.adapters.telegram.fakeapi import TOKEN, FakeBotApi, Fault, fake_bot_api

FIXTURES = Path(__file__).parent / "fixtures"
ALICE = 111111111
GROUP = -1001234567890


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with fake_bot_api() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with api.bot() as client:
        api.calls.clear()
        yield client


async def feed(app: App, bot: Bot, name: str, **changes: Any) -> None:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data.update(changes)
    await TelegramAdapter(app).handle(Update.de_json(data, bot), SimpleNamespace(bot=bot))  # type: ignore[arg-type]


async def account(app: App, platform_user_id: str) -> Account:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        found = await uow.session.scalar(select(Account).where(Account.platform_user_id == platform_user_id))
        assert found is not None
        return found


def add_personal_command(app: App) -> None:
    async def secret(ctx: Context) -> Reply:
        """Show my data."""
        return Reply(f"Your birth year: {ctx.user.birth_year}", personal=True)

    app.router.commands["mydata"] = Route("mydata", secret)


async def test_start_in_private_sends_the_menu_in_the_hinted_language(app: App, bot: Bot, api: FakeBotApi) -> None:
    await feed(app, bot, "private_start")
    [sent] = api.called("sendMessage")
    assert sent["chat_id"] == ALICE and sent["parse_mode"] == "HTML"
    # The Telegram hint was Italian; the greeting escapes the name with `<` and `&`.
    assert "<b>" in sent["text"] and "Alice &lt;Rossi&gt; &amp; Co" in sent["text"]
    rows = sent["reply_markup"]["inline_keyboard"]
    assert all(len(button["callback_data"].encode()) <= 64 for row in rows for button in row)
    assert {"text", "callback_data"} <= set(rows[0][0])


async def test_language_button_edits_in_place_and_answers_the_press(app: App, bot: Bot, api: FakeBotApi) -> None:
    await feed(app, bot, "callback_language")
    assert api.methods == ["answerCallbackQuery", "editMessageText"]
    assert api.called("answerCallbackQuery")[0] == {"callback_query_id": "4382bfdwdsb323b2d9"}
    edit = api.called("editMessageText")[0]
    assert (edit["chat_id"], edit["message_id"]) == (222222222, 13)
    assert any("\u0600" <= char <= "\u06ff" for char in edit["text"])
    user_account = await account(app, "222222222")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert (await uow.session.get_one(User, user_account.user_id)).locale == "ar"


async def test_edit_refused_falls_back_to_a_new_message(app: App, bot: Bot, api: FakeBotApi) -> None:
    api.fail("editMessageText", Fault(400, "Bad Request: message can't be edited"))
    await feed(app, bot, "callback_language")
    assert api.methods == ["answerCallbackQuery", "editMessageText", "sendMessage"]


async def test_a_refused_press_answer_does_not_lose_the_reply(
    app: App, bot: Bot, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail("answerCallbackQuery", Fault(400, "Bad Request: query is too old and response timeout expired"))
    with caplog.at_level(logging.INFO, logger="bot.adapters.telegram.adapter"):
        await feed(app, bot, "callback_language")
    assert api.methods == ["answerCallbackQuery", "editMessageText"]
    assert any("\u0600" <= char <= "\u06ff" for char in api.called("editMessageText")[0]["text"])
    [record] = [r for r in caplog.records if "query is too old" in r.getMessage().lower()]
    assert record.levelno == logging.INFO


async def test_forged_callback_is_answered_with_a_notice_and_changes_nothing(
    app: App, bot: Bot, api: FakeBotApi
) -> None:
    await feed(app, bot, "callback_forged")
    assert api.methods == ["answerCallbackQuery"]
    answer = api.called("answerCallbackQuery")[0]
    assert answer["callback_query_id"] == "4382bfdwdsb323b2e1" and answer["text"]
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert await uow.session.scalar(select(User)) is None  # not even a user row was written


async def test_sticker_gets_a_polite_notice(app: App, bot: Bot, api: FakeBotApi) -> None:
    await feed(app, bot, "private_sticker")
    [sent] = api.called("sendMessage")
    assert sent["chat_id"] == ALICE and "/help" in sent["text"]


@pytest.mark.parametrize("name", ["group_chatter", "channel_post", "edited_message", "group_photo"])
async def test_ignored_updates_cause_no_call(app: App, bot: Bot, api: FakeBotApi, name: str) -> None:
    await feed(app, bot, name)
    assert api.calls == []


async def test_group_command_is_answered_in_the_group(app: App, bot: Bot, api: FakeBotApi) -> None:
    await feed(app, bot, "group_command_for_us")
    [sent] = api.called("sendMessage")
    assert sent["chat_id"] == GROUP and "/language" in sent["text"]


async def test_personal_answer_in_a_group_goes_to_the_private_chat(app: App, bot: Bot, api: FakeBotApi) -> None:
    add_personal_command(app)
    data = json.loads((FIXTURES / "group_command_for_us.json").read_text())
    data["message"]["text"] = "/mydata@wego_champions_bot"
    await TelegramAdapter(app).handle(Update.de_json(data, bot), SimpleNamespace(bot=bot))  # type: ignore[arg-type]
    private, notice = api.called("sendMessage")
    assert (private["chat_id"], private["text"]) == (ALICE, "Your birth year: None")
    assert notice["chat_id"] == GROUP and "birth" not in notice["text"]
    assert notice["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://t.me/wego_champions_bot"


async def test_personal_answer_for_someone_who_never_started_the_bot_links_there(
    app: App, bot: Bot, api: FakeBotApi
) -> None:
    add_personal_command(app)
    api.blocked.add(str(ALICE))
    data = json.loads((FIXTURES / "group_command_for_us.json").read_text())
    data["message"]["text"] = "/mydata"
    await TelegramAdapter(app).handle(Update.de_json(data, bot), SimpleNamespace(bot=bot))  # type: ignore[arg-type]
    attempts = api.called("sendMessage")
    assert [call["chat_id"] for call in attempts] == [ALICE, GROUP]
    button = attempts[1]["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/wego_champions_bot?start=cmd_mydata"
    assert "birth" not in attempts[1]["text"]


async def test_deep_link_from_a_group_notice_runs_the_command(app: App, bot: Bot, api: FakeBotApi) -> None:
    add_personal_command(app)
    data = json.loads((FIXTURES / "private_start.json").read_text())
    data["message"]["text"] = "/start cmd_mydata"
    await TelegramAdapter(app).handle(Update.de_json(data, bot), SimpleNamespace(bot=bot))  # type: ignore[arg-type]
    assert [call["text"] for call in api.called("sendMessage")] == ["Your birth year: None"]


async def test_blocked_while_replying_marks_the_account_unreachable(app: App, bot: Bot, api: FakeBotApi) -> None:
    api.fail("sendMessage", Fault(403, "Forbidden: bot was blocked by the user"))
    await feed(app, bot, "private_text_arabic")
    assert (await account(app, "222222222")).reachable is False


async def test_block_update_then_start_again(app: App, bot: Bot, api: FakeBotApi) -> None:
    await feed(app, bot, "private_start")
    await feed(app, bot, "blocked_by_user")
    assert (await account(app, str(ALICE))).reachable is False
    await feed(app, bot, "unblocked_by_user")
    assert (await account(app, str(ALICE))).reachable is True
    await feed(app, bot, "blocked_by_user")
    await feed(app, bot, "private_start")
    assert (await account(app, str(ALICE))).reachable is True


async def test_command_menus_per_language_without_staff_commands(app: App, bot: Bot, api: FakeBotApi) -> None:
    await publish_commands(bot, app.router, app.settings)
    calls = api.called("setMyCommands")
    assert [call.get("language_code") for call in calls] == [None, *LANGUAGES]
    listed = {c["command"] for c in calls[0]["commands"]}
    staff = {route.name for route in app.router.commands.values() if route.staff}
    assert "start" in listed and "language" in listed and not (listed & staff)
    names = [c["command"] for c in calls[1]["commands"]]
    assert all(c["description"] for call in calls for c in call["commands"])
    assert names == [c["command"] for c in calls[-1]["commands"]]
    assert command_menu(app.router, "it", staff=False)[0].description != ""


async def test_command_menu_failure_does_not_stop_the_bot(app: App, bot: Bot, api: FakeBotApi) -> None:
    api.fail("setMyCommands", Fault(404, "Not Found"))
    await publish_commands(bot, app.router, app.settings)
    assert api.methods == ["setMyCommands"]


async def test_error_handler_logs_once_with_the_update_id_and_no_token(caplog: pytest.LogCaptureFixture) -> None:
    update = Update.de_json(json.loads((FIXTURES / "private_start.json").read_text()), Bot(TOKEN))
    context = SimpleNamespace(error=RuntimeError(f"boom at https://api.telegram.org/bot{TOKEN}/sendMessage"))
    logger = logging.getLogger("bot.adapters.telegram.adapter")
    caplog.handler.addFilter(RedactToken(TOKEN))
    with caplog.at_level(logging.ERROR, logger=logger.name):
        await on_error(update, context)  # type: ignore[arg-type]
    [record] = caplog.records
    assert "900000001" in caplog.text and "RuntimeError" in caplog.text
    assert TOKEN not in caplog.text and "<token>" in caplog.text
    assert record.levelno == logging.ERROR


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The adapter's waits between tries, recorded instead of slept."""
    recorded: list[float] = []

    async def no_wait(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr("bot.adapters.telegram.adapter.pause", no_wait)
    return recorded


async def test_a_flood_limit_while_answering_is_waited_out(
    app: App, bot: Bot, api: FakeBotApi, waits: list[float]
) -> None:
    api.fail("sendMessage", Fault(429, "Too Many Requests: retry after 3", {"retry_after": 3}))
    await feed(app, bot, "private_start")
    # Asked, told to wait 3 s, waited exactly that, asked again: the person gets the one answer.
    assert waits == [3.0]
    assert len(api.called("sendMessage")) == 2
    assert api.called("sendMessage")[0]["text"] == api.called("sendMessage")[1]["text"]


async def test_server_errors_while_answering_are_retried_with_backoff_then_given_up(
    app: App, bot: Bot, api: FakeBotApi, waits: list[float]
) -> None:
    api.fail("sendMessage", Fault(500, "Internal Server Error"))
    await feed(app, bot, "private_start")
    assert (waits, len(api.called("sendMessage"))) == ([0.5], 2)

    api.calls.clear()
    waits.clear()
    for _ in range(4):
        api.fail("sendMessage", Fault(502, "Bad Gateway"))
    from telegram.error import NetworkError

    with pytest.raises(NetworkError):  # after the last try the error goes to PTB's error handler, logged once
        await feed(app, bot, "private_start")
    assert (waits, len(api.called("sendMessage"))) == ([0.5, 1.0, 2.0], 4)


async def test_a_refused_message_is_not_retried(app: App, bot: Bot, api: FakeBotApi, waits: list[float]) -> None:
    from telegram.error import BadRequest

    api.fail("sendMessage", Fault(400, "Bad Request: can't parse entities"))
    with pytest.raises(BadRequest):
        await feed(app, bot, "private_start")
    assert (waits, len(api.called("sendMessage"))) == ([], 1)


async def test_a_flood_limit_on_the_group_notice_does_not_resend_the_private_answer(
    app: App, bot: Bot, api: FakeBotApi, waits: list[float]
) -> None:
    add_personal_command(app)
    api.fail("sendMessage", Fault(429, "Too Many Requests: retry after 2", {"retry_after": 2}, skip=1))
    data = json.loads((FIXTURES / "group_command_for_us.json").read_text())
    data["message"]["text"] = "/mydata@wego_champions_bot"
    await TelegramAdapter(app).handle(Update.de_json(data, bot), SimpleNamespace(bot=bot))  # type: ignore[arg-type]
    # The private answer once; only the refused group notice asked again, after the 2 s Telegram asked for.
    assert [call["chat_id"] for call in api.called("sendMessage")] == [ALICE, GROUP, GROUP]
    assert waits == [2.0]


async def test_a_failed_second_part_of_a_long_reply_does_not_resend_the_first(
    app: App, bot: Bot, api: FakeBotApi, waits: list[float]
) -> None:
    async def long(ctx: Context) -> Reply:
        """A long answer."""
        return Reply("\n".join(["a" * 3000, "b" * 3000]))

    app.router.commands["long"] = Route("long", long)
    api.fail("sendMessage", Fault(500, "Internal Server Error", skip=1))
    data = json.loads((FIXTURES / "private_start.json").read_text())
    data["message"]["text"] = "/long"
    await TelegramAdapter(app).handle(Update.de_json(data, bot), SimpleNamespace(bot=bot))  # type: ignore[arg-type]
    assert [call["text"][0] for call in api.called("sendMessage")] == ["a", "b", "b"]
    assert waits == [0.5]
