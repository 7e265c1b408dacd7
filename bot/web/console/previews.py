"""A message as each platform shows it, for the broadcast preview: Telegram's HTML, Discord's Markdown.

What is shown is what the door sends: the message's HTML for Telegram, and for Discord the Discord door's own
conversion (bot/core/markdown.py `discord_markdown`), read back here the way Discord's client reads Markdown
(its inline rules: escapes, code, links, bare addresses, bold, italics, underline, strike-through, spoilers, line
breaks). Every piece of text is escaped on the way out: staff text can neither add HTML nor formatting.
"""

from __future__ import annotations

import html
import re

# A bare address: both apps make it a link (Discord's rule; Telegram's is alike for http and https).
_BARE_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")
_LINK_SCHEMES = ("http://", "https://", "mailto:")

# -- Telegram ------------------------------------------------------------------------------------------------------

# Our HTML subset (bot/domain/messages.py): the only tags a message holds; all else in it is escaped text.
_TAG = re.compile(r"<a href=\"[^\"]*\">|</a>|</?(?:b|i|u|s|code)>")


def telegram_html(message: str) -> str:
    """A message of our HTML subset as Telegram shows it: its tags, bare addresses as links, line breaks."""
    out: list[str] = []
    pos = 0
    in_link = in_code = False
    for match in _TAG.finditer(message):
        out.append(_text_with_links(message[pos : match.start()], link=not (in_link or in_code)))
        tag = match.group(0)
        in_link = tag.startswith("<a ") or (in_link and tag != "</a>")
        in_code = tag == "<code>" or (in_code and tag != "</code>")
        out.append(_anchor(html.unescape(tag[9:-2])) if tag.startswith("<a ") else tag)
        pos = match.end()
    out.append(_text_with_links(message[pos:], link=not (in_link or in_code)))
    return "".join(out).replace("\n", "<br>")


def _text_with_links(escaped: str, *, link: bool) -> str:
    """A run of already escaped text, escaped again from its plain form (quotes too), addresses made links."""
    text = html.unescape(escaped)
    if not link:
        return _e(text)
    out: list[str] = []
    last = 0
    for match in _BARE_URL.finditer(text):
        out.append(_e(text[last : match.start()]))
        out.append(_anchor(match.group(0)) + _e(match.group(0)) + "</a>")
        last = match.end()
    out.append(_e(text[last:]))
    return "".join(out)


# -- Discord -------------------------------------------------------------------------------------------------------

# Discord's inline Markdown rules (its client's, after simple-markdown), tried in this order at each position.
_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^ >]+)>")
_MASKED = re.compile(
    r"\[((?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*)\]\(\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?(?:\s+['\"][\s\S]*?['\"])?\s*\)"
)
_CODE = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")
_STRONG = re.compile(r"\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)")
_UNDERLINE = re.compile(r"__((?:\\[\s\S]|[^\\])+?)__(?!_)")
_EM = re.compile(
    r"\b_((?:__|\\[\s\S]|[^\\_])+?)_\b"
    r"|\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s*\\]|\*\*)|[^\s*\\])+?)\*(?!\*)"
)
_STRIKE = re.compile(r"~~([\s\S]+?)~~(?!_)")
_SPOILER = re.compile(r"\|\|([\s\S]+?)\|\|")
# Plain text up to the next character some rule may start with (or a word that may start an address).
_TEXT = re.compile(r"[\s\S]+?(?=[^0-9A-Za-z\s\u00c0-\uffff]|\n|\w+:\S|$)")
_WRAP = ((_STRONG, "strong"), (_UNDERLINE, "u"), (_EM, "em"), (_STRIKE, "s"), (_SPOILER, "span"))


def discord_html(markdown: str) -> str:
    """Discord Markdown as the Discord app shows it, in HTML."""
    return _inline(markdown, links=True)


def _inline(source: str, *, links: bool) -> str:
    out: list[str] = []
    pos = 0
    while pos < len(source):
        found = _rule(source, pos, links=links)
        if found is None:
            # A character that starts no rule here is itself.
            out.append(_e(source[pos]))
            pos += 1
            continue
        piece, pos = found
        out.append(piece)
    return "".join(out)


def _rule(source: str, pos: int, *, links: bool) -> tuple[str, int] | None:
    if source[pos] == "\n":
        return "<br>", pos + 1
    if match := _ESCAPE.match(source, pos):
        return _e(match.group(1)), match.end()
    if links and (match := _AUTOLINK.match(source, pos)):
        return _anchor(match.group(1)) + _e(match.group(1)) + "</a>", match.end()
    if links and (match := _BARE_URL.match(source, pos)):
        return _anchor(match.group(0)) + _e(match.group(0)) + "</a>", match.end()
    if links and (match := _MASKED.match(source, pos)):
        label, target = match.group(1), re.sub(r"\\(.)", r"\1", match.group(2))
        if target.startswith(_LINK_SCHEMES):
            return _anchor(target) + _inline(label, links=False) + "</a>", match.end()
    if match := _CODE.match(source, pos):
        return "<code>" + _e(match.group(2)) + "</code>", match.end()
    for pattern, tag in _WRAP:
        if match := pattern.match(source, pos):
            inner = next(group for group in match.groups() if group is not None)
            opening = '<span class="spoiler">' if tag == "span" else f"<{tag}>"
            return opening + _inline(inner, links=links) + f"</{tag}>", match.end()
    if match := _TEXT.match(source, pos):
        return _e(match.group(0)), match.end()
    return None


def _anchor(target: str) -> str:
    if not target.startswith(_LINK_SCHEMES):
        # Only the schemes our messages use: never a script's address.
        target = "#"
    return f'<a href="{html.escape(target, quote=True)}" rel="noopener noreferrer">'


def _e(text: str) -> str:
    return html.escape(text, quote=True)
