"""When notices cannot reach a person: told once, privately, how to let them through, and a way to try again.

The dispatcher runs `reach.notice` once after a message could not be delivered (the person did not see that
happen); whether an account is reachable is written only by storage/reachability.py.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.actions import UNREACHABLE_NOTICE, act
from bot.core.context import Context
from bot.core.replies import Button, Reply
from bot.core.router import Router
from bot.i18n import _
from storage.outbox import requeue_undelivered
from storage.reachability import set_reachable

router = Router()

# What is worth sending again once a person can be reached: answers they are waiting for. Offers, reminders and
# announcements that missed them are out of date by then.
RESENT_KINDS = ("question.answer",)
RESEND_WITHIN = timedelta(days=14)


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


def _dm_works() -> Reply:
    return Reply(_("✅ Direct messages reach you now: notices from the program will come here."))


@router.action("reach.retry")
async def try_again(ctx: Context) -> Reply:
    """The person changed their settings: reach them again, with a test message that proves it or fails again."""
    if ctx.user.account_id is not None:
        await set_reachable(ctx.session, account_ids=[ctx.user.account_id], reachable=True)
    # Pinned to this account: a linked account elsewhere receiving it would prove nothing.
    await ctx.notify(ctx.user_id, _dm_works, kind="reach.test", account_id=ctx.user.account_id)
    now = ctx.now()
    await requeue_undelivered(ctx.session, ctx.user_id, RESENT_KINDS, since=now - RESEND_WITHIN, now=now)
    return Reply(
        _("I am sending you a direct message now. If it does not arrive, check the setting again."), personal=True
    )
