"""Recorded Telegram updates → neutral events (or a notice, or nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.adapters.telegram.inbound import Incoming, incoming
from bot.core.actions import Action

FIXTURES = Path(__file__).parent / "fixtures"
BOT = "wego_champions_bot"
ALICE = "111111111"
LAYLA = "222222222"
GROUP = "-1001234567890"


def load(name: str) -> Incoming:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    update = Update.de_json(data, Bot("123456:ABC"))
    return incoming(update, BOT)


def test_private_start() -> None:
    got = load("private_start")
    assert got.kind == "event" and got.command == "start" and got.callback_id is None
    event = got.event
    assert event is not None
    assert (event.platform, event.user_id, event.chat_id, event.text) == ("telegram", ALICE, ALICE, "/start")
    assert (event.locale_hint, event.private, event.event_id) == ("it", True, "900000001")
    assert event.display_name == "Alice <Rossi> & Co"
    assert event.action is None


def test_deep_link_payload_reaches_start() -> None:
    got = load("deep_link_start")
    assert got.event is not None and got.event.text == "/start ws_12" and got.command == "start"


def test_arabic_text_and_name_kept_whole() -> None:
    got = load("private_text_arabic")
    assert got.event is not None
    assert got.event.text == "متى يبدأ البرنامج؟"
    assert got.event.display_name == "ليلى 🌍"
    assert got.event.locale_hint == "ar" and got.command is None


def test_group_command_addressed_to_us_drops_the_bot_name() -> None:
    got = load("group_command_for_us")
    assert got.event is not None
    assert (got.event.text, got.event.private, got.event.chat_id) == ("/help", False, GROUP)
    got = load("start_at_bot_in_group")
    assert got.event is not None and got.event.text == "/start ws_3"


@pytest.mark.parametrize(
    "name", ["group_command_other_bot", "group_chatter", "edited_message", "channel_post", "group_photo"]
)
def test_not_for_the_bot(name: str) -> None:
    assert load(name).kind == "ignore"


def test_group_service_message_ignored() -> None:
    assert load("group_new_member").kind == "ignore"


def test_group_mention_is_answered_without_the_mention() -> None:
    got = load("group_mention")
    assert got.event is not None
    assert (got.event.text, got.event.user_id, got.event.private) == ("when is the award?", LAYLA, False)


def test_group_reply_to_the_bot_is_answered() -> None:
    got = load("group_reply_to_bot")
    assert got.event is not None and got.event.text == "and the lectures?"
    # Which bot message it replies to: in the staff group, that is how a reply answers a posted question.
    assert got.replied_to == 400


def test_only_replies_to_the_bot_carry_the_replied_message() -> None:
    assert load("group_mention").replied_to is None
    assert load("group_command_for_us").replied_to is None
    assert load("private_text_arabic").replied_to is None


def test_button_press() -> None:
    got = load("callback_language")
    assert got.kind == "event" and got.is_button
    assert (got.callback_id, got.message_id) == ("4382bfdwdsb323b2d9", 13)
    event = got.event
    assert event is not None
    assert event.action == Action("lang", ("ar",))
    assert (event.text, event.user_id, event.chat_id, event.private, event.locale_hint) == (
        "",
        LAYLA,
        LAYLA,
        True,
        "ar",
    )


def test_button_press_in_group_is_not_private() -> None:
    got = load("callback_in_group")
    assert got.event is not None
    assert (got.event.chat_id, got.event.private, got.event.action) == (GROUP, False, Action("cmd", ("lectures",)))


@pytest.mark.parametrize("name", ["callback_forged", "callback_too_long"])
def test_forged_callback_data(name: str) -> None:
    got = load(name)
    assert got.kind == "bad_button" and got.event is None
    assert got.callback_id is not None and got.user_id == ALICE


@pytest.mark.parametrize("name", ["private_sticker", "private_photo"])
def test_media_in_private_gets_a_notice(name: str) -> None:
    got = load(name)
    assert (got.kind, got.chat_id, got.locale_hint) == ("media", ALICE, "it")


def test_block_and_unblock() -> None:
    assert (load("blocked_by_user").kind, load("blocked_by_user").reachable) == ("reachability", False)
    assert (load("unblocked_by_user").user_id, load("unblocked_by_user").reachable) == (ALICE, True)
