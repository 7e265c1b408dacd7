"""Render rules, the messenger's outcome mapping, and localized slash-command descriptions."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.adapters.discord.messenger import DiscordMessenger
from bot.adapters.discord.render import ActionButton, build_view, render, split_content
from bot.core.actions import act
from bot.core.markdown import to_markdown
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from tests.adapters.discord.harness import APP_ID, GUILD_ID, DiscordHarness, message_payload, user_payload


def test_markdown_from_our_html_subset() -> None:
    text = '<b>Bold</b> <i>it</i> <code>a_b*c</code> <a href="https://wego.org/x_(y)">the site</a>'
    assert to_markdown(text) == "**Bold** *it* `a_b*c` [the site](https://wego.org/x_%28y%29)"


def test_markdown_in_user_text_is_shown_literally() -> None:
    name = esc("*bold* _x_ ~~s~~ `c` |spoiler| [l](u) <@123> & co")
    assert to_markdown(f"<b>{name}</b>") == r"**\*bold\* \_x\_ \~\~s\~\~ \`c\` \|spoiler\| \[l\](u) <@123> & co**"
    # Markdown that only counts at the start of a line: a backslash before punctuation, never before a digit
    # (Discord would show it there).
    assert to_markdown("# title\n> quote\n- item\n-# small\n+ plus\n1. first") == (
        "\\# title\n\\> quote\n\\- item\n\\-# small\n\\+ plus\n1\\. first"
    )
    assert to_markdown("  12. indented\n1.1  Lecture\n3.2 “The City” was not marked") == (
        "  12\\. indented\n1\\.1  Lecture\n3\\.2 “The City” was not marked"
    )
    # Only at a line start: a number inside a line stays as it is.
    assert to_markdown("Marked 1.2 as watched.\nPart 1. Done") == "Marked 1.2 as watched.\nPart 1. Done"
    # Bare links stay clickable: no backslashes inside them.
    assert to_markdown("see https://wego.org/a_b_c.") == "see https://wego.org/a_b_c."


def test_mailto_link_shows_the_address_once() -> None:
    assert to_markdown('<a href="mailto:a@b.org">a@b.org</a>') == "a@b.org"


def test_long_text_is_split_at_line_ends() -> None:
    lines = [f"line {i:04d} " + "x" * 90 for i in range(40)]
    chunks = split_content("\n".join(lines))
    assert [len(c) <= 2000 for c in chunks] == [True, True, True]
    assert "\n".join(chunks) == "\n".join(lines)


def test_rtl_reply_lines_start_with_a_right_to_left_mark() -> None:
    rendered = render(Reply("<b>مرحبا</b>\n/start — القائمة", lang="ar"))
    assert rendered.contents == ["\u200f**مرحبا**\n\u200f/start — القائمة"]
    assert render(Reply("Hello", lang="en")).contents == ["Hello"]


def test_buttons_become_dynamic_items_links_and_selects() -> None:
    rows = [
        [Button("Program", act("cmd", "program")), Button("Site", url="https://wego.org")],
        [Button("Again", act("cmd", "program"))],
        [Button(f"Option {i}", act("lang", str(i))) for i in range(7)],
    ]
    view = build_view(rows)
    assert view is not None
    components = view.to_components()
    assert [[c.get("custom_id") or c.get("url") for c in row["components"]] for row in components] == [
        ["w:cmd:program", "https://wego.org"],
        ["w1:cmd:program"],
        ["wsel:0"],
    ]
    assert [o["value"] for o in components[2]["components"][0]["options"]] == [f"lang:{i}" for i in range(7)]
    assert isinstance(view.children[0], ActionButton)


# -- messenger ---------------------------------------------------------------------------------------------------

DM = "810000000000000009"


def _dm_routes(harness: DiscordHarness, answer: Any) -> None:
    harness.routes[("POST", "/users/@me/channels")] = lambda body: (
        200,
        {"id": DM, "type": 1, "recipients": [user_payload("800000000000000001", "alice")]},
    )
    harness.routes[("POST", f"/channels/{DM}/messages")] = answer


@pytest.mark.parametrize(
    ("status", "body", "expected", "retry_after"),
    [
        (200, None, "sent", None),
        (403, {"code": 50007, "message": "Cannot send messages to this user"}, "unreachable", None),
        (403, {"code": 50013, "message": "Missing Permissions"}, "failed", None),
        (400, {"code": 50035, "message": "Invalid Form Body"}, "failed", None),
        (429, {"retry_after": 120.0, "global": False, "__headers__": {"Via": "1.1 google"}}, "retry", 120.0),
        (503, {"message": "unavailable"}, "retry", None),
    ],
)
async def test_messenger_outcomes(
    harness: DiscordHarness, status: int, body: Any, expected: str, retry_after: float | None
) -> None:
    def answer(payload: Any) -> tuple[int, Any]:
        if status == 200:
            return 200, message_payload(content=payload["content"], components=payload.get("components", []))
        return status, dict(body)

    _dm_routes(harness, answer)
    messenger = DiscordMessenger(harness.client)
    reply = Reply("<b>Reminder</b>: workshop_1 tomorrow", buttons=[[Button("Details", act("workshop.show", 1))]])

    outcome = await messenger.send("800000000000000001", reply)

    assert (outcome.status, outcome.retry_after) == (expected, retry_after)
    sent = harness.calls[-1]
    assert sent.payload["content"] == r"**Reminder**: workshop\_1 tomorrow"
    assert sent.payload["components"][0]["components"][0]["custom_id"] == "w:workshop.show:1"
    assert sent.payload["allowed_mentions"] == {"parse": []}


async def test_messenger_network_error_is_retry(harness: DiscordHarness) -> None:
    def answer(payload: Any) -> tuple[int, Any]:
        raise aiohttp.ClientConnectionError("connection reset")

    _dm_routes(harness, answer)
    outcome = await DiscordMessenger(harness.client).send("800000000000000001", Reply("hi"))
    assert outcome.status == "retry" and outcome.error is not None and "connection reset" in outcome.error


async def test_messenger_refuses_a_chat_id_that_is_no_user_id(harness: DiscordHarness) -> None:
    outcome = await DiscordMessenger(harness.client).send("general", Reply("hi"))
    assert outcome.status == "failed"
    assert harness.calls == []


# -- slash commands ----------------------------------------------------------------------------------------------


async def test_every_listed_command_is_a_slash_command(harness: DiscordHarness) -> None:
    router: Router = harness.door.app.router
    names = sorted(c.name for c in harness.client.tree.get_commands(guild=harness.door.guild))
    assert names == sorted(name for name, route in router.commands.items() if route.listed)


async def test_sync_sends_localized_descriptions(harness: DiscordHarness) -> None:
    sent: list[Any] = []

    def bulk(payload: Any) -> tuple[int, Any]:
        sent.extend(payload)
        return 200, [
            {**c, "id": str(i + 1), "application_id": str(APP_ID), "version": "1"} for i, c in enumerate(payload)
        ]

    harness.routes[("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")] = bulk
    await harness.door.sync_commands()

    start = next(c for c in sent if c["name"] == "start")
    assert start["description"] == "Welcome and the main menu."
    # Every Discord locale of a language we have gets the translation; untranslated languages are left out.
    assert start["description_localizations"] == {"it": "Benvenuto e menu principale."}
    assert "name_localizations" not in start or not start["name_localizations"]
    assert start["options"] == [
        {
            "type": 3,
            "name": "text",
            "description": "Optional: what to add after the command, e.g. a code or a question",
            "required": False,
        }
    ]
