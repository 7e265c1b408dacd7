"""Neutral replies rendered for Discord: Markdown content, restart-safe components and files.

Everything goes into the message content, never into embed fields: Discord lays embed fields out left to right
whatever the script, which scrambles Arabic, while content follows the text's own direction.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.core.actions import Action, ActionError
from bot.core.markdown import discord_markdown
from bot.core.replies import Attachment, Button, Reply

MAX_CONTENT = 2000
MAX_ROWS = 5
MAX_PER_ROW = 5
MAX_OPTIONS = 25
MAX_LABEL = 80
MAX_CUSTOM_ID = 100


def split_content(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Content in messages of at most `limit` characters, cut at line ends where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def content_for(reply: Reply) -> list[str]:
    return split_content(discord_markdown(reply.text, reply.lang))


# -- components -------------------------------------------------------------------------------------------------

# `w:<action>` (or `w2:<action>` for the second button with the same action in one message: Discord wants custom
# ids unique within a message). The action data is checked again by Action.decode when pressed.
BUTTON_TEMPLATE = r"w(?P<n>\d{0,2}):(?P<data>[A-Za-z0-9_.:\-+]{1,64})"
SELECT_TEMPLATE = r"wsel:(?P<n>\d{1,2})"


def button_custom_id(action: Action, n: int = 0) -> str:
    custom_id = f"w{n or ''}:{action.encode()}"
    if len(custom_id) > MAX_CUSTOM_ID:
        raise ActionError(f"custom id over {MAX_CUSTOM_ID} characters: {custom_id!r}")
    return custom_id


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON_TEMPLATE):
    """A button that carries its action in the custom id, so it works after a restart with no stored view."""

    def __init__(self, custom_id: str, *, label: str = "", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(label=label[:MAX_LABEL] or "…", style=discord.ButtonStyle.secondary, custom_id=custom_id),
            row=row,
        )

    @classmethod
    def for_action(cls, action: Action, *, label: str, n: int = 0, row: int | None = None) -> ActionButton:
        return cls(button_custom_id(action, n), label=label, row=row)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ActionButton:
        return cls(match.group(0), label=getattr(item, "label", "") or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        from bot.adapters.discord.interactions import interactions_of

        door = interactions_of(interaction.client)
        match = self.template.fullmatch(self.custom_id)
        try:
            # The id came back from a client: its shape is checked here, its ids by the handler.
            action = Action.decode(match["data"]) if match else None
        except ActionError:
            action = None
        if action is None:
            await door.refuse(interaction)
            return
        await door.on_action(interaction, action)


class ActionSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=SELECT_TEMPLATE):
    """A row of more than five choices: a select menu whose option values are encoded actions."""

    def __init__(self, options: list[discord.SelectOption], *, n: int = 0, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Select(custom_id=f"wsel:{n}", options=options, min_values=1, max_values=1),
            row=row,
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ActionSelect:
        # The options come from the message Discord stored, not from the payload's values.
        options = list(getattr(item, "options", []))
        return cls(options, n=int(match["n"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        from bot.adapters.discord.interactions import interactions_of

        door = interactions_of(interaction.client)
        values = self.item.values
        allowed = {option.value for option in self.item.options}
        if len(values) != 1 or values[0] not in allowed:
            await door.refuse(interaction)
            return
        try:
            action = Action.decode(values[0])
        except ActionError:
            await door.refuse(interaction)
            return
        await door.on_action(interaction, action)


def _select_options(row: list[Button]) -> list[discord.SelectOption]:
    options = []
    for button in row[:MAX_OPTIONS]:
        if button.action is not None:
            options.append(discord.SelectOption(label=button.label[:100] or "…", value=button.action.encode()))
    return options


def build_view(rows: list[list[Button]]) -> discord.ui.View | None:
    """The reply's buttons as a view: one Discord row per reply row; a row of more than five becomes a select."""
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    seen: dict[str, int] = {}
    selects = 0
    for index, row in enumerate(rows[:MAX_ROWS]):
        if len(row) > MAX_PER_ROW and all(b.action is not None for b in row):
            view.add_item(ActionSelect(_select_options(row), n=selects, row=index))
            selects += 1
            continue
        for button in row[:MAX_PER_ROW]:
            if button.action is not None:
                data = button.action.encode()
                n = seen.get(data, -1) + 1
                seen[data] = n
                view.add_item(ActionButton.for_action(button.action, label=button.label, n=n, row=index))
            elif button.url:
                view.add_item(discord.ui.Button(label=button.label[:MAX_LABEL] or "…", url=button.url, row=index))
    return view if view.children else None


def build_files(attachments: list[Attachment]) -> list[discord.File]:
    # A discord.File is consumed by one send: build fresh ones for every attempt.
    return [
        discord.File(io.BytesIO(a.data), filename=a.filename, description=a.caption[:1024] or None) for a in attachments
    ]


@dataclass(slots=True)
class Rendered:
    """One reply as Discord messages: every chunk but the last is plain text; the last carries view and files."""

    contents: list[str]
    view: discord.ui.View | None = None
    files: list[discord.File] = field(default_factory=list)

    def messages(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"content": chunk} for chunk in self.contents[:-1]]
        last: dict[str, Any] = {"content": self.contents[-1]}
        if self.view is not None:
            last["view"] = self.view
        if self.files:
            last["files"] = self.files
        out.append(last)
        return out


def render(reply: Reply) -> Rendered:
    return Rendered(content_for(reply), build_view(reply.buttons), build_files(reply.files))
