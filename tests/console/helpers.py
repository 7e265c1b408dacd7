"""Signing in to the staff console the way staff do: /console in chat, then the link in a browser."""

from __future__ import annotations

import re
from collections.abc import Callable

from aiohttp.test_utils import TestClient

from bot.core.replies import to_plain
from tests.helpers import ChatDriver

LINK = re.compile(r"/console/signin/([A-Za-z0-9_-]{20,})")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def link_token(chat: ChatDriver) -> str:
    replies = await chat.send("/console")
    text = "\n".join(to_plain(reply.text) for reply in replies)
    found = LINK.search(text)
    assert found, text
    return found.group(1)


async def sign_in(client: TestClient[object, object], chat: ChatDriver) -> str:
    """Sign in through a fresh link; returns the session's CSRF token (read from a page, as a browser would)."""
    token = await link_token(chat)
    response = await client.post(f"/console/signin/{token}", allow_redirects=False)
    assert response.status == 303, await response.text()
    page = await client.get("/console")
    assert page.status == 200
    return csrf_of(await page.text())


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, page[:500]
    return found.group(1)


MakeChat = Callable[..., ChatDriver]
