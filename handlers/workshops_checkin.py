"""Check-in at the venue: the code on the poster (typed, or in the QR code's link), within the check-in window."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Reply, esc
from bot.core.router import Router
from bot.i18n import _, ngettext
from bot.services.workshop_checkin import CheckInOutcome, check_in
from handlers.workshop_views import button_arg, moment_text, uow_of

router = Router()
router.deep_link("ci", "ws.checkin")


async def _check_in(ctx: Context, code: str) -> Reply:
    # Refusals are replies, not errors: a wrong code must be counted (committed), not rolled back.
    result = await check_in(uow_of(ctx), code, ctx.user_id, ctx.now())
    workshop = result.workshop
    city = esc(ctx.content.city_name(workshop.city)) if workshop is not None else ""
    if result.outcome == CheckInOutcome.CHECKED_IN:
        text = _("Welcome to the workshop in {city}! Your attendance is recorded.").format(city=city)
    elif result.outcome in (CheckInOutcome.WRONG_CODE, CheckInOutcome.PAUSED):
        text = _("That check-in code is not right. Please check it on the poster at the venue.")
        if result.outcome == CheckInOutcome.PAUSED:
            text = _("Too many wrong check-in codes.")
        if result.at is not None:
            minutes = max(1, -(-int((result.at - ctx.now()).total_seconds()) // 60))
            text += " " + ngettext(
                "Check-in is paused for you for {n} minute; the staff at the venue can also check you in.",
                "Check-in is paused for you for {n} minutes; the staff at the venue can also check you in.",
                minutes,
            ).format(n=minutes)
    elif result.outcome == CheckInOutcome.CANCELLED:
        text = _("The workshop in {city} has been cancelled.").format(city=city)
    elif result.outcome == CheckInOutcome.NO_SEAT:
        text = _("You do not have a confirmed seat at this workshop, so I cannot check you in. Please ask the staff.")
    elif result.outcome == CheckInOutcome.NOT_YET:
        assert workshop is not None and result.at is not None
        text = _(
            "Check-in for the workshop in {city} opens on {moment} ({zone}), one hour before the start. "
            "Send the code again then."
        ).format(city=city, moment=moment_text(result.at, workshop.timezone), zone=workshop.timezone)
    else:
        text = _("Check-in for the workshop in {city} closed when the workshop ended.").format(city=city)
    return Reply(text, personal=True)


@router.command("checkin", args_hint="CODE")
async def checkin(ctx: Context) -> Reply:
    """Check in at the workshop with the code shown at the venue."""
    if not ctx.text:
        raise UserError(_("Send the code shown at the venue, for example: /checkin K7M2QX"))
    return await _check_in(ctx, ctx.text.split()[0][:32])


@router.action("ws.checkin")
async def checkin_link(ctx: Context) -> Reply:
    return await _check_in(ctx, button_arg(ctx)[:32])
