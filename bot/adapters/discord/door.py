"""The Discord door: interactions become neutral events, replies go back as interaction responses.

Where answers go, in a server (in DMs everything is simply answered):
- a slash command's reply is public, unless it is personal or the command is for staff: then only the member
  sees it (ephemeral);
- a button press answers only the presser: it edits the pressed message when the reply asks for it and the
  message is the presser's own, else it sends a new ephemeral message;
- a personal reply with files (certificates, data export) goes by direct message, so the member keeps it; with
  DMs closed (Discord 50007) the account is marked unreachable and the reply is shown ephemerally instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.commands import BabelTranslator, register_commands
from bot.adapters.discord.events_sync import SyncResult, load_workshop, sync_workshop_event, upcoming_workshop_ids
from bot.adapters.discord.messenger import NO_MENTIONS, DiscordMessenger
from bot.adapters.discord.ordering import InteractionOrder
from bot.adapters.discord.render import BUTTON_TEMPLATE, SELECT_TEMPLATE, ActionButton, ActionSelect, render
from bot.adapters.discord.staff_inbox import ANSWER_TEMPLATE, AnswerButton, DiscordStaffInbox, on_modal_submit
from bot.app import App
from bot.core.actions import Action
from bot.core.events import Event
from bot.core.replies import Reply
from bot.core.router import Route
from bot.core.text import is_number
from bot.i18n import LOCALES_DIR, _, normalize_language, use_locale

log = logging.getLogger(__name__)

# Discord wants an answer within 3 s of the interaction; past this much dispatch time we defer and answer later.
ACK_AFTER_SECONDS = 1.5
# A rate limit longer than this is not waited out inside a request: the caller gets `retry` and moves on.
# discord.py accepts no less than 30 s here.
MAX_RATELIMIT_WAIT = 30.0


def intents() -> discord.Intents:
    """Guilds only: interactions arrive whatever the intents, and no feature reads message content or members."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    return chosen


class WegoClient(discord.Client):
    def __init__(self, door: DiscordDoor, *, sync_commands: bool = True) -> None:
        super().__init__(intents=intents(), max_ratelimit_timeout=MAX_RATELIMIT_WAIT, allowed_mentions=NO_MENTIONS)
        self.door = door
        self.sync_commands = sync_commands
        self.tree: app_commands.CommandTree[WegoClient] = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        await self.door.prepare()
        if self.sync_commands:
            await self.door.sync_commands()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self.door.on_any_interaction(interaction)

    async def on_ready(self) -> None:
        await self.door.on_ready()


def door_of(client: discord.Client) -> DiscordDoor:
    door = getattr(client, "door", None)
    if not isinstance(door, DiscordDoor):
        raise RuntimeError("this client has no Discord door")
    return door


# One loop looks after what other processes or doors change in the database: workshops (for the Events tab) and
# questions for the team (for the staff channel). Both are cheap queries.
WATCH_SECONDS = 15


class DiscordDoor:
    def __init__(self, app: App, *, locales_dir: Path | None = None, sync_commands: bool = True) -> None:
        self.app = app
        self.settings = app.settings
        self.locales_dir = locales_dir or LOCALES_DIR
        self.client = WegoClient(self, sync_commands=sync_commands)
        self.messenger = DiscordMessenger(self.client)
        self.ack_after = ACK_AFTER_SECONDS
        self.order = InteractionOrder(self.settings.discord_interaction_concurrency)
        self._task: asyncio.Task[None] | None = None
        self._prepared = False
        self._ready = False
        self._watcher: asyncio.Task[None] | None = None
        self._fingerprint: tuple[object, ...] | None = None
        channel_id = self.settings.discord_staff_channel_id
        self.staff_inbox = (
            DiscordStaffInbox(self.client, int(channel_id), language=self.settings.default_language)
            if is_number(channel_id)
            else None
        )

    @property
    def guild(self) -> discord.Object | None:
        guild_id = self.settings.discord_guild_id
        return discord.Object(id=int(guild_id)) if is_number(guild_id) else None

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def prepare(self) -> None:
        """Translator, restart-safe components and slash commands; no network."""
        if self._prepared:
            return
        self._prepared = True
        await self.client.tree.set_translator(BabelTranslator(self.locales_dir))
        self.client.add_dynamic_items(ActionButton, ActionSelect, AnswerButton)
        register_commands(self.client.tree, self.app.router, self.on_command, guild=self.guild)

    async def sync_commands(self) -> None:
        """Commands to the configured server (instant) or globally (Discord may take a while to show them)."""
        synced = await self.client.tree.sync(guild=self.guild)
        log.info("discord: %d slash commands synced %s", len(synced), "to the server" if self.guild else "globally")

    async def start(self) -> None:
        """Log in (fails fast on a bad token), then keep the gateway connection in a task of this loop."""
        await self.client.login(self.settings.discord_token.get_secret_value())
        self._task = asyncio.create_task(self.client.connect(), name="discord-gateway")
        self._task.add_done_callback(self._gateway_ended)

    @staticmethod
    def _gateway_ended(task: asyncio.Task[None]) -> None:
        # connect() reconnects by itself; it only returns or raises for good (closed, bad intents, bad token).
        if not task.cancelled() and task.exception() is not None:
            log.error("discord: the gateway connection ended", exc_info=task.exception())

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
                await self._task
            self._task = None

    async def on_ready(self) -> None:
        # Once per process: events missed while the bot was down (or never synced) are put right, and the watch
        # loop starts whether or not that first sync worked (it keeps trying).
        if self._ready or self.app.storage is None:
            return
        self._ready = True
        if self.guild is None:
            return
        try:
            await self.check_workshops()
        except Exception:
            # The watcher tries again on its next look (no fingerprint is kept for a sync that failed).
            log.exception("discord: workshop events could not be synced")
        self._watcher = asyncio.create_task(self._watch(), name="discord-watch")

    async def workshops_fingerprint(self) -> tuple[object, ...]:
        """Changes whenever staff create or change a workshop (from chat, the CLI or another process)."""
        from sqlalchemy import select

        from storage.models import Workshop

        assert self.app.storage is not None
        async with self.app.storage.unit_of_work() as uow:
            # Every row, not just the newest stamp: clocks of two processes need not agree. There are tens of rows.
            rows = await uow.session.execute(
                select(Workshop.id, Workshop.updated_at, Workshop.status).order_by(Workshop.id)
            )
        return tuple(tuple(row) for row in rows)

    async def check_workshops(self) -> bool:
        """Sync the Events tab if any workshop changed since the last look; True when it synced."""
        fingerprint = await self.workshops_fingerprint()
        if fingerprint == self._fingerprint:
            return False
        results = await self.sync_all_workshops()
        # Kept only now: after a failed sync the same fingerprint must still count as a change.
        self._fingerprint = fingerprint
        log.info("discord: workshops changed, events synced: %s", results)
        return True

    async def _watch(self) -> None:
        # Workshops change from several places (chat on any platform, the CLI); a cheap look every few seconds
        # keeps the Events tab right without every workshop command having to know about Discord. (Questions for
        # the staff channel go out on the clock's tick, like every platform's: see bot/runner.staff_inboxes.)
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                await self.check_workshops()
            except Exception:
                log.exception("discord: workshop events could not be synced")

    # -- workshops in the Events tab ------------------------------------------------------------------------------

    async def _guild(self) -> discord.Guild | None:
        guild_id = self.guild
        if guild_id is None:
            return None
        return self.client.get_guild(guild_id.id) or await self.client.fetch_guild(guild_id.id)

    async def sync_workshop(self, workshop_id: int) -> SyncResult:
        """Bring the server event of one workshop in line with its row; call it after a workshop change commits."""
        guild = await self._guild()
        if guild is None or self.app.storage is None:
            return "unchanged"
        data = await load_workshop(self.app.storage, workshop_id)
        if data is None:
            return "unchanged"
        return await sync_workshop_event(guild, data, now=self.app.dispatcher.clock())

    async def sync_all_workshops(self) -> dict[int, SyncResult]:
        if self.app.storage is None:
            return {}
        ids = await upcoming_workshop_ids(self.app.storage, self.app.dispatcher.clock())
        return {workshop_id: await self.sync_workshop(workshop_id) for workshop_id in ids}

    # -- broadcasts in the announcement channel ------------------------------------------------------------------

    async def announce_broadcast(self, broadcast_id: int) -> bool:
        """Post a broadcast once to the announcement channel; the clock calls this until it returns True.

        True also when there is nothing to post (no channel configured, or an audience that leaves Discord out);
        False when the channel cannot take it; a Discord error is raised, and the clock tries again next tick.
        Members who opted in also get it by DM through the delivery queue; this is the public copy.
        """
        channel_id = self.app.settings.discord_announcement_channel_id
        if not is_number(channel_id) or self.app.storage is None:
            return True
        from scheduler.jobs import broadcast_message
        from storage.broadcasts import text_for
        from storage.models import Broadcast

        async with self.app.storage.unit_of_work() as uow:
            broadcast = await uow.session.get(Broadcast, broadcast_id)
            if broadcast is None or (broadcast.audience or {}).get("platform") not in (None, "discord"):
                return True
            language = broadcast.default_language
            text = text_for(broadcast, language)
        with use_locale(language):
            reply = Reply(broadcast_message(text), lang=language)
        channel = self.client.get_channel(int(channel_id)) or await self.client.fetch_channel(int(channel_id))
        if not isinstance(channel, discord.abc.Messageable):
            log.error("discord: announcement channel %s cannot take messages", channel_id)
            return False
        for message in render(reply).messages():
            await channel.send(**message, allowed_mentions=NO_MENTIONS)
        return True

    # -- interactions ---------------------------------------------------------------------------------------------

    def event_for(
        self, interaction: discord.Interaction[Any], *, text: str = "", action: Action | None = None
    ) -> Event:
        user = interaction.user
        # Role ids straight from the interaction's member payload, which discord.py keeps only in Member._roles:
        # the public Member.roles looks each id up in the guild cache and drops those it lacks (every one, until
        # the guild has arrived after a connect), which would refuse staff their commands.
        roles = frozenset(str(role_id) for role_id in getattr(user, "_roles", ())) if interaction.guild_id else None
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
            roles=roles or frozenset(),
            event_id=str(interaction.id),
        )

    async def on_command(self, interaction: discord.Interaction[Any], route: Route, text: str) -> None:
        event = self.event_for(interaction, text=f"/{route.name} {text}".strip())
        async with self.order.turn(interaction, lambda: self._defer(interaction, component=False)):
            replies = await self._dispatch(interaction, event, component=False)
            await self._answer(interaction, replies, component=False, hidden=route.staff)

    async def on_action(self, interaction: discord.Interaction[Any], action: Action) -> None:
        if action.name not in self.app.router.actions:
            await self.refuse(interaction)
            return
        async with self.order.turn(interaction, lambda: self._defer(interaction, component=True)):
            replies = await self._dispatch(interaction, self.event_for(interaction, action=action), component=True)
            await self._answer(interaction, replies, component=True, hidden=True)

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
        custom_id = str(data.get("custom_id", ""))
        if not self._dynamic_item_takes(interaction, custom_id, data.get("component_type")):
            await self.refuse(interaction)

    @staticmethod
    def _dynamic_item_takes(interaction: discord.Interaction[Any], custom_id: str, pressed_type: object) -> bool:
        # Mirrors discord.py's dispatch of dynamic items: a template must match, and the message must hold a
        # component with that id *of the pressed type* (a select's payload against a button's id, say, is dropped
        # without a word, and Discord would show "interaction failed").
        if not any(
            re.fullmatch(template, custom_id) for template in (BUTTON_TEMPLATE, SELECT_TEMPLATE, ANSWER_TEMPLATE)
        ):
            return False
        message = interaction.message
        if message is None:
            return False
        return any(
            getattr(component, "custom_id", None) == custom_id and int(component.type.value) == pressed_type
            for row in message.components
            for component in getattr(row, "children", [row])
        )

    async def language(self, interaction: discord.Interaction[Any]) -> str:
        """The presser's language for a notice the door writes itself: the one they chose with /language, else
        their Discord locale (Discord has no Arabic locale, so an Arabic speaker's says something else)."""
        event = self.event_for(interaction)
        try:
            return await self.app.dispatcher.language_for(event)
        except Exception:
            # A notice in the Discord locale beats none: without an answer Discord shows "interaction failed".
            log.warning("discord: stored language not readable, using the Discord locale", exc_info=True)
            return normalize_language(event.locale_hint) or self.settings.default_language

    async def refuse(self, interaction: discord.Interaction[Any]) -> None:
        lang = await self.language(interaction)
        with use_locale(lang):
            text = _("That button is not valid (any more), so nothing was changed. Send /start for the menu.")
        [message] = render(Reply(text, lang=lang)).messages()
        await self._send(interaction, message, ephemeral=True)

    async def _dispatch(self, interaction: discord.Interaction[Any], event: Event, *, component: bool) -> list[Reply]:
        task = asyncio.ensure_future(self.app.dispatcher.dispatch(event))
        done, _pending = await asyncio.wait({task}, timeout=self.ack_after)
        if not done:
            await self._defer(interaction, component=component)
        return await task

    async def _defer(self, interaction: discord.Interaction[Any], *, component: bool) -> None:
        if interaction.response.is_done():
            return
        if component:
            await interaction.response.defer()
        else:
            # Hidden while we do not know what comes: a personal reply must never appear in the channel.
            await interaction.response.defer(ephemeral=interaction.guild_id is not None, thinking=True)

    async def _answer(
        self, interaction: discord.Interaction[Any], replies: list[Reply], *, component: bool, hidden: bool
    ) -> None:
        in_server = interaction.guild_id is not None
        may_edit = component and self._may_edit(interaction)
        first = True
        for reply in replies:
            shown = reply
            if in_server and reply.personal and reply.files:
                await self._defer(interaction, component=component)
                shown = await self._deliver_by_dm(interaction, reply)
            ephemeral = in_server and (hidden or shown.personal)
            for message in render(shown).messages():
                if first and may_edit and reply.edit:
                    await self._edit(interaction, message)
                else:
                    await self._send(interaction, message, ephemeral=ephemeral)
                first = False

    @staticmethod
    def _may_edit(interaction: discord.Interaction[Any]) -> bool:
        """Only a message the presser alone sees or started may change; others' messages stay as they were."""
        message = interaction.message
        if message is None:
            return False
        if interaction.guild_id is None or message.flags.ephemeral:
            return True
        meta = message.interaction_metadata
        return meta is not None and meta.user.id == interaction.user.id

    async def _send(self, interaction: discord.Interaction[Any], message: dict[str, Any], *, ephemeral: bool) -> None:
        if not interaction.response.is_done():
            await interaction.response.send_message(**message, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(**message, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)

    async def _edit(self, interaction: discord.Interaction[Any], message: dict[str, Any]) -> None:
        fields: dict[str, Any] = {"content": message["content"], "view": message.get("view")}
        if message.get("files"):
            fields["attachments"] = message["files"]
        if not interaction.response.is_done():
            await interaction.response.edit_message(**fields, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.edit_original_response(**fields, allowed_mentions=NO_MENTIONS)

    async def _deliver_by_dm(self, interaction: discord.Interaction[Any], reply: Reply) -> Reply:
        """The reply to show in the channel: a pointer to the DM, or the reply itself when DMs are closed."""
        outcome = await self.messenger.send(str(interaction.user.id), reply)
        if outcome.status in ("sent", "unreachable"):
            # Shown the reply here with a note when the DM fails: they have been told why.
            await self.app.dispatcher.record_reachability(
                "discord", str(interaction.user.id), reachable=outcome.status == "sent", told=True
            )
        with use_locale(reply.lang or self.settings.default_language):
            if outcome.status == "sent":
                return Reply(_("I sent it to you as a direct message."), personal=True, lang=reply.lang)
            note = _("I could not send you a direct message, so here it is; only you can see it.")
        return Reply(f"{note}\n\n{reply.text}", files=reply.files, personal=True, lang=reply.lang)
