"""The participant's own data: a copy of everything stored (/mydata), and deleting it (/deleteme)."""

from __future__ import annotations

import json

from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Attachment, Button, Reply
from bot.core.router import Router
from bot.core.text import is_number
from bot.domain.privacy import confirmation_stamp, confirmation_valid
from bot.i18n import _
from bot.services import privacy as service
from handlers.menu import back_to_menu
from handlers.workshop_views import context_notifier

router = Router()


@router.command("mydata")
async def mydata(ctx: Context) -> Reply:
    """Everything stored about you, as a file."""
    data = await service.export_personal_data(ctx.unit_of_work, ctx.user_id, now=ctx.now())
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return Reply(
        _("Here is everything the assistant stores about you."),
        files=[Attachment("wego-my-data.json", body, "application/json")],
        personal=True,
    )


@router.command("deleteme")
async def deleteme(ctx: Context) -> Reply:
    """Delete your personal data (asks to confirm first)."""
    stamp = confirmation_stamp(ctx.now())
    return Reply(
        "\n".join(
            [
                _("<b>Delete your data?</b>"),
                _(
                    "This deletes your name, year of birth, linked accounts and lecture progress, cancels your "
                    "workshop registrations, and your certificate records will no longer verify. It cannot be undone."
                ),
                _("Only anonymous counts are kept. Send /mydata first if you want a copy."),
            ]
        ),
        buttons=[[Button(_("Yes, delete my data"), act("privacy.delete", stamp))], back_to_menu()],
        personal=True,
    )


@router.action("privacy.delete")
async def delete_confirmed(ctx: Context) -> Reply:
    now = ctx.now()
    stamp = int(ctx.args[0]) if len(ctx.args) == 1 and is_number(ctx.args[0]) else None
    if not confirmation_valid(stamp, now):
        raise UserError(_("That confirmation has expired. Send /deleteme again if you still want to delete your data."))
    deleted = await service.delete_personal_data(
        ctx.unit_of_work,
        ctx.user_id,
        now=now,
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    text = _("Your personal data has been deleted. Goodbye, and thank you for taking part.")
    if deleted.cancelled_registrations:
        text += "\n" + _("Your workshop registrations were cancelled.")
    return Reply(text, personal=True, edit=True)
