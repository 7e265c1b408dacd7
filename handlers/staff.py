"""Staff tools that belong to no single feature."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.context import Context
from bot.core.replies import Reply, esc
from bot.core.router import Router
from bot.i18n import LANGUAGE_NAMES, _, format_number
from storage.models import Account, User

router = Router()


@router.command("stats", staff=True)
async def stats(ctx: Context) -> Reply:
    """Participants by platform and by language."""
    active = User.deleted_at.is_(None)
    total = await ctx.session.scalar(select(func.count()).select_from(User).where(active)) or 0
    by_platform = await ctx.session.execute(
        select(Account.platform, func.count(func.distinct(Account.user_id)))
        .join(User, User.id == Account.user_id)
        .where(active)
        .group_by(Account.platform)
        .order_by(Account.platform)
    )
    by_language = await ctx.session.execute(
        select(User.locale, func.count()).where(active).group_by(User.locale).order_by(User.locale)
    )
    lines = [
        _("<b>Participants</b>: {count}").format(count=format_number(total)),
        "",
        "<b>" + _("By platform") + "</b>",
    ]
    lines += [f"{esc(platform)}: {format_number(count)}" for platform, count in by_platform]
    lines += ["", "<b>" + _("By chosen language") + "</b>"]
    for locale, count in by_language:
        name = LANGUAGE_NAMES.get(locale, locale) if locale else _("not chosen")
        lines.append(f"{esc(name)}: {format_number(count)}")
    return Reply("\n".join(lines), personal=True)
