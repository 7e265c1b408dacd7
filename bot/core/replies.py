"""What the core hands back: text in a small HTML subset, buttons that carry actions, and files.

Reply text may use `<b>`, `<i>`, `<code>` and `<a href>`; every user- or staff-provided string inside it goes
through `esc()`. Adapters render that subset natively (Telegram HTML, Discord Markdown, plain terminal text).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from bot.core.actions import Action


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def link(url: str, label: str | None = None) -> str:
    """A link in reply text; the address is escaped as an attribute (quotes too), the label as text."""
    return f'<a href="{html.escape(url, quote=True)}">{esc(label if label is not None else url)}</a>'


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: Action | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    mime: str
    caption: str = ""


@dataclass(slots=True)
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    # Personal replies (progress, registrations, certificates, data) never go to a group chat or a channel.
    personal: bool = False
    # Replace the message whose button was pressed, where the platform can.
    edit: bool = False
    # The language the text is written in (set by the dispatcher): adapters use it for right-to-left layout.
    lang: str = ""


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
