"""Staff tools that belong to no single feature."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply, esc
from bot.core.router import Router
from bot.i18n import LANGUAGE_NAMES, _, format_number

router = Router()


@router.command("stats", staff=True)
async def stats(ctx: Context) -> Reply:
    """Participants by platform and by language."""
    from bot.services import users  # not at import: `wego-bot ask` loads the chat without a database

    counts = await users.stats(ctx.unit_of_work)
    lines = [
        _("<b>Participants</b>: {count}").format(count=format_number(counts.total)),
        "",
        "<b>" + _("By platform") + "</b>",
    ]
    lines += [f"{esc(platform)}: {format_number(count)}" for platform, count in counts.by_platform]
    lines += ["", "<b>" + _("By chosen language") + "</b>"]
    for locale, count in counts.by_language:
        name = LANGUAGE_NAMES.get(locale, locale) if locale else _("not chosen")
        lines.append(f"{esc(name)}: {format_number(count)}")
    return Reply("\n".join(lines), personal=True)
