"""When notices cannot reach a person: told once, privately, how to let them through, and a way to try again.

The dispatcher runs `reach.notice` once after a message could not be delivered (the person did not see that
happen); whether an account is reachable is written only through bot/services/reachability.py.
"""

from __future__ import annotations

from bot.core.actions import UNREACHABLE_NOTICE, act
from bot.core.context import Context
from bot.core.replies import Button, Reply
from bot.core.router import Router
from bot.i18n import _, use_locale
from bot.services import reachability

router = Router()


@router.action(UNREACHABLE_NOTICE)
async def unreachable_notice(ctx: Context) -> Reply:
    if ctx.event.platform == "discord":
        return Reply(
            _(
                "I could not send you a direct message, so answers from the team, workshop news, seat offers and "
                "reminders cannot reach you. To let them through, open this server's menu, choose "
                "<b>Privacy Settings</b> and turn on <b>Direct Messages</b>; then press “Try again”."
            ),
            buttons=[[Button(_("Try again"), act("reach.retry"))]],
            personal=True,
        )
    return Reply(
        _(
            "My messages cannot reach you in our private chat, so answers from the team, workshop news, seat offers "
            "and reminders do not arrive. Open a private chat with me and press Start to receive them again."
        ),
        personal=True,
    )


def _dm_works(language: str) -> Reply:
    with use_locale(language):
        return Reply(_("✅ Direct messages reach you now: notices from the program will come here."))


@router.action("reach.retry")
async def try_again(ctx: Context) -> Reply:
    """The person changed their settings: reach them again, with a test message that proves it or fails again."""
    await reachability.reach_again(
        ctx.unit_of_work,
        ctx.user_id,
        ctx.user.account_id,
        _dm_works,
        now=ctx.now(),
        default_locale=ctx.settings.default_language,
    )
    return Reply(
        _("I am sending you a direct message now. If it does not arrive, check the setting again."), personal=True
    )
