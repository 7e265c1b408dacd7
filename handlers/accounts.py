"""One participant on several platforms: /link joins two accounts with a one-time code."""

from __future__ import annotations

import math
from datetime import datetime

from bot.core.context import Context
from bot.core.replies import Reply
from bot.core.router import Router
from bot.domain.linking import LinkCodeProblem, LinkingPaused
from bot.i18n import _, format_moment, ngettext
from bot.services import linking as service
from handlers.workshop_views import context_notifier

router = Router()


def _try_again(ctx: Context, until: datetime) -> str:
    minutes = max(1, math.ceil((until - ctx.now()).total_seconds() / 60))
    return _("You can try again at {time} (in {duration}).").format(
        time=format_moment(until, ctx.zone),
        duration=ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes),
    )


@router.command("link", args_hint="CODE")
async def link(ctx: Context) -> Reply:
    """Use the assistant on another platform as the same person: /link gives a code, /link CODE uses it."""
    now = ctx.now()
    if not ctx.text:
        issued = await service.new_link_code(ctx.unit_of_work, ctx.user_id, now=now)
        minutes = int(issued.valid_for.total_seconds() // 60)
        return Reply(
            "\n".join(
                [
                    _("Your one-time link code: <code>{code}</code>").format(code=issued.code),
                    _(
                        "On the other platform, send /link {code} to this assistant within {duration} "
                        "(until {time}). Your progress, workshop places and records will then be shared."
                    ).format(
                        code=issued.code,
                        duration=ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes),
                        time=format_moment(issued.expires_at, ctx.zone),
                    ),
                    _("Do not share this code with anyone else."),
                ]
            ),
            personal=True,
        )
    try:
        outcome = await service.link_accounts(
            ctx.unit_of_work,
            ctx.user_id,
            ctx.text,
            now=now,
            notify=context_notifier(ctx),
            offer_hours=ctx.settings.waitlist_offer_hours,
        )
    except LinkingPaused as paused:
        return Reply(
            _("Too many wrong link codes, so I am not checking codes from you for a while.")
            + " "
            + _try_again(ctx, paused.until)
        )
    if isinstance(outcome, service.LinkRejected):
        # Returned, not raised: the failed try must be committed to count.
        messages = {
            LinkCodeProblem.USED: _(
                "That link code was already used. Send /link on your other platform for a new one."
            ),
            LinkCodeProblem.EXPIRED: _(
                "That link code has expired (codes last 10 minutes). Send /link there for a new one."
            ),
            LinkCodeProblem.SAME: _("That code belongs to this account already: send it on your other platform."),
        }
        text = messages.get(
            outcome.problem, _("That is not a valid link code. Send /link on your other platform for a new one.")
        )
        if outcome.paused_until is not None:
            text += "\n" + _("That was too many wrong codes.") + " " + _try_again(ctx, outcome.paused_until)
        return Reply(text)
    lectures = ngettext("{n} lecture", "{n} lectures", outcome.lectures_added).format(n=outcome.lectures_added)
    registrations = ngettext("{n} workshop registration", "{n} workshop registrations", outcome.registrations).format(
        n=outcome.registrations
    )
    return Reply(
        _(
            "Done: your accounts are linked and you are one participant now. "
            "Brought over: {lectures} and {registrations}."
        ).format(lectures=lectures, registrations=registrations),
        personal=True,
    )
