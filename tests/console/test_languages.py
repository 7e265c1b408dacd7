"""The console in the staff member's language: every string reaches the catalogs, Arabic reads right to left."""

from __future__ import annotations

import io
import tokenize
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.settings import PROJECT_ROOT
from bot.web import build_web_app
from tests.console.helpers import MakeChat, sign_in

Client = TestClient[object, object]


def test_no_translated_string_hides_in_an_f_string() -> None:
    """Babel cannot see a _("...") call written inside an f-string: that string would never be translated (a _() of
    a variable is fine: its strings are marked with N_ where they are defined)."""
    hidden = []
    for path in [
        *sorted((PROJECT_ROOT / "bot" / "web" / "console").glob("*.py")),
        PROJECT_ROOT / "handlers" / "console.py",
    ]:
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            prefix = token.string[:2].lower()
            literal = "_('" in token.string or '_("' in token.string
            if token.type == tokenize.STRING and "f" in prefix and literal:
                hidden.append(f"{Path(path).name}:{token.start[0]}")
    assert hidden == []


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


async def test_the_language_picker_switches_to_arabic_right_to_left(client: Client, chat: MakeChat) -> None:
    csrf = await sign_in(client, chat("staffer"))
    response = await client.post("/console/language", data={"csrf": csrf, "lang": "ar", "next": "/console/workshops"})
    assert str(response.url).endswith("/console/workshops")
    page = await response.text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "<h1>ورش العمل</h1>" in page
    # A link elsewhere is not followed.
    away = await client.post("/console/language", data={"csrf": csrf, "lang": "it", "next": "https://example.org/"})
    assert str(away.url).endswith("/console")
    assert '<html lang="it" dir="ltr">' in await away.text()


async def test_the_link_page_speaks_the_language_of_who_asked(client: Client, chat: MakeChat) -> None:
    from tests.console.helpers import link_token

    staffer = chat("staffer")
    await staffer.send("/language de")
    token = await link_token(staffer)
    page = await (await client.get(f"/console/signin/{token}")).text()
    assert "Anmelden" in page and 'lang="de"' in page
