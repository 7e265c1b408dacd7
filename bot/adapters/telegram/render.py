"""Neutral replies → Telegram: HTML text cut into messages Telegram accepts, and inline keyboards.

Reply text is already the small HTML subset Telegram's HTML parse mode understands (`<b>`, `<i>`, `<code>`,
`<a href>`), with every user-provided string escaped by the core; this module only has to respect Telegram's
limits: 4096 characters a message, 64 bytes of callback data a button, 1024 characters a caption.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.actions import ActionError
from bot.core.replies import Button, Reply

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
# Tags, character references, then single characters: a cut never falls inside a tag or an `&amp;`.
_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|[\s\S]")
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z0-9-]+)")


def utf16_len(text: str) -> int:
    """Telegram counts UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def _apply(stack: list[str], token: str) -> list[str]:
    """The open tags after `token`: opening tags are kept whole so that a later part can reopen them."""
    if not token.startswith("<") or len(token) < 3:
        return stack
    match = _TAG_NAME.match(token)
    if match is None or token.endswith("/>"):
        return stack
    name = match.group(1).lower()
    if token.startswith("</"):
        for index in range(len(stack) - 1, -1, -1):
            if _tag_name(stack[index]) == name:
                return stack[:index] + stack[index + 1 :]
        return stack
    return [*stack, token]


def _tag_name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


def _closers(stack: list[str]) -> str:
    return "".join(f"</{_tag_name(tag)}>" for tag in reversed(stack))


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut HTML text into parts of at most `limit` UTF-16 units, each one well-formed on its own.

    Cuts prefer a line break, then a space; formatting open at a cut is closed at the end of one part and
    reopened at the start of the next, so a bold paragraph stays bold across messages. The raw HTML is what
    is measured, which is never shorter than the text Telegram counts, so every part is accepted.
    """
    if utf16_len(text) <= limit:
        return [text] if text.strip() else []
    tokens = _TOKEN.findall(text)
    parts: list[str] = []
    start = 0
    carried: list[str] = []
    while start < len(tokens):
        head = "".join(carried)
        stack = list(carried)
        size = utf16_len(head)
        end = start
        line_cut: tuple[int, list[str]] | None = None
        space_cut: tuple[int, list[str]] | None = None
        while end < len(tokens):
            token = tokens[end]
            after = _apply(stack, token)
            if size + utf16_len(token) + utf16_len(_closers(after)) > limit and end > start:
                break
            stack = after
            size += utf16_len(token)
            end += 1
            if token == "\n":
                line_cut = (end, list(stack))
            elif token.isspace():
                space_cut = (end, list(stack))
        if end < len(tokens):
            # A cut in the first half of a part would waste a message; a hard cut beats that.
            half = start + (end - start) // 2
            for cut in (line_cut, space_cut):
                if cut is not None and cut[0] > half:
                    end, stack = cut
                    break
        body = head + "".join(tokens[start:end]) + _closers(stack)
        if body.strip():
            parts.append(body.strip())
        start = end
        carried = stack
    return parts


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    parts: list[str]
    markup: InlineKeyboardMarkup | None


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard rows as the reply laid them out; a button whose data would not fit is left out."""
    out: list[list[InlineKeyboardButton]] = []
    for row in rows:
        cells: list[InlineKeyboardButton] = []
        for button in row:
            if button.url:
                cells.append(InlineKeyboardButton(button.label, url=button.url))
            elif button.action is not None:
                try:
                    data = button.action.encode()
                except ActionError as exc:
                    # Telegram would refuse the whole message; losing one button is the smaller harm.
                    log.error("button %r left out: %s", button.label, exc)
                    continue
                cells.append(InlineKeyboardButton(button.label, callback_data=data))
        if cells:
            out.append(cells)
    return InlineKeyboardMarkup(out) if out else None


def render(reply: Reply) -> RenderedMessage:
    """The messages one reply becomes; the keyboard belongs under the last part, where the reading ends."""
    return RenderedMessage(parts=split_html(reply.text), markup=keyboard(reply.buttons))


def caption(text: str) -> str:
    """A document caption (plain text), cut to Telegram's caption limit."""
    if utf16_len(text) <= CAPTION_LIMIT:
        return text
    out = text
    while utf16_len(out) > CAPTION_LIMIT - 1:
        out = out[: len(out) - max(1, (utf16_len(out) - CAPTION_LIMIT + 1) // 2)]
    return out + "…"
