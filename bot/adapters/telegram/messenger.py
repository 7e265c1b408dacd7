"""The Messenger port on Telegram: one send attempt, its failure told apart, never slept on or retried here.

The delivery worker owns retries and rate limits; this class only says what one attempt came to.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from telegram import Bot, InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.adapters.telegram.render import caption, render
from bot.core.ports import SendOutcome
from bot.core.replies import Attachment, Reply, esc
from bot.core.text import is_number
from bot.i18n import _, current_locale, use_locale

if TYPE_CHECKING:
    from bot.adapters.telegram.staff import TelegramStaffInbox
    from bot.settings import Settings

log = logging.getLogger(__name__)

# Replies link to program pages a lot; a preview card under every such message would bury the text.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# 400s that mean the person is gone rather than that the message is wrong.
_GONE = ("chat not found", "user not found", "peer_id_invalid", "user is deactivated")


def chat_ref(chat_id: str) -> int | str:
    """Telegram chat ids are integers (negative for groups); `@channel` names stay strings."""
    stripped = chat_id.strip()
    digits = stripped[1:] if stripped.startswith("-") else stripped
    return int(stripped) if is_number(digits) else stripped


def retry_seconds(exc: RetryAfter) -> float:
    # The public attribute warns about its coming type change; the timedelta behind it is stable.
    delay = getattr(exc, "_retry_after", None)
    if delay is not None and hasattr(delay, "total_seconds"):
        return float(delay.total_seconds())
    return float(str(exc.retry_after)) if isinstance(exc.retry_after, int | float) else 1.0


def outcome_of(exc: TelegramError) -> SendOutcome:
    """What a Telegram failure means for the caller. Subclasses first: BadRequest and TimedOut are NetworkErrors."""
    message = str(exc)
    if isinstance(exc, RetryAfter):
        return SendOutcome("retry", retry_after=retry_seconds(exc), error=message)
    if isinstance(exc, Forbidden):
        return SendOutcome("unreachable", error=message)
    if isinstance(exc, BadRequest):
        if any(marker in message.lower() for marker in _GONE):
            return SendOutcome("unreachable", error=message)
        return SendOutcome("failed", error=message)
    if isinstance(exc, TimedOut | NetworkError):
        return SendOutcome("retry", error=message)
    if isinstance(exc, ChatMigrated):
        return SendOutcome("failed", error=f"group moved to chat {exc.new_chat_id}")
    # InvalidToken, Conflict, unreadable answers: a configuration problem that retrying will not mend.
    return SendOutcome("failed", error=message)


# Runs one Bot API call: `wrap(lambda: bot.send_message(...))`. A retrying wrapper retries just that call.
CallWrapper = Callable[[Callable[[], Awaitable[Message]]], Awaitable[Message]]


async def once(call: Callable[[], Awaitable[Message]]) -> Message:
    return await call()


async def send_reply(
    bot: Bot, chat_id: int | str, reply: Reply, *, wrap: CallWrapper = once, **extra: Any
) -> list[Message]:
    """Send a reply's text parts (keyboard under the last) and then its files; raises TelegramError.

    Each Bot API call goes through `wrap` on its own, so a retry never sends a part that already went out
    (the delivery worker, which retries whole rows itself, keeps the default: one try).
    """
    rendered = render(reply)
    sent: list[Message] = []
    for index, part in enumerate(rendered.parts):
        last = index == len(rendered.parts) - 1
        sent.append(
            await wrap(
                partial(
                    bot.send_message,
                    chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=rendered.markup if last else None,
                    link_preview_options=NO_PREVIEW,
                    **extra,
                )
            )
        )
    if not rendered.parts and rendered.markup is not None:
        # Buttons need a message to hang from; an empty text is refused by Telegram.
        sent.append(await wrap(partial(bot.send_message, chat_id, "⬇️", reply_markup=rendered.markup, **extra)))
    for attachment in reply.files:
        try:
            sent.append(await wrap(partial(send_file, bot, chat_id, attachment, **extra)))
        except Forbidden:
            raise
        except TelegramError as exc:
            # The text is already out: a file the server refuses (too big, or a Bot API server without
            # sendDocument, such as an emulator) must not turn the whole answer into an error, nor, through a
            # retry, into a second copy of the text. Say plainly that the file is missing instead.
            log.warning("telegram file %s not sent: %s", attachment.filename, exc)
            notice = file_missing_notice(attachment, reply.lang)
            # HTML like every reply: the file name in it is escaped.
            sent.append(await wrap(partial(bot.send_message, chat_id, notice, parse_mode=ParseMode.HTML, **extra)))
    return sent


def file_missing_notice(attachment: Attachment, lang: str) -> str:
    with use_locale(lang or current_locale()):
        return _("I could not attach the file {name} here, sorry.").format(name=esc(attachment.filename))


async def send_file(bot: Bot, chat_id: int | str, attachment: Attachment, **extra: Any) -> Message:
    return await bot.send_document(
        chat_id,
        InputFile(attachment.data, filename=attachment.filename),
        caption=caption(attachment.caption) or None,
        **extra,
    )


async def attempt(call: Callable[[], Awaitable[object]]) -> SendOutcome:
    try:
        await call()
    except TelegramError as exc:
        outcome = outcome_of(exc)
        log.info("telegram send: %s (%s)", outcome.status, outcome.error)
        return outcome
    return SendOutcome("sent")


class TelegramMessenger:
    platform = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        return await attempt(lambda: send_reply(self.bot, chat_ref(chat_id), reply))


async def open_send_only(settings: Settings) -> tuple[TelegramMessenger, TelegramStaffInbox | None, Bot]:
    """A messenger (and the staff chat) for a process that sends to Telegram without receiving its updates (the
    clock leader beside a separate webhook worker); `await bot.shutdown()` when done."""
    from bot.adapters.telegram.http import AiohttpRequest
    from bot.adapters.telegram.staff import TelegramStaffInbox

    bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_base_url, request=AiohttpRequest())
    await bot.initialize()
    staff = settings.telegram_staff_chat_id.strip()
    inbox = TelegramStaffInbox(bot, staff, settings.default_language) if staff else None
    return TelegramMessenger(bot), inbox, bot
