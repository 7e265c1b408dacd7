"""Discord interactions in, neutral events to the dispatcher, replies back as interaction responses.

Where answers go, in a server (in DMs everything is simply answered):
- a slash command's reply is public, unless it is personal or the command is for staff: then only the member
  sees it (ephemeral);
- a button press answers only the presser: it edits the pressed message when the reply asks for it and the
  message is the presser's own, else it sends a new ephemeral message;
- a personal reply with files (certificates, data export) goes by direct message (bot/adapters/discord/direct.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.adapters.discord.direct import deliver_by_dm
from bot.adapters.discord.messenger import NO_MENTIONS, DiscordMessenger
from bot.adapters.discord.ordering import InteractionOrder
from bot.adapters.discord.render import BUTTON_TEMPLATE, SELECT_TEMPLATE, render
from bot.adapters.discord.staff_inbox import ANSWER_TEMPLATE, on_modal_submit
from bot.core.actions import Action
from bot.core.events import Event
from bot.core.replies import Reply
from bot.core.router import Route
from bot.i18n import _, use_locale

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

# Discord wants an answer within 3 s of the interaction; past this much dispatch time we defer and answer later.
ACK_AFTER_SECONDS = 1.5
# Our restart-safe components, by custom id: a press no template matches is not ours.
TEMPLATES = (BUTTON_TEMPLATE, SELECT_TEMPLATE, ANSWER_TEMPLATE)


def member_role_ids(user: discord.User | discord.Member) -> frozenset[str]:
    """The role ids of the interaction's member payload.

    discord.py has no public view of them: `Member.roles` and `Member.get_role` look each id up in the guild
    cache and drop those it lacks (every one, until the guild has arrived after a connect), which would refuse
    staff their commands. So the one read of the library's slot is here, and nowhere else."""
    return frozenset(str(role_id) for role_id in getattr(user, "_roles", ()))


def takes_dynamic_item(interaction: discord.Interaction[Any], custom_id: str, pressed_type: object) -> bool:
    """Whether one of our dynamic items will take this press, by the same two checks discord.py's dispatch makes:
    a template matches, and the message holds a component with that id *of the pressed type* (a select's payload
    against a button's id, say, is dropped without a word, and Discord would show "interaction failed")."""
    if not any(re.fullmatch(template, custom_id) for template in TEMPLATES):
        return False
    message = interaction.message
    if message is None:
        return False
    return any(
        getattr(component, "custom_id", None) == custom_id and int(component.type.value) == pressed_type
        for row in message.components
        for component in (row.children if isinstance(row, discord.ActionRow) else [row])
    )


def may_edit(interaction: discord.Interaction[Any]) -> bool:
    """Only a message the presser alone sees or started may change; others' messages stay as they were."""
    message = interaction.message
    if message is None:
        return False
    if interaction.guild_id is None or message.flags.ephemeral:
        return True
    meta = message.interaction_metadata
    return meta is not None and meta.user.id == interaction.user.id


class Interactions:
    """Everything an interaction needs: the event, the dispatch (deferred when slow) and the answer."""

    def __init__(self, app: App, messenger: DiscordMessenger) -> None:
        self.app = app
        self.settings = app.settings
        self.messenger = messenger
        self.ack_after = ACK_AFTER_SECONDS
        # One member's interactions in order, different members' side by side (bounded).
        self.order = InteractionOrder(self.settings.discord_interaction_concurrency)

    def event_for(
        self, interaction: discord.Interaction[Any], *, text: str = "", action: Action | None = None
    ) -> Event:
        user = interaction.user
        return Event(
            platform="discord",
            user_id=str(user.id),
            chat_id=str(user.id),
            # Messages outside an interaction (notices, reminders) go by DM, addressed by the user id: a member who
            # only ever used the bot in the server is reachable too.
            private_chat_id=str(user.id),
            text=text,
            action=action,
            display_name=user.display_name,
            locale_hint=interaction.locale.value,
            private=interaction.guild_id is None,
            roles=member_role_ids(user) if interaction.guild_id else frozenset(),
            event_id=str(interaction.id),
        )

    async def on_command(self, interaction: discord.Interaction[Any], route: Route, text: str) -> None:
        event = self.event_for(interaction, text=f"/{route.name} {text}".strip())
        async with self.order.turn(interaction, lambda: self.defer(interaction, component=False)):
            replies = await self.dispatch(interaction, event, component=False)
            await self.answer(interaction, replies, component=False, hidden=route.staff)

    async def on_action(self, interaction: discord.Interaction[Any], action: Action) -> None:
        # An action no handler takes is the dispatcher's to refuse, as on every door.
        async with self.order.turn(interaction, lambda: self.defer(interaction, component=True)):
            replies = await self.dispatch(interaction, self.event_for(interaction, action=action), component=True)
            await self.answer(interaction, replies, component=True, hidden=True)

    async def on_any_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Component presses no dynamic item will take (forged, or from a message that never had them), and
        submissions of the staff answer form (taken by their custom id, so they survive a restart)."""
        if interaction.type is discord.InteractionType.modal_submit:
            if not await on_modal_submit(self, interaction):
                await self.refuse(interaction)
            return
        if interaction.type is not discord.InteractionType.component:
            return
        data: Any = interaction.data or {}
        if not takes_dynamic_item(interaction, str(data.get("custom_id", "")), data.get("component_type")):
            await self.refuse(interaction)

    async def language(self, interaction: discord.Interaction[Any]) -> str:
        """The presser's language for a notice the door writes itself: the one they chose with /language, else
        their Discord locale (Discord has no Arabic locale, so an Arabic speaker's says something else)."""
        return await self.app.dispatcher.notice_language(self.event_for(interaction))

    async def refuse(self, interaction: discord.Interaction[Any]) -> None:
        lang = await self.language(interaction)
        with use_locale(lang):
            text = _("That button is not valid (any more), so nothing was changed. Send /start for the menu.")
        await self.tell(interaction, Reply(text, lang=lang))

    async def tell(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        """A notice only the presser sees."""
        [message] = render(reply).messages()
        await self.send(interaction, message, ephemeral=True)

    async def dispatch(self, interaction: discord.Interaction[Any], event: Event, *, component: bool) -> list[Reply]:
        task = asyncio.ensure_future(self.app.dispatcher.dispatch(event))
        done, _pending = await asyncio.wait({task}, timeout=self.ack_after)
        if not done:
            await self.defer(interaction, component=component)
        return await task

    async def defer(self, interaction: discord.Interaction[Any], *, component: bool) -> None:
        if interaction.response.is_done():
            return
        if component:
            await interaction.response.defer()
        else:
            # Hidden while we do not know what comes: a personal reply must never appear in the channel.
            await interaction.response.defer(ephemeral=interaction.guild_id is not None, thinking=True)

    async def answer(
        self, interaction: discord.Interaction[Any], replies: list[Reply], *, component: bool, hidden: bool
    ) -> None:
        in_server = interaction.guild_id is not None
        editable = component and may_edit(interaction)
        first = True
        for reply in replies:
            shown = reply
            if in_server and reply.personal and reply.files:
                await self.defer(interaction, component=component)
                shown = await deliver_by_dm(self.app, self.messenger, str(interaction.user.id), reply)
            ephemeral = in_server and (hidden or shown.personal)
            for message in render(shown).messages():
                if first and editable and reply.edit:
                    await self.edit(interaction, message)
                else:
                    await self.send(interaction, message, ephemeral=ephemeral)
                first = False

    async def send(self, interaction: discord.Interaction[Any], message: dict[str, Any], *, ephemeral: bool) -> None:
        if not interaction.response.is_done():
            await interaction.response.send_message(**message, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(**message, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)

    async def edit(self, interaction: discord.Interaction[Any], message: dict[str, Any]) -> None:
        fields: dict[str, Any] = {"content": message["content"], "view": message.get("view")}
        if message.get("files"):
            fields["attachments"] = message["files"]
        if not interaction.response.is_done():
            await interaction.response.edit_message(**fields, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.edit_original_response(**fields, allowed_mentions=NO_MENTIONS)


def interactions_of(client: discord.Client) -> Interactions:
    """The handler of the client's interactions, for the dynamic items discord.py builds on a press."""
    found = getattr(client, "interactions", None)
    if not isinstance(found, Interactions):
        raise RuntimeError("this client has no Discord interactions handler")
    return found
