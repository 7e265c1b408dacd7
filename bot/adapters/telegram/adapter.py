"""Updates in, replies out: the Telegram adapter around the one dispatcher.

Button presses are always answered (Telegram shows a spinner until they are); an answer marked `edit` replaces
the pressed message; in a group the bot answers only commands and mentions, and a personal answer goes to the
person's private chat, the group seeing only a short notice with a button.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram.inbound import Incoming, incoming
from bot.adapters.telegram.messenger import NO_PREVIEW, chat_ref, outcome_of, send_reply
from bot.adapters.telegram.render import render
from bot.adapters.telegram.staff import forwarded_ref, is_chat
from bot.core.actions import DEEP_LINK_SEPARATOR, RUN_COMMAND, deep_link_payload
from bot.core.ordering import pause
from bot.core.replies import Button, Reply
from bot.i18n import _, normalize_language, use_locale
from bot.services.reachability import platform_reported
from bot.settings import LANGUAGES

if TYPE_CHECKING:
    from telegram import Bot

    from bot.app import App
    from bot.core.events import Event
    from bot.core.router import Router
    from bot.settings import Settings

log = logging.getLogger(__name__)

# Telegram's rules for a command menu entry.
_COMMAND_NAME_MAX = 32
_DESCRIPTION_MAX = 256


REPLY_ATTEMPTS = 4
# A flood wait longer than this is not waited out inline (the update would block the others): it is reported.
MAX_INLINE_WAIT_SECONDS = 30.0
T = TypeVar("T")


async def with_retries(send: Callable[[], Awaitable[T]]) -> T:
    """One Bot API call answering the person in front of us: wait out Telegram's flood limit, retry network
    errors with backoff. What is worth retrying is `outcome_of`'s call, the same as the delivery worker's:
    a refused message (BadRequest) or a blocked chat (Forbidden) is raised at once, trying again cannot help.

    Wrap single calls only (see `send_reply(wrap=...)`): retrying a multi-message step would repeat what went out.
    """
    for attempt in range(REPLY_ATTEMPTS):
        try:
            return await send()
        except TelegramError as exc:
            outcome = outcome_of(exc)
            if outcome.status != "retry" or attempt == REPLY_ATTEMPTS - 1:
                raise
            delay = outcome.retry_after if outcome.retry_after is not None else 0.5 * 2**attempt
            if delay > MAX_INLINE_WAIT_SECONDS:
                raise
        log.info("telegram reply retried in %.1fs (attempt %d)", delay, attempt + 1)
        # Only this chat waits: the running slot serves other chats meanwhile.
        await pause(delay)
    raise AssertionError("unreachable")


class TelegramAdapter:
    def __init__(self, app: App) -> None:
        self.app = app

    def _lang(self, hint: str | None) -> str:
        return normalize_language(hint) or self.app.settings.default_language

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = context.bot
        got = incoming(update, bot.username)
        if got.kind == "ignore":
            return
        if got.kind == "reachability":
            await platform_reported(self.app.storage, "telegram", got.user_id, reachable=got.reachable)
            return
        if got.kind == "bad_button":
            assert got.callback_id is not None
            with use_locale(self._lang(got.locale_hint)):
                notice = _("That button is no longer valid. Nothing was changed.")
            await bot.answer_callback_query(got.callback_id, text=notice)
            return
        if got.kind == "media":
            with use_locale(self._lang(got.locale_hint)):
                notice = _("I can only read text. Send me a question in words, or /help for what I can do.")
            await self._deliver(bot, got, [Reply(notice)])
            return
        event = got.event
        assert event is not None
        if got.replied_to is not None and is_chat(self.app.settings.telegram_staff_chat_id, got.chat_id):
            event = await self._as_staff_answer(event, got.replied_to)
        replies = await self.app.dispatcher.dispatch(event)
        if got.callback_id is not None:
            await self._answer_press(bot, got.callback_id)
        await self._deliver(bot, got, replies)

    async def _answer_press(self, bot: Bot, callback_id: str) -> None:
        """Stop the button's spinner. The action is already saved, so a refusal here (a press older than
        Telegram's answer window: "query is too old") must not cost the person the reply."""
        try:
            await bot.answer_callback_query(callback_id)
        except BadRequest as exc:
            log.info("telegram button press not answered: %s", exc)

    async def _as_staff_answer(self, event: Event, replied_to: int) -> Event:
        """A reply in the staff group to a posted question is `/answer <id> <text>`: the same path, the same
        staff check (anyone else is refused by the dispatcher), the same answer sent through the outbox."""
        storage = self.app.storage
        if storage is None:
            return event
        from bot.services import questions

        async with storage.unit_of_work() as uow:
            question_id = await questions.posted_as(uow, "telegram", forwarded_ref(event.chat_id, replied_to))
        if question_id is None:
            return event
        return replace(event, text=f"/answer {question_id} {event.text}")

    async def _deliver(self, bot: Bot, got: Incoming, replies: list[Reply]) -> None:
        private = got.event.private if got.event is not None else True
        chat = chat_ref(got.chat_id)
        try:
            for index, reply in enumerate(replies):
                if reply.personal and not private:
                    await self._move_to_private(bot, got, reply)
                elif not (reply.edit and index == 0 and await with_retries(partial(self._edit, bot, got, reply))):
                    await send_reply(bot, chat, reply, wrap=with_retries)
        except Forbidden as exc:
            # The person blocked the bot (or left the group) between writing and our answer.
            log.info("telegram chat %s unreachable: %s", got.chat_id, exc)
            if private:
                await platform_reported(self.app.storage, "telegram", got.user_id, reachable=False)

    async def _edit(self, bot: Bot, got: Incoming, reply: Reply) -> bool:
        """Replace the pressed message; False when it cannot be (no button press, files, too long, too old)."""
        if got.message_id is None or reply.files:
            return False
        rendered = render(reply)
        if len(rendered.parts) != 1:
            return False
        try:
            await bot.edit_message_text(
                rendered.parts[0],
                chat_id=chat_ref(got.chat_id),
                message_id=got.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=rendered.markup,
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as exc:
            # Pressing the same button twice edits to identical content; that is fine as it is.
            if "not modified" in str(exc).lower():
                return True
            log.info("telegram edit refused (%s); sending a new message", exc)
            return False
        return True

    async def _move_to_private(self, bot: Bot, got: Incoming, reply: Reply) -> None:
        username = bot.username
        link = f"https://t.me/{username}"
        try:
            await send_reply(bot, chat_ref(got.user_id), reply, wrap=with_retries)
            moved = True
        except (Forbidden, BadRequest):
            # Telegram lets a bot write first only to people who have started it.
            moved = False
            if got.command and DEEP_LINK_SEPARATOR not in got.command:
                link = f"{link}?start={deep_link_payload(RUN_COMMAND, got.command)}"
        with use_locale(reply.lang or self._lang(got.locale_hint)):
            text = (
                _("That answer is personal, so I sent it to you in our private chat.")
                if moved
                else _("That answer is personal, so I don't post it here. Open a private chat with me to see it.")
            )
            notice = Reply(text, buttons=[[Button(_("Open private chat"), url=link)]])
        await send_reply(bot, chat_ref(got.chat_id), notice, wrap=with_retries)


def command_menu(router: Router, lang: str, *, staff: bool) -> list[BotCommand]:
    """The commands Telegram lists in the menu, with the help text in `lang`."""
    commands = []
    with use_locale(lang):
        for route in router.visible_commands(staff=staff):
            if len(route.name) > _COMMAND_NAME_MAX or not route.name.isascii():
                continue
            description = _(route.help) if route.help else route.name
            commands.append(BotCommand(route.name, description[:_DESCRIPTION_MAX]))
    return commands


async def publish_commands(bot: Bot, router: Router, settings: Settings) -> None:
    """Fill Telegram's menu button in every language; staff ids also see the staff commands.

    A failure here (a Bot API server without setMyCommands, say) is logged and the bot runs on.
    """
    try:
        await bot.set_my_commands(command_menu(router, settings.default_language, staff=False))
        for lang in LANGUAGES:
            await bot.set_my_commands(command_menu(router, lang, staff=False), language_code=lang)
        # A chat scope outranks every language scope, so staff see their menu in the default language.
        for staff_id in settings.staff_telegram_ids:
            await bot.set_my_commands(
                command_menu(router, settings.default_language, staff=True),
                scope=BotCommandScopeChat(chat_ref(staff_id)),
            )
    except TelegramError as exc:
        log.warning("telegram command menu not published: %s", exc)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """PTB calls this once per failed update; the update id is enough to find it, the payload stays private."""
    update_id: Any = update.update_id if isinstance(update, Update) else None
    error = context.error
    log.error(
        "telegram update %s failed: %s: %s",
        update_id,
        type(error).__name__,
        error,
        exc_info=error if not isinstance(error, TelegramError) else None,
    )
