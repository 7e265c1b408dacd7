"""The smaller Discord faults of issue 11, each driven through real INTERACTION_CREATE payloads.

Refusals in the language the member chose; lecture keys at a line start; /team answered privately in the server;
component presses whose type does not match the message; staff commands hidden from members by default.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import bot.i18n
from bot.app import App
from bot.i18n import _, translations, use_locale
from storage.models import Question
from tests.adapters.discord.harness import (
    APP_ID,
    GUILD_ID,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    DiscordHarness,
    Member,
    account_count,
    stored_locale,
)
from tests.adapters.discord.harness import message_payload as discord_message

ALICE = Member("800000000000000001", "alice")
BOB = Member("800000000000000002", "bob")
SAM = Member("800000000000000003", "sam", roles=[str(STAFF_ROLE_ID)])
# A press the door cannot take (an id the message never had, a value that is no option)...
REFUSAL = "That button is not valid (any more), so nothing was changed. Send /start for the menu."
# ...and one it takes for an action no handler has: the dispatcher's answer, the same on every door.
STALE = "That button is no longer valid. Here is the menu again."


def in_language(lang: str, message: str) -> str:
    """`message` as the real catalog of `lang` has it; a string the catalog lacks fails the test."""
    with use_locale(lang):
        translated = _(message)
    assert lang == "en" or translated != message, f"no {lang} translation of {message!r}"
    return translated


@pytest.fixture
def real_catalogs(harness: DiscordHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    # The Discord tests run on a tiny Italian catalog; these assert the texts members really get.
    monkeypatch.setattr(bot.i18n, "translations", translations)


def _buttons(*custom_ids: str) -> dict[str, Any]:
    return discord_message(
        content="Menu",
        components=[
            {"type": 1, "components": [{"type": 2, "style": 2, "label": c, "custom_id": c} for c in custom_ids]}
        ],
    )


def _select(custom_id: str = "wsel:0") -> dict[str, Any]:
    options = [{"label": name, "value": f"lang:{code}"} for code, name in (("it", "Italiano"), ("de", "Deutsch"))]
    return discord_message(
        content="Which language?",
        components=[{"type": 1, "components": [{"type": 3, "custom_id": custom_id, "options": options}]}],
    )


# -- 1. refusals in the language the member chose -------------------------------------------------------------


@pytest.mark.usefixtures("real_catalogs")
async def test_refused_buttons_answer_in_the_chosen_language_not_the_discord_locale(
    harness: DiscordHarness, discord_app: App
) -> None:
    # Discord has no Arabic locale: Alice's client says en-US, and she chose Arabic with /language.
    await harness.command(ALICE, "language", "ar")
    assert await stored_locale(discord_app, ALICE) == "ar"
    # A forged id the message never had (the door refuses it), and an id the message holds for an action that
    # does not exist (the dispatcher refuses it, before storing anything).
    [forged] = await harness.press(ALICE, _buttons("w:menu"), "w:lang:de2")
    [outdated] = await harness.press(ALICE, _buttons("w:nosuch:1"), "w:nosuch:1")
    for call, text in ((forged, REFUSAL), (outdated, STALE)):
        assert call.payload["type"] == 4 and call.ephemeral
        # Right-to-left, as every Arabic reply: the line opens with a right-to-left mark.
        assert call.content == "\u200f" + in_language("ar", text)
    assert outdated.labels() == [[in_language("ar", "Main menu")]]

    # Bob's client speaks German, and he chose Italian.
    bob = Member(BOB.user_id, "bob", locale="de")
    await harness.command(bob, "language", "it")
    [italian] = await harness.press(bob, _buttons("w:menu"), "w:lang:de2")
    assert italian.content == in_language("it", REFUSAL)


@pytest.mark.usefixtures("real_catalogs")
async def test_refusals_without_a_choice_follow_the_discord_locale_and_store_nothing(
    harness: DiscordHarness, discord_app: App
) -> None:
    [call] = await harness.press(Member("800000000000000066", "mallory", locale="ko"), _buttons("w:menu"), "w:x:1")
    assert call.ephemeral and call.content == in_language("ko", REFUSAL)
    # A stranger's forged press leaves no account behind.
    assert await account_count(discord_app) == 0

    # A member who never chose: the locale of this very interaction, as their replies would be.
    await harness.command(Member(ALICE.user_id, "alice", locale="de"), "start")
    [french] = await harness.press(Member(ALICE.user_id, "alice", locale="fr"), _buttons("w:menu"), "w:x:1")
    assert french.content == in_language("fr", REFUSAL)


async def test_a_refusal_goes_out_in_the_discord_locale_when_the_database_fails(
    harness: DiscordHarness, discord_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(event: object) -> str:
        raise RuntimeError("database is gone")

    monkeypatch.setattr(discord_app.dispatcher, "language_for", broken)
    [call] = await harness.press(Member(ALICE.user_id, "alice", locale="it"), _buttons("w:menu"), "w:x:1")
    # The tiny Italian test catalog has no refusal: it falls back to English, but an answer is sent.
    assert call.ephemeral and call.content == REFUSAL
    # The dispatcher's own refusal of an unknown action falls back the same way.
    [stale] = await harness.press(Member(ALICE.user_id, "alice", locale="it"), _buttons("w:x:1"), "w:x:1")
    assert stale.ephemeral and stale.content == STALE


def _answer_button(question_id: int) -> dict[str, Any]:
    return discord_message(
        content=f"Question #{question_id}",
        components=[
            {
                "type": 1,
                "components": [{"type": 2, "style": 1, "label": "Answer", "custom_id": f"wans:{question_id}"}],
            }
        ],
        channel_id=STAFF_CHANNEL_ID,
    )


async def _question_id(app: App) -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        question_id = await uow.session.scalar(select(Question.id))
        assert question_id is not None
        return int(question_id)


@pytest.mark.usefixtures("real_catalogs")
async def test_answer_button_refusals_are_in_the_chosen_language(harness: DiscordHarness, discord_app: App) -> None:
    await harness.command(ALICE, "team", "Is there parking at the venue?")
    question_id = await _question_id(discord_app)
    await harness.command(SAM, "language", "ar")
    await harness.command(BOB, "language", "it")

    [not_staff] = await harness.press(BOB, _answer_button(question_id), f"wans:{question_id}")
    assert not_staff.ephemeral and not_staff.content == in_language("it", "That is only for the program staff.")

    [unknown] = await harness.press(SAM, _answer_button(999), "wans:999")
    assert unknown.ephemeral
    assert unknown.content == "\u200f" + in_language("ar", "There is no question #{id}.").format(id=999)

    await harness.command(SAM, "answer", f"{question_id} Yes, behind the venue.")
    [answered] = await harness.press(SAM, _answer_button(question_id), f"wans:{question_id}")
    assert answered.ephemeral
    assert answered.content == "\u200f" + in_language("ar", "Question #{id} was already answered by {who}.").format(
        id=question_id, who="discord:sam"
    )


# -- 2. lecture keys at the start of a line ---------------------------------------------------------------------


async def test_a_reply_starting_with_a_lecture_key_escapes_the_dot_not_the_digit(harness: DiscordHarness) -> None:
    [call] = await harness.command(ALICE, "undo", "1.1")
    assert call.content == (
        "1\\.1 “Global Context and Local Conditions of Sustainability” was not marked as watched.\n"
        "0 of 24 lectures watched."
    )


# -- 3. /team in the server is answered privately -----------------------------------------------------------------

THANKS_HERE = "Thank you! I passed your question to the program team. Their answer will come here."
THANKS_BY_DM = (
    "Thank you! I passed your question to the program team. Their answer will come to you in a private message."
)


async def test_team_in_the_server_is_answered_only_to_the_member_and_points_to_the_dm(
    harness: DiscordHarness, discord_app: App
) -> None:
    [in_server] = await harness.command(ALICE, "team", "Is there parking at the venue?")
    assert in_server.payload["type"] == 4 and in_server.ephemeral
    assert in_server.content == THANKS_BY_DM
    assert in_server.custom_ids() == [["w:menu"]]

    assert discord_app.storage is not None
    async with discord_app.storage.unit_of_work() as uow:
        asked = (await uow.session.scalars(select(Question.text))).all()
    assert asked == ["Is there parking at the venue?"]


async def test_team_in_a_dm_says_the_answer_comes_there(global_harness: DiscordHarness) -> None:
    [in_dm] = await global_harness.command(ALICE, "team", "And a cloakroom?", dm=True)
    assert in_dm.payload["type"] == 4 and not in_dm.ephemeral
    assert in_dm.content == THANKS_HERE


@pytest.mark.usefixtures("real_catalogs")
async def test_team_in_the_server_speaks_the_members_language(harness: DiscordHarness) -> None:
    [call] = await harness.command(Member(ALICE.user_id, "alice", locale="de"), "team", "Gibt es Parkplätze?")
    assert call.ephemeral and call.content == in_language("de", THANKS_BY_DM)


# -- 4. a press whose component type does not match the message ------------------------------------------------


# A select's payload (type 3, with values) against a button's id; a button press against a select's id; a user-select
# press (type 5) against the id the message holds as a string select. discord.py dispatches none of them (it looks
# for a component of the pressed type), so without the door's refusal Discord would say "interaction failed".
MISMATCHED = {
    "select against a button": ("buttons", "w:lang:it", {"values": ["lang:it"]}),
    "button against a select": ("select", "wsel:0", {}),
    "user select against a string select": ("select", "wsel:0", {"values": ["lang:it"], "component_type": 5}),
}


@pytest.mark.parametrize("case", MISMATCHED)
async def test_presses_whose_type_does_not_match_the_message_are_refused(
    harness: DiscordHarness, discord_app: App, case: str
) -> None:
    [picker] = await harness.command(ALICE, "language")
    which, custom_id, kind = MISMATCHED[case]
    message = harness.message_of(picker, invoker=ALICE) if which == "buttons" else _select()

    calls = await harness.press(ALICE, message, custom_id, **kind)

    assert [(c.payload["type"], c.ephemeral, c.content) for c in calls] == [(4, True, REFUSAL)]
    assert await stored_locale(discord_app, ALICE) is None


# -- 5. staff commands hidden from members by default ----------------------------------------------------------


async def test_staff_commands_are_synced_for_administrators_only(harness: DiscordHarness) -> None:
    sent: list[Any] = []

    def bulk(payload: Any) -> tuple[int, Any]:
        sent.extend(payload)
        return 200, [
            {**c, "id": str(i + 1), "application_id": str(APP_ID), "version": "1"} for i, c in enumerate(payload)
        ]

    harness.routes[("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")] = bulk
    await harness.door.sync_commands()

    routes = harness.door.app.router.commands
    permissions = {c["name"]: c["default_member_permissions"] for c in sent}
    # discord.py writes the empty permission set as 0: only administrators (and whoever a server admin allows).
    assert {name for name, value in permissions.items() if value == 0} == {
        name for name, route in routes.items() if route.listed and route.staff
    }
    assert {name for name, value in permissions.items() if value is None} == {
        name for name, route in routes.items() if route.listed and not route.staff
    }
    assert permissions["roster"] == 0 and permissions["questions"] == 0 and permissions["answer"] == 0
    assert permissions["start"] is None and permissions["team"] is None
