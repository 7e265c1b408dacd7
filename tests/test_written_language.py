"""Replies follow the language people write in: the reading of a message's language, and what the chat does with it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.written_language import written_language
from tests.helpers import ChatDriver


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("wann ist der workshop in mailand?", "de"),
        ("muss ich für das Zertifikat bezahlen", "de"),
        ("quando inizia il corso e dove posso trovare le lezioni", "it"),
        ("c'est quoi le prix pour les ateliers ?", "fr"),
        ("is there a workshop in africa?", "en"),
        ("كيف أسجل في الدورة؟", "ar"),
        ("워크숍 certificate 언제 받아요?", "ko"),
        ("证书怎么申请", "zh"),
        # A web address or a handle tells nothing; the words around it do.
        ("ich habe www.cityresiliencetraining.com nicht gefunden, wo ist das?", "de"),
    ],
)
def test_a_message_is_read_as_the_language_it_is_written_in(text: str, lang: str) -> None:
    assert written_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "ciao",
        "Milano?",
        "workshop",
        "12/05",
        "👍",
        # Japanese: not one of the bot's languages, though it has Han characters.
        "ワークショップはいつですか",
        # Mixed evenly: no language leads.
        "die la",
        "",
    ],
)
def test_what_cannot_be_told_changes_nothing(text: str) -> None:
    assert written_language(text) is None


async def test_a_person_writing_german_on_the_console_is_answered_in_german_from_then_on(
    chat: Callable[..., ChatDriver],
) -> None:
    hans = chat("hans")
    await hans.send("hallo")
    # One word says nothing about the language: the console's default stays.
    assert hans.text.startswith("Hello! I am the")
    await hans.send("wie melde ich mich für den Kurs an?")
    assert hans.text.startswith("Geh auf die Lernplattform www.cityresiliencetraining.com")
    assert hans.last[0].lang == "de"
    # The console tells no language: the one written in is kept for what comes later, commands included.
    await hans.send("/progress")
    assert hans.text.startswith("Dein Fortschritt")


async def test_a_platforms_hint_is_overridden_for_the_answer_but_not_replaced(chat: Callable[..., ChatDriver]) -> None:
    lucia = chat("lucia", platform="telegram", locale_hint="en")
    await lucia.send("quanto costa il corso online? devo pagare qualcosa per le lezioni?")
    assert lucia.last[0].lang == "it"
    assert "gratuit" in lucia.text
    # Telegram's app language stays hers for commands.
    await lucia.send("/progress")
    assert lucia.text.startswith("Your progress")


async def test_a_chosen_language_is_kept_whatever_the_message_is_written_in(chat: Callable[..., ChatDriver]) -> None:
    amir = chat("amir")
    await amir.send("/language en")
    await amir.send("كيف أسجل في الدورة؟")
    assert amir.last[0].lang == "en"
    assert amir.text.startswith("Go to the learning platform www.cityresiliencetraining.com")
