from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core.actions import Action, ActionError, act
from bot.core.replies import Reply, to_plain
from bot.core.router import Router, parse_command
from bot.core.text import clean_text
from storage.models import Account, User
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver
from tests.workshop_helpers import make_workshop


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ("start", "")),
        ("/START@WeGoBot  ws_12 ", ("start", "ws_12")),
        ("/done 3.2", ("done", "3.2")),
        ("/", None),
        ("hello", None),
        ("/ä!x", None),
    ],
)
def test_parse_command(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_command(text) == expected


def test_actions_round_trip_and_refuse_bad_data() -> None:
    action = act("workshop.signup", 12, "x-1")
    assert action.encode() == "workshop.signup:12:x-1"
    assert Action.decode("workshop.signup:12:x-1") == action
    with pytest.raises(ActionError):
        act("a", "x" * 40, "y" * 30).encode()  # over Telegram's 64 bytes
    for forged in ["", "Bad:1", "ok:<script>", "ok:" + "1" * 70, "ok:a b"]:
        with pytest.raises(ActionError):
            Action.decode(forged)


def test_router_refuses_duplicates_and_commands_without_help() -> None:
    router = Router()

    @router.command("x")
    async def x(ctx: object) -> None:
        """Help for x."""

    with pytest.raises(ValueError, match="registered twice"):
        router.command("x")(x)  # type: ignore[arg-type]

    async def undocumented(ctx: object) -> None:
        return None

    with pytest.raises(ValueError, match="no docstring"):
        router.command("y")(undocumented)  # type: ignore[arg-type]
    assert router.commands["x"].help == "Help for x."


def test_clean_text_drops_control_characters_and_keeps_scripts() -> None:
    assert clean_text("\x00/he\x07lp\x1b ") == "/help"
    assert clean_text("\x1b[1;31m/help\x1b[0m\x1b]0;title\x07") == "/help"
    assert clean_text("مرحبا\u200f 안녕 你好\tok") == "مرحبا\u200f 안녕 你好 ok"


def test_to_plain_keeps_link_addresses_and_unescapes() -> None:
    assert to_plain('<b>A &amp; B</b> <a href="https://x.org/">site</a>') == "A & B site (https://x.org/)"
    assert to_plain('<a href="mailto:a@b.org">a@b.org</a>') == "a@b.org"


async def test_unknown_command_and_empty_text_change_nothing(app: App, chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("/frobnicate now")
    assert alice.text == "I don't know the command /frobnicate. Send /help to see what I can do."
    await alice.send("   \x00  ")
    assert alice.text == "I didn't catch anything there. Send me a question, or /help for what I can do."


async def test_too_long_text_is_refused_before_touching_the_database(app: App, chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("x" * 4001)
    assert alice.text == ("That message is too long for me (4001 characters). Please keep it under 4000 characters.")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(User)) == 0


async def test_stale_or_forged_button_gets_the_menu(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.press_action(act("no.such.action", 1))
    assert alice.text == "That button is no longer valid. Here is the menu again."
    await alice.press_action(act("cmd", "no_such_command"))
    assert alice.text == "That button is no longer valid. Here is the menu again."
    await alice.press_action(act("cmd", "stats"))
    assert alice.text == "That is only for the program staff."


async def test_staff_only_commands_and_help(chat: Callable[..., ChatDriver]) -> None:
    alice, staffer = chat("alice"), chat("staffer")
    await alice.send("/stats")
    assert alice.text == "That is only for the program staff."
    await alice.send("/help")
    assert "/stats" not in alice.text and "Staff commands" not in alice.text
    await staffer.send("/help")
    staff_section = staffer.text.split("Staff commands\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert "/ws_new" in staffer.text and "/revoke" in staffer.text
    assert "/stats — Participants, the course funnel, workshops per city and questions waiting." in staff_section
    assert all(line.split(" — ")[0] not in alice.text for line in staff_section)
    await staffer.send("/stats")
    assert staffer.text.startswith("Participants: 2\n")
    assert "console: 2" in staffer.text


async def test_each_platform_identity_is_one_participant(app: App, chat: Callable[..., ChatDriver]) -> None:
    await chat("42", platform="telegram").send("/start")
    await chat("42", platform="telegram").send("/help")
    await chat("42", platform="discord").send("/start")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        accounts = (await uow.session.scalars(select(Account).order_by(Account.id))).all()
    assert [(a.platform, a.platform_user_id) for a in accounts] == [("telegram", "42"), ("discord", "42")]
    assert accounts[0].user_id != accounts[1].user_id


async def test_free_text_answers_a_clear_topic_and_admits_not_knowing(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("What is the secretariat's email?")
    assert alice.text == (
        "You can reach the WeGO Secretariat by e-mail at secretariat@we-gov.org or by telephone at "
        "+82 (02) 720-2935. For anything not covered here, please get in touch with them."
    )
    await alice.send("How many winners does the Culture category have?")
    assert alice.text == (
        "The Culture category (category 7) of the Global Youth Award is partnered with the Silk-Road "
        "Universities Network, with a target of 1 winner."
    )
    assert [b.label for row in alice.last[0].buttons for b in row] == ["Global Youth Award", "Main menu"]
    # Nothing in the FAQ is close: no program topic is offered for the weather, only the team.
    await alice.send("What's the weather in Paris tomorrow?")
    assert alice.text == (
        "I don't know the answer to that. Send /help to see what I can do.\n"
        "To ask the program team, send: /team What's the weather in Paris tomorrow?"
    )
    assert [b.label for row in alice.last[0].buttons for b in row] == ["Ask the team", "Main menu"]


def test_replies_default_to_no_buttons() -> None:
    assert Reply("x").buttons == [] and Reply("x").files == []


async def test_messages_for_a_person_go_to_their_private_chat_never_a_group(
    app: App, chat: Callable[..., ChatDriver]
) -> None:
    from bot.core.events import Event

    async def event(chat_id: str, private: bool) -> None:
        await app.dispatcher.dispatch(
            Event(platform="telegram", user_id="42", chat_id=chat_id, text="/help", private=private)
        )

    async def stored_chat() -> str:
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            account = await uow.session.scalar(select(Account).where(Account.platform_user_id == "42"))
            assert account is not None
            return account.chat_id

    await event("-100777", private=False)
    assert await stored_chat() == ""  # first seen in a group: no private chat known yet
    await event("42", private=True)
    assert await stored_chat() == "42"
    await event("-100777", private=False)
    assert await stored_chat() == "42"


async def test_refusals_say_their_language_too(chat: Callable[..., ChatDriver]) -> None:
    # Adapters lay out right-to-left text by `Reply.lang`; a refusal in Arabic must carry it like an answer.
    user = chat("rtl", platform="discord", locale_hint="ar")
    await user.send("/link ZZZZZZZZ")
    assert [reply.lang for reply in user.last] == ["ar"]
    await user.send("/language de")
    await user.send("/done 9.9")
    assert [reply.lang for reply in user.last] == ["de"]


def test_links_escape_their_address_as_an_attribute() -> None:
    from bot.core.replies import link

    assert (
        link('mailto:"info"@we-gov.org') == '<a href="mailto:&quot;info&quot;@we-gov.org">mailto:"info"@we-gov.org</a>'
    )
    assert link("https://x.org/?a=1&b=2", "Q&A") == '<a href="https://x.org/?a=1&amp;b=2">Q&amp;A</a>'


async def test_numbers_in_other_scripts_are_refused_not_crashed_on(chat: Callable[..., ChatDriver]) -> None:
    # "²".isdigit() is True but int("²") fails: every id typed by a person goes through is_number().
    staffer = chat("staffer")
    await staffer.send("/ws_list ²")
    assert staffer.text == "There is no workshop with that number. Send /workshops to see them."
    await staffer.send("/remind pause ²")
    assert staffer.text == "You have no study reminder #²."
    await staffer.send("/broadcast status ٣")
    assert staffer.text == "There is no broadcast #٣."


async def test_a_deep_link_to_a_staff_action_is_refused_to_others(app: App, chat: Callable[..., ChatDriver]) -> None:
    from bot.core.context import Context
    from bot.core.router import Route

    async def secret(ctx: Context) -> Reply:
        return Reply(f"staff secret {ctx.args[0]}")

    app.router.actions["test.staff_only"] = Route("test.staff_only", secret, staff=True)
    app.router.deep_link("tso", "test.staff_only")
    alice, staffer = chat("alice"), chat("staffer")
    await alice.send("/start tso_7")
    assert alice.text == "That is only for the program staff."
    await staffer.send("/start tso_7")
    assert staffer.text == "staff secret 7"


async def test_stats_shows_the_course_funnel_workshops_and_questions_waiting(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    alice, staffer = chat("alice"), chat("staffer")
    milan = await make_workshop(app, clock.now, city="Milan", start="2030-04-20 15:00")
    await alice.press_action(act("ws.join", milan, "skip"))
    await alice.send("/done 1.1")
    await alice.send("/team Is there a reading list for part 2?")
    await staffer.send("/stats")
    lines = staffer.text.splitlines()
    funnel = lines[lines.index("Course funnel") + 1 : lines.index("Course funnel") + 9]
    assert funnel == [
        "Started: 2",
        "First lecture: 1",
        "Part 1 complete: 0",
        "Part 2 complete: 0",
        "Part 3 complete: 0",
        "Part 4 complete: 0",
        "All lectures: 0",
        "Course record: 0",
    ]
    assert lines[lines.index("Workshops per city") + 1] == "Milan: Registered 1 · Waiting 0 · Attended 0"
    assert lines[-1] == "Questions waiting: 1"
