"""The neutral message values every layer speaks: a reply's text, its buttons and files, and a button's action.

Below the core so that a use case can put a message in the outbox (a question's answer, a broadcast, a seat offer)
with the same values a handler returns; the words themselves come from the chat layer (writers handed in), never
from here. Nothing in this module knows a platform or a language.

Reply text may use `<b>`, `<i>`, `<code>` and `<a href>`; every user- or staff-provided string inside it goes
through `esc()`. Adapters render that subset natively (Telegram HTML, Discord Markdown, plain terminal text).
Actions come back from clients and are never trusted: decoding checks the shape, and every handler re-checks
the ids against the database when pressed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

MAX_ENCODED_BYTES = 64
_NAME = re.compile(r"^[a-z][a-z0-9_.]{0,31}$")
_ARG = re.compile(r"^[A-Za-z0-9_.\-+]{0,40}$")
SEPARATOR = ":"


class ActionError(ValueError):
    """The action cannot be encoded, or encoded data is not an action."""


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        if not _NAME.match(self.name):
            raise ActionError(f"bad action name {self.name!r}")
        for arg in self.args:
            if not _ARG.match(arg):
                raise ActionError(f"bad action argument {arg!r}")
        data = SEPARATOR.join((self.name, *self.args))
        if len(data.encode()) > MAX_ENCODED_BYTES:
            raise ActionError(f"action data over {MAX_ENCODED_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str) -> Action:
        if not data or len(data.encode()) > MAX_ENCODED_BYTES:
            raise ActionError("action data empty or too long")
        name, *args = data.split(SEPARATOR)
        if not _NAME.match(name) or not all(_ARG.match(arg) for arg in args):
            raise ActionError("malformed action data")
        return cls(name, tuple(args))


def act(name: str, *args: object) -> Action:
    return Action(name, tuple(str(arg) for arg in args))


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
