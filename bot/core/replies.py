"""What the core hands back: text in a small HTML subset, buttons that carry actions, and files.

Reply text may use `<b>`, `<i>`, `<code>` and `<a href>`; every user- or staff-provided string inside it goes
through `esc()`. Adapters render that subset natively (Telegram HTML, Discord Markdown, plain terminal text).

The values live in bot/domain/messages.py (a use case writes them into the outbox too); re-exported here for the
chat and the adapters, beside what only the edges need (plain-text rendering).
"""

from __future__ import annotations

import html
import re

from bot.domain.messages import Attachment, Button, Reply, esc, link

__all__ = ["Attachment", "Button", "Reply", "buttons_in", "esc", "link", "to_plain"]


_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"</?(?:b|i|u|s|code)>")


def to_plain(text: str) -> str:
    """The reply text for a plain-text surface; a terminal cannot click a label, so links show their address."""

    def link(match: re.Match[str]) -> str:
        url, label = match.groups()
        bare = html.unescape(url).removeprefix("mailto:")
        return label if html.unescape(label) == bare else f"{label} ({url})"

    return html.unescape(_TAG.sub("", _LINK.sub(link, text)))


def buttons_in(replies: list[Reply]) -> list[Button]:
    return [button for reply in replies for row in reply.buttons for button in row]
