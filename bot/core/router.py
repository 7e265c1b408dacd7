"""Commands, button actions and free text, each routed to one handler; help is generated from the handlers."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, TypeAlias

from bot.core.replies import Reply

if TYPE_CHECKING:
    from bot.core.context import Context

HandlerResult: TypeAlias = Reply | list[Reply] | None
Handler: TypeAlias = Callable[["Context"], Awaitable[HandlerResult]]


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    handler: Handler
    staff: bool = False
    # Shown in platform command menus (Telegram's menu button, Discord's slash list) and in /help.
    listed: bool = True
    # Commands whose argument is free text (e.g. a question) rather than ids.
    args_hint: str = ""

    @property
    def help(self) -> str:
        """The first paragraph of the handler's docstring: its help text (translated where shown)."""
        return _help_of(self.handler)


@cache
def _help_of(handler: Handler) -> str:
    # Read once per handler: /help lists every command, and reading a docstring (`inspect.getdoc`) is not free.
    doc = inspect.getdoc(handler) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ").strip()


@dataclass(slots=True)
class Router:
    commands: dict[str, Route] = field(default_factory=dict)
    actions: dict[str, Route] = field(default_factory=dict)
    text_handlers: list[Handler] = field(default_factory=list)
    # Deep-link payloads (`/start ws_12`, `t.me/<bot>?start=ws_12`): prefix -> the action it runs with the ids.
    deep_links: dict[str, str] = field(default_factory=dict)
    # What a feature builds once per app and keeps between events (the FAQ's index and place names): held by the
    # app's router, not by a module-level global, so two apps in one process (tests) never share it.
    state: dict[str, object] = field(default_factory=dict)

    def command(
        self, name: str, *, staff: bool = False, listed: bool = True, args_hint: str = ""
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self.commands:
                raise ValueError(f"command /{name} registered twice")
            if not inspect.getdoc(handler):
                raise ValueError(f"command /{name} has no docstring: it is the command's help text")
            self.commands[name] = Route(name, handler, staff=staff, listed=listed, args_hint=args_hint)
            return handler

        return register

    def action(self, name: str, *, staff: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self.actions:
                raise ValueError(f"action {name} registered twice")
            self.actions[name] = Route(name, handler, staff=staff, listed=False)
            return handler

        return register

    def deep_link(self, prefix: str, action: str) -> None:
        """`/start <prefix>_<id>_<id>` runs `action` with those ids, through the same staff check as a button."""
        if not prefix.isalnum():
            # "_" separates the prefix from the ids, so a prefix can hold none.
            raise ValueError(f"deep-link prefix {prefix!r} must be letters and digits")
        if prefix in self.deep_links:
            raise ValueError(f"deep-link prefix {prefix} registered twice")
        self.deep_links[prefix] = action

    def text(self, handler: Handler) -> Handler:
        self.text_handlers.append(handler)
        return handler

    def include(self, other: Router) -> None:
        for name, route in other.commands.items():
            if name in self.commands:
                raise ValueError(f"command /{name} registered twice")
            self.commands[name] = route
        for name, route in other.actions.items():
            if name in self.actions:
                raise ValueError(f"action {name} registered twice")
            self.actions[name] = route
        self.text_handlers.extend(other.text_handlers)
        for prefix, action in other.deep_links.items():
            self.deep_link(prefix, action)

    def check(self) -> None:
        """Refuse a table that would fail a person later: a deep link to an action nobody handles."""
        dangling = sorted(prefix for prefix, action in self.deep_links.items() if action not in self.actions)
        if dangling:
            raise ValueError(f"deep links to unknown actions: {', '.join(dangling)}")

    def visible_commands(self, *, staff: bool) -> list[Route]:
        return [r for r in self.commands.values() if r.listed and (staff or not r.staff)]


def parse_command(text: str) -> tuple[str, str] | None:
    """`/cmd@bot rest` → ("cmd", "rest"); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name or not all(c.isalnum() or c == "_" for c in name):
        return None
    return name, rest.strip()
