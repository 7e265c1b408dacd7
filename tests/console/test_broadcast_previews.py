"""The broadcast preview shows the message as each door shows it: Telegram's HTML, Discord's Markdown read as
Discord reads it (the Discord door's own conversion), and the terminal console's plain text."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.discord.render import content_for
from bot.app import App
from bot.core.markdown import discord_markdown
from bot.core.replies import Reply
from bot.web import build_web_app
from bot.web.console.broadcasts import preview
from bot.web.console.previews import discord_html, telegram_html
from tests.console.helpers import MakeChat, sign_in

Client = TestClient[object, object]

LINK = '<a href="https://wego.org/rome" rel="noopener noreferrer">'
# Bold, a link and two lines, in our HTML subset.
SAMPLE = '<b>Workshop</b> in Rome: <a href="https://wego.org/rome">sign up</a>\nSee you there'
RLM = "\u200f"


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


def test_each_platform_shows_bold_a_link_and_two_lines() -> None:
    assert telegram_html(SAMPLE) == f"<b>Workshop</b> in Rome: {LINK}sign up</a><br>See you there"
    # What the Discord door sends, to the character.
    assert discord_markdown(SAMPLE) == "**Workshop** in Rome: [sign up](https://wego.org/rome)\nSee you there"
    assert content_for(Reply(SAMPLE)) == [discord_markdown(SAMPLE)]
    assert discord_html(discord_markdown(SAMPLE)) == (
        f"<strong>Workshop</strong> in Rome: {LINK}sign up</a><br>See you there"
    )
    assert preview("en", SAMPLE) == (
        '<div class="preview"><h3>English</h3>'
        f'<p class="as">Telegram</p><div class="bubble telegram"><b>Workshop</b> in Rome: {LINK}sign up</a>'
        "<br>See you there</div>"
        f'<p class="as">Discord</p><div class="bubble discord"><strong>Workshop</strong> in Rome: {LINK}sign up</a>'
        "<br>See you there</div>"
        '<p class="as">Terminal console</p><pre>Workshop in Rome: sign up (https://wego.org/rome)\nSee you there</pre>'
        "</div>"
    )


def test_discord_markdown_reads_as_discord_shows_it() -> None:
    markdown = r"***both*** *it* __under__ ~~gone~~ ||hidden|| `a_b*c` snake_case 1\.1 \# not a heading \*\*"
    assert discord_html(markdown) == (
        "<strong><em>both</em></strong> <em>it</em> <u>under</u> <s>gone</s> "
        '<span class="spoiler">hidden</span> <code>a_b*c</code> snake_case 1.1 # not a heading **'
    )
    # A link only to the web or mail; anything else stays text.
    assert discord_html("[x](javascript:alert(1)) [y](<https://a.org/b>)") == (
        '[x](javascript:alert(1)) <a href="https://a.org/b" rel="noopener noreferrer">y</a>'
    )


def test_arabic_is_right_to_left_with_the_doors_marks() -> None:
    shown = preview("ar", "<b>مرحبا</b>\nhttps://wego.org")
    assert shown.startswith('<div class="preview" dir="rtl"><h3>العربية</h3>')
    # The Discord door starts each Arabic line with a right-to-left mark; the preview shows what it sends.
    assert content_for(Reply("<b>مرحبا</b>\nhttps://wego.org", lang="ar")) == [f"{RLM}**مرحبا**\n{RLM}https://wego.org"]
    link = '<a href="https://wego.org" rel="noopener noreferrer">https://wego.org</a>'
    assert f'<div class="bubble discord">{RLM}<strong>مرحبا</strong><br>{RLM}{link}</div>' in shown
    assert f'<div class="bubble telegram"><b>مرحبا</b><br>{link}</div>' in shown


async def test_staff_text_cannot_add_html_or_formatting(client: Client, chat: MakeChat) -> None:
    csrf = await sign_in(client, chat("staffer"))
    text = (
        "**bold** _it_ `code` ||spoiler|| [x](https://evil.example) <b>b</b>\n"
        '<script>alert(1)</script> <img src=x onerror=alert(1)> https://e.org/"onmouseover="alert(1)'
    )
    form = {"csrf": csrf, "text_en": text, "step": "preview"}
    response = await client.post("/console/broadcasts/new", data=form)
    assert response.status == 200
    page = await response.text()
    header = "📣 <b>Message from the program team</b><br><br>"
    # The address in the would-be masked link is a bare address to both apps: a link to itself, not "x".
    evil = '<a href="https://evil.example" rel="noopener noreferrer">https://evil.example</a>'
    staff = (
        f"**bold** _it_ `code` ||spoiler|| [x]({evil}) &lt;b&gt;b&lt;/b&gt;<br>"
        "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; "
        '<a href="https://e.org/&quot;onmouseover=&quot;alert(1" rel="noopener noreferrer">'
        "https://e.org/&quot;onmouseover=&quot;alert(1</a>)"
    )
    assert f'<div class="bubble telegram">{header}{staff}</div>' in page
    discord_header = "📣 <strong>Message from the program team</strong><br><br>"
    assert f'<div class="bubble discord">{discord_header}{staff}</div>' in page
    plain = (
        "📣 Message from the program team\n\n**bold** _it_ `code` ||spoiler|| [x](https://evil.example) "
        "&lt;b&gt;b&lt;/b&gt;\n&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; "
        "https://e.org/&quot;onmouseover=&quot;alert(1)"
    )
    assert f"<pre>{plain}</pre>" in page
    for injected in ("<script>alert", "<img", '"onmouseover', "<strong>bold", "<em>it", ">x</a>", "<code>code"):
        assert injected not in page, injected
