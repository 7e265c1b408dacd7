"""`/console`: a staff member's one-time sign-in link to the web console."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply, link
from bot.core.router import Router
from bot.core.staff import ROLE_UNCHECKABLE, roles_checkable, staff_by_role_only
from bot.i18n import _, format_moment, ngettext
from bot.services.console import LINK_TTL, Staffer, create_link

router = Router()


def console_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/console/signin/{token}"


@router.command("console", staff=True)
async def console(ctx: Context) -> Reply:
    """Open the staff console in a browser: a one-time sign-in link, valid 10 minutes."""
    settings = ctx.settings
    if staff_by_role_only(settings, ctx.event.platform, ctx.event.user_id) and not roles_checkable(settings):
        # The console re-checks the role with the server on every page; a link it could never honour is no help.
        return Reply(_(ROLE_UNCHECKABLE), personal=True)
    now = ctx.now()
    who = Staffer(
        platform=ctx.event.platform,
        platform_user_id=ctx.event.user_id,
        roles=ctx.event.roles,
        user_id=ctx.user.user_id,
        display_name=ctx.user.display_name or ctx.event.display_name,
    )
    token = await create_link(ctx.unit_of_work, who, ctx.locale, now)
    minutes = int(LINK_TTL.total_seconds() // 60)
    url = console_url(ctx.settings.public_base_url, token)
    return Reply(
        "\n".join(
            [
                _("Your sign-in link to the staff console:"),
                link(url),
                _(
                    "It works once, within {duration} (until {time}). Do not forward it: it opens the console as you."
                ).format(
                    duration=ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes),
                    time=format_moment(now + LINK_TTL, ctx.zone),
                ),
            ]
        ),
        personal=True,
    )
