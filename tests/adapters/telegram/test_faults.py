"""The Messenger against a fake Bot API: each failure becomes the right send outcome, nothing sleeps or retries."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.telegram.messenger import TelegramMessenger
from bot.core.actions import act
from bot.core.replies import Attachment, Button, Reply
from bot.i18n import _, use_locale
from tests.adapters.telegram.fakeapi import FakeBotApi, Fault, fake_bot_api

CHAT = "111111111"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with fake_bot_api() as server:
        yield server


async def test_sent_with_html_keyboard_and_documents(api: FakeBotApi) -> None:
    messenger = TelegramMessenger(api.bot())
    reply = Reply(
        "<b>Your calendar</b> &amp; more",
        buttons=[[Button("Menu", act("menu"))]],
        files=[Attachment("wego.ics", b"BEGIN:VCALENDAR", "text/calendar", caption="Add it to your calendar")],
    )
    outcome = await messenger.send(CHAT, reply)
    assert outcome.status == "sent"
    assert api.methods == ["sendMessage", "sendDocument"]
    message = api.called("sendMessage")[0]
    assert (message["chat_id"], message["text"], message["parse_mode"]) == (
        111111111,
        "<b>Your calendar</b> &amp; more",
        "HTML",
    )
    assert message["reply_markup"] == {"inline_keyboard": [[{"text": "Menu", "callback_data": "menu"}]]}
    document = api.called("sendDocument")[0]
    assert document["document"] == {"filename": "wego.ics", "data": b"BEGIN:VCALENDAR"}
    assert document["caption"] == "Add it to your calendar"


async def test_long_reply_goes_as_several_messages_keyboard_under_the_last(api: FakeBotApi) -> None:
    messenger = TelegramMessenger(api.bot())
    reply = Reply("\n".join(f"<i>line {n}</i>" for n in range(600)), buttons=[[Button("Menu", act("menu"))]])
    assert (await messenger.send(CHAT, reply)).status == "sent"
    sent = api.called("sendMessage")
    assert len(sent) == 3
    assert ["reply_markup" in call for call in sent] == [False, False, True]
    assert "\n".join(call["text"] for call in sent).count("<i>line") == 600


async def test_flood_limit_is_retry_after_the_seconds_telegram_asks(api: FakeBotApi) -> None:
    api.fail("sendMessage", Fault(429, "Too Many Requests: retry after 7", {"retry_after": 7}))
    outcome = await TelegramMessenger(api.bot()).send(CHAT, Reply("hi"))
    assert (outcome.status, outcome.retry_after) == ("retry", 7.0)
    assert api.methods == ["sendMessage"]  # asked once: waiting is the caller's job


async def test_blocked_is_unreachable(api: FakeBotApi) -> None:
    api.fail("sendMessage", Fault(403, "Forbidden: bot was blocked by the user"))
    outcome = await TelegramMessenger(api.bot()).send(CHAT, Reply("hi"))
    assert outcome.status == "unreachable" and outcome.retry_after is None
    assert outcome.error is not None and "blocked" in outcome.error


async def test_server_error_is_retry(api: FakeBotApi) -> None:
    api.fail("sendMessage", Fault(500, "Internal Server Error"))
    outcome = await TelegramMessenger(api.bot()).send(CHAT, Reply("hi"))
    assert (outcome.status, outcome.retry_after) == ("retry", None)
    assert api.methods == ["sendMessage"]


async def test_slow_answer_is_retry_after_the_timeout(api: FakeBotApi) -> None:
    api.fail("sendMessage", Fault(200, "", delay=1.0))
    outcome = await TelegramMessenger(api.bot(timeout=0.2)).send(CHAT, Reply("hi"))
    assert outcome.status == "retry"
    assert outcome.error is not None and "timed out" in outcome.error.lower()


async def test_bad_request_is_failed_but_a_missing_chat_is_unreachable(api: FakeBotApi) -> None:
    api.fail("sendMessage", Fault(400, "Bad Request: can't parse entities: unsupported start tag"))
    api.fail("sendMessage", Fault(400, "Bad Request: chat not found"))
    messenger = TelegramMessenger(api.bot())
    assert (await messenger.send(CHAT, Reply("<blink>"))).status == "failed"
    assert (await messenger.send("-100999", Reply("hi"))).status == "unreachable"


async def test_connection_refused_is_retry() -> None:
    async with fake_bot_api() as gone:
        bot = gone.bot(timeout=0.5)
    # The server is closed now: nothing listens on that port.
    assert (await TelegramMessenger(bot).send(CHAT, Reply("hi"))).status == "retry"


async def test_refused_file_becomes_a_notice_and_the_send_still_counts(api: FakeBotApi) -> None:
    api.fail("sendDocument", Fault(400, "Bad Request: file is too big"))
    reply = Reply("Your data", files=[Attachment("wego-my-data.json", b"{}", "application/json")], lang="it")
    outcome = await TelegramMessenger(api.bot()).send(CHAT, reply)
    # "sent": a retry would send the text a second time, and the file would be refused again.
    assert outcome.status == "sent"
    assert api.methods == ["sendMessage", "sendDocument", "sendMessage"]
    with use_locale("it"):
        expected = _("I could not attach the file {name} here, sorry.").format(name="wego-my-data.json")
    assert api.called("sendMessage")[1]["text"] == expected


async def test_the_missing_file_notice_is_html_so_its_escaped_name_reads_right(api: FakeBotApi) -> None:
    api.fail("sendDocument", Fault(400, "Bad Request: file is too big"))
    reply = Reply("Your calendar", files=[Attachment("Q&A <1>.ics", b"BEGIN:VCALENDAR", "text/calendar")], lang="en")
    assert (await TelegramMessenger(api.bot()).send(CHAT, reply)).status == "sent"
    notice = api.called("sendMessage")[1]
    # Sent as HTML, Telegram shows "Q&A <1>.ics"; as plain text the person would read "Q&amp;A &lt;1&gt;.ics".
    assert (notice["text"], notice["parse_mode"]) == (
        "I could not attach the file Q&amp;A &lt;1&gt;.ics here, sorry.",
        "HTML",
    )


async def test_blocked_before_the_file_is_unreachable(api: FakeBotApi) -> None:
    api.fail("sendDocument", Fault(403, "Forbidden: bot was blocked by the user"))
    reply = Reply("Your data", files=[Attachment("wego-my-data.json", b"{}", "application/json")])
    outcome = await TelegramMessenger(api.bot()).send(CHAT, reply)
    assert outcome.status == "unreachable"
    assert api.methods == ["sendMessage", "sendDocument"]
