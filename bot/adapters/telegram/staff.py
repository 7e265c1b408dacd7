"""The staff inbox on Telegram: questions for a human posted to the staff group, answered by replying to them.

A posted question is remembered as `<chat id>:<message id>` (Telegram message ids are unique only within one
chat), so a reply in the staff group can be matched with its question and nothing else can.
"""

from __future__ import annotations

from telegram import Bot

from bot.adapters.telegram.messenger import chat_ref, send_reply
from bot.core.replies import Reply
from bot.i18n import _, use_locale
from bot.staff_inbox import StaffQuestion


def forwarded_ref(chat_id: str | int, message_id: int) -> str:
    """How a posted question's message is stored in `questions.telegram_message_id`."""
    return f"{chat_ref(str(chat_id))}:{message_id}"


def is_chat(configured: str, chat_id: str) -> bool:
    """Whether `chat_id` is the configured chat (`-100…` ids and `@name`s compared as Telegram sees them)."""
    return bool(configured.strip()) and chat_ref(configured) == chat_ref(chat_id)


class TelegramStaffInbox:
    platform = "telegram"

    def __init__(self, bot: Bot, chat_id: str, language: str) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.language = language

    async def post(self, question: StaffQuestion, reply: Reply) -> str | None:
        """Post the question (already escaped and worded by `staff_message`) with the reply hint; raises
        TelegramError, which leaves the question for the next try."""
        with use_locale(self.language):
            hint = _("Or reply to this message with your answer.")
        sent = await send_reply(self.bot, chat_ref(self.chat_id), Reply(f"{reply.text}\n{hint}", lang=self.language))
        # A question is at most 1000 characters, so it is one message; a reply to it names that message.
        return forwarded_ref(self.chat_id, sent[0].message_id) if sent else None
