"""Ids at the platform edge (issue 14, bugs 4 and 5): "²".isdigit() is True but int("²") raises, and a forged
button id may be beyond the database's integer range."""

from __future__ import annotations

import re
from typing import Any

from bot.adapters.discord.messenger import DiscordMessenger
from bot.adapters.discord.staff_inbox import ANSWER_TEMPLATE, AnswerButton
from bot.adapters.telegram.messenger import chat_ref
from bot.core.replies import Reply


def test_telegram_chat_ids_are_numbers_only_when_plain_ascii_digits() -> None:
    assert [chat_ref(c) for c in ("12345", "-100200", " 7 ", "@wego_channel")] == [12345, -100200, 7, "@wego_channel"]
    # Before: int("²") raised inside the delivery worker.
    assert [chat_ref(c) for c in ("²", "-²", "٣٤")] == ["²", "-²", "٣٤"]


async def test_discord_dm_to_a_non_ascii_id_fails_cleanly_without_calling_discord() -> None:
    class NoClient:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"Discord was called: {name}")

    outcome = await DiscordMessenger(NoClient()).send("²", Reply("hello"))  # type: ignore[arg-type]
    assert (outcome.status, outcome.error) == ("failed", "not a Discord user id: '²'")


async def test_a_forged_answer_button_beyond_the_id_range_names_no_question() -> None:
    match = re.fullmatch(ANSWER_TEMPLATE, "wans:999999999999")
    assert match is not None
    button = await AnswerButton.from_custom_id(None, None, match)  # type: ignore[arg-type]
    assert button.question_id == 0
    match = re.fullmatch(ANSWER_TEMPLATE, "wans:42")
    assert match is not None
    assert (await AnswerButton.from_custom_id(None, None, match)).question_id == 42  # type: ignore[arg-type]
