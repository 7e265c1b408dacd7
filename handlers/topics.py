"""Free text: answered from the program content when it clearly names one topic, else an honest "don't know"."""

from __future__ import annotations

import re
import unicodedata

from bot.core.context import Context
from bot.core.replies import Reply
from bot.core.router import Router
from bot.i18n import _
from handlers.menu import main_menu

router = Router()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _contains(haystack: str, needle: str) -> bool:
    # Scripts without spaces between words (Chinese, Korean particles) match as substrings;
    # spaced scripts match on word boundaries so "part" does not match "partner".
    if any(ord(c) > 0x2E80 for c in needle):
        return needle in haystack
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def match_topic(ctx: Context, text: str) -> str | None:
    """The command of the one topic the text names most clearly, or None when none or several tie."""
    folded = _fold(text)
    scores: dict[str, int] = {}
    for topic in ctx.content.topics.topics:
        words = {w for lang_words in topic.keywords.values() for w in lang_words}
        hits = sum(1 for w in words if _contains(folded, _fold(w)))
        if hits:
            scores[topic.command] = hits
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


@router.text
async def answer_topic(ctx: Context) -> Reply | list[Reply] | None:
    command = match_topic(ctx, ctx.text)
    route = ctx.router.commands.get(command) if command else None
    if route is None or (route.staff and not ctx.is_staff):
        return Reply(_("I don't know that yet. Here is what I can help with — or send /help."), buttons=main_menu(ctx))
    ctx.text = ""
    return await route.handler(ctx)
