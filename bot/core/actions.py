"""Button actions: a name and a few ids, encoded small enough for Telegram's 64-byte callback data.

Actions come back from clients and are never trusted: decoding checks the shape, and every handler re-checks
the ids against the database when pressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# The actions that more than their own handler module knows about, each named once here: the core offers them in
# its own replies, and the adapters build links to them.
SHOW_MENU = "menu"
# Runs the command named in its one argument; also the deep-link prefix `/start cmd_progress`.
RUN_COMMAND = "cmd"
CHOOSE_LANGUAGE = "lang"
# Worded by handlers/reachability.py; run once by the dispatcher after a notice could not be delivered.
UNREACHABLE_NOTICE = "reach.notice"
DEEP_LINK_SEPARATOR = "_"


def deep_link_payload(prefix: str, *ids: object) -> str:
    """What follows `/start ` (or `?start=` in a t.me link) to run a deep link's action with these ids."""
    return DEEP_LINK_SEPARATOR.join((prefix, *(str(i) for i in ids)))
