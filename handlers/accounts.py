"""One participant on several platforms: /link joins two accounts with a one-time code."""

from __future__ import annotations

import logging
import math
from datetime import datetime

from bot.core.context import Context
from bot.core.replies import Reply
from bot.core.router import Router
from bot.i18n import _, format_moment, ngettext
from bot.services.seats import release_seats
from handlers.workshop_views import context_notifier
from storage.attempts import blocked_until, record_failure
from storage.linking import LINK_ATTEMPTS, LinkRefused, create_link_code, merge_users, redeem_link_code

log = logging.getLogger(__name__)

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
        code = await create_link_code(ctx.session, ctx.user_id, now)
        from storage.linking import LINK_CODE_TTL

        minutes = int(LINK_CODE_TTL.total_seconds() // 60)
        return Reply(
            "\n".join(
                [
                    _("Your one-time link code: <code>{code}</code>").format(code=code),
                    _(
                        "On the other platform, send /link {code} to this assistant within {duration} "
                        "(until {time}). Your progress, workshop places and records will then be shared."
                    ).format(
                        code=code,
                        duration=ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes),
                        time=format_moment(now + LINK_CODE_TTL, ctx.zone),
                    ),
                    _("Do not share this code with anyone else."),
                ]
            ),
            personal=True,
        )
    until = await blocked_until(ctx.session, ctx.user_id, LINK_ATTEMPTS, now)
    if until is not None:
        # Ids only: the code someone tries is as secret as a password.
        log.warning("link code refused for user %s: too many wrong codes, blocked until %s", ctx.user_id, until)
        return Reply(
            _("Too many wrong link codes, so I am not checking codes from you for a while.")
            + " "
            + _try_again(ctx, until)
        )
    try:
        keep_id = await redeem_link_code(ctx.session, ctx.text, ctx.user_id, now)
    except LinkRefused as refusal:
        # Returned, not raised: the failure must be committed to count.
        failures = await record_failure(ctx.session, ctx.user_id, LINK_ATTEMPTS, now)
        log.warning(
            "link code refused for user %s: %s (%d of %d wrong codes allowed)",
            ctx.user_id,
            refusal.reason,
            failures,
            LINK_ATTEMPTS.failures,
        )
        messages = {
            "used": _("That link code was already used. Send /link on your other platform for a new one."),
            "expired": _("That link code has expired (codes last 10 minutes). Send /link there for a new one."),
            "same": _("That code belongs to this account already: send it on your other platform."),
        }
        text = messages.get(
            refusal.reason, _("That is not a valid link code. Send /link on your other platform for a new one.")
        )
        until = await blocked_until(ctx.session, ctx.user_id, LINK_ATTEMPTS, now)
        if until is not None:
            text += "\n" + _("That was too many wrong codes.") + " " + _try_again(ctx, until)
        return Reply(text)
    summary = await merge_users(ctx.session, keep_id, ctx.user_id, now)
    await release_seats(
        ctx.session,
        summary.freed_workshops,
        now,
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    lectures = ngettext("{n} lecture", "{n} lectures", summary.lectures_added).format(n=summary.lectures_added)
    workshops = summary.registrations_moved + summary.registrations_merged
    registrations = ngettext("{n} workshop registration", "{n} workshop registrations", workshops).format(n=workshops)
    return Reply(
        _(
            "Done: your accounts are linked and you are one participant now. "
            "Brought over: {lectures} and {registrations}."
        ).format(lectures=lectures, registrations=registrations),
        personal=True,
    )
