"""Our small HTML subset as Discord Markdown: what the Discord door sends, and what the staff console previews.

One conversion for both: the door (bot/adapters/discord/render.py) sends it, the console's broadcast preview
(bot/web/console/broadcasts.py) shows it as Discord displays it. No discord.py here.
"""

from __future__ import annotations

import html
import re

from bot.i18n import is_rtl

RLM = "\u200f"

# One token of our HTML subset, or a run of text between tags.
_TOKEN = re.compile(r'<a href="(?P<href>[^"]*)">|</a>|<(?P<close>/?)(?P<tag>b|i|u|s|code)>')
_MARK = {"b": "**", "i": "*", "u": "__", "s": "~~"}
_URL = re.compile(r"(?:https?|mailto):[^\s<>]+[^\s<>.,:;\"')\]]")
# Characters that start or end Markdown anywhere in a line.
_INLINE = re.compile(r"([\\*_~|`\[\]])")
# Markdown that only counts at the start of a line: quotes, headings, subtext, bullets, and numbered list items
# (digits, a dot and a space: "1. "). Discord drops a backslash only before punctuation and shows it before a
# digit, so a number keeps its digits and has its dot escaped (1\.1). The dot is escaped whatever follows it: the
# backslash never shows, and no client's idea of a list can catch a lecture key.
_LINE_START = re.compile(r"^([ \t]*)(?:([>#+-])|(\d+)\.)", re.M)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark, number = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\."


def escape_markdown(text: str) -> str:
    """Text shown literally in Discord; bare links are left intact so that they stay clickable."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        out.append(_INLINE.sub(r"\\\1", text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_INLINE.sub(r"\\\1", text[last:]))
    return _LINE_START.sub(_escape_line_start, "".join(out))


def _code(text: str) -> str:
    # A backtick inside inline code would end it early; a look-alike keeps the text readable.
    return "`" + (text.replace("`", "ˋ") or " ") + "`"


def to_markdown(text: str) -> str:
    """Our small HTML subset (<b>, <i>, <u>, <s>, <code>, <a href>) as Discord Markdown."""
    out: list[str] = []
    pos = 0
    code: list[str] | None = None
    link: tuple[str, list[str]] | None = None

    def emit(piece: str) -> None:
        if link is not None:
            link[1].append(piece)
        else:
            out.append(piece)

    for match in _TOKEN.finditer(text):
        literal = html.unescape(text[pos : match.start()])
        pos = match.end()
        if code is not None:
            if match.group("tag") == "code" and match.group("close"):
                emit(_code("".join([*code, literal])))
                code = None
            else:
                code += [literal, html.unescape(match.group(0))]
            continue
        emit(escape_markdown(literal))
        if match.group("href") is not None:
            link = (html.unescape(match.group("href")), [])
        elif match.group(0) == "</a>":
            if link is not None:
                url, parts = link
                link = None
                out.append(_link("".join(parts), url))
        elif match.group("tag") == "code":
            code = [] if not match.group("close") else None
        else:
            emit(_MARK[match.group("tag")])
    tail = html.unescape(text[pos:])
    if code is not None:
        emit(_code("".join([*code, tail])))
    else:
        emit(escape_markdown(tail))
    if link is not None:
        out.append(_link("".join(link[1]), link[0]))
    return "".join(out)


def _link(label: str, url: str) -> str:
    safe_url = url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
    if not re.match(r"^(?:https?|mailto):", safe_url):
        return label
    if url.startswith("mailto:") and html.unescape(label).replace("\\", "") == url[7:]:
        return label
    return f"[{label}]({safe_url})"


def discord_markdown(text: str, lang: str | None = None) -> str:
    """A reply's text as the Discord door sends it (before cutting it into messages of 2,000 characters)."""
    markdown = to_markdown(text)
    if lang and is_rtl(lang):
        # A line that starts with a Latin word or a command would otherwise be laid out left to right.
        markdown = "\n".join(RLM + line if line else line for line in markdown.split("\n"))
    return markdown
