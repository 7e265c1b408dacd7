"""A personal reply with files (a certificate, a data export) asked for in a server goes by direct message, so the
member keeps it and nobody else sees it; with DMs closed (Discord 50007) the account is marked unreachable and the
reply is shown to the member alone instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.adapters.discord.messenger import DiscordMessenger
from bot.core.replies import Reply
from bot.i18n import _, use_locale
from bot.services.reachability import platform_reported

if TYPE_CHECKING:
    from bot.app import App


async def deliver_by_dm(app: App, messenger: DiscordMessenger, user_id: str, reply: Reply) -> Reply:
    """The reply to show in the channel: a pointer to the DM, or the reply itself when DMs are closed."""
    outcome = await messenger.send(user_id, reply)
    if outcome.status in ("sent", "unreachable"):
        # Shown the reply here with a note when the DM fails: they have been told why.
        await platform_reported(app.storage, "discord", user_id, reachable=outcome.status == "sent", told=True)
    with use_locale(reply.lang or app.settings.default_language):
        if outcome.status == "sent":
            return Reply(_("I sent it to you as a direct message."), personal=True, lang=reply.lang)
        note = _("I could not send you a direct message, so here it is; only you can see it.")
    return Reply(f"{note}\n\n{reply.text}", files=reply.files, personal=True, lang=reply.lang)
