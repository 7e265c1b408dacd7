"""Button actions: a name and a few ids, encoded small enough for Telegram's 64-byte callback data.

Actions come back from clients and are never trusted: decoding checks the shape, and every handler re-checks
the ids against the database when pressed.

The value type lives in bot/domain/messages.py (a use case puts buttons in the outbox too); this module adds the
action names several layers share and the deep links.
"""

from __future__ import annotations

from bot.domain.messages import MAX_ENCODED_BYTES, SEPARATOR, Action, ActionError, act

__all__ = [
    "CHOOSE_LANGUAGE",
    "DEEP_LINK_SEPARATOR",
    "MAX_ENCODED_BYTES",
    "RUN_COMMAND",
    "SEPARATOR",
    "SHOW_MENU",
    "UNREACHABLE_NOTICE",
    "Action",
    "ActionError",
    "act",
    "deep_link_payload",
]

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
