"""Telegram updates → what the core should see: a neutral Event, a notice to give, or nothing at all.

Pure functions of the update and the bot's username, so recorded updates can be checked without a network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from telegram import Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.core.actions import Action, ActionError
from bot.core.events import Event

PLATFORM = "telegram"

Kind = Literal["event", "bad_button", "media", "reachability", "ignore"]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update, classified.

    - event: dispatch `event`; `callback_id`/`message_id` are set for a button press;
    - bad_button: forged, stale or malformed callback data: answer `callback_id` with a notice, change nothing;
    - media: a sticker, photo, voice note... in a private chat: tell the person politely that text is needed;
    - reachability: the person blocked (`reachable` False) or unblocked the bot in the private chat;
    - ignore: not meant for the bot (group chatter, channel posts, edits, service messages).
    """

    kind: Kind
    event: Event | None = None
    user_id: str = ""
    chat_id: str = ""
    locale_hint: str | None = None
    callback_id: str | None = None
    message_id: int | None = None
    # The command a text event runs, so that a personal answer in a group can deep-link to the same command.
    command: str | None = None
    # The bot's own message that a text (not a command) replies to: in the staff group, a reply to a posted
    # question is staff's answer to it.
    replied_to: int | None = None
    reachable: bool = True

    @property
    def is_button(self) -> bool:
        return self.callback_id is not None


IGNORE = Incoming("ignore")
_COMMAND_HEAD = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)")


def incoming(update: Update, bot_username: str) -> Incoming:
    if update.callback_query is not None:
        return _button(update)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != ChatType.PRIVATE:
            return IGNORE
        status = member.new_chat_member.status
        return Incoming(
            "reachability",
            user_id=str(member.from_user.id),
            chat_id=str(member.chat.id),
            reachable=status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT),
        )
    # Edited messages would run a command twice; channel posts have no person to answer.
    if update.message is None:
        return IGNORE
    return _message(update.update_id, update.message, bot_username)


def _button(update: Update) -> Incoming:
    query = update.callback_query
    assert query is not None
    person = query.from_user
    message = query.message
    # A button under an inline-mode message has no chat we can see; answer the person in private.
    chat_id = str(message.chat.id) if message is not None else str(person.id)
    private = message is None or message.chat.type == ChatType.PRIVATE
    base = Incoming(
        "bad_button",
        user_id=str(person.id),
        chat_id=chat_id,
        locale_hint=person.language_code,
        callback_id=query.id,
        message_id=message.message_id if message is not None else None,
    )
    try:
        action = Action.decode(query.data or "")
    except ActionError:
        return base
    event = Event(
        platform=PLATFORM,
        user_id=str(person.id),
        chat_id=chat_id,
        action=action,
        display_name=person.full_name,
        locale_hint=person.language_code,
        private=private,
        event_id=str(update.update_id),
    )
    return Incoming(
        "event",
        event=event,
        user_id=base.user_id,
        chat_id=chat_id,
        locale_hint=base.locale_hint,
        callback_id=base.callback_id,
        message_id=base.message_id,
    )


def _message(update_id: int, message: Message, bot_username: str) -> Incoming:
    person = message.from_user
    # Anonymous group admins and linked channels speak as a chat: no person to answer or to remember.
    if person is None or person.is_bot or message.sender_chat is not None:
        return IGNORE
    private = message.chat.type == ChatType.PRIVATE
    text = message.text
    if text is None:
        if private and _is_media(message):
            return Incoming(
                "media", user_id=str(person.id), chat_id=str(message.chat.id), locale_hint=person.language_code
            )
        return IGNORE
    command: str | None = None
    head = _COMMAND_HEAD.match(text)
    if head is not None:
        name, addressee = head.groups()
        if addressee is not None and addressee.lower() != bot_username.lower():
            return IGNORE  # `/help@otherbot` in a group is for another bot
        command = name.lower()
        # Keep the core's view simple: `/start@wego_bot ws_1` is `/start ws_1`.
        text = f"/{name}{text[head.end() :]}"
    elif not private:
        text_or_none = _addressed(message, text, bot_username)
        if text_or_none is None:
            return IGNORE
        text = text_or_none
    replied = message.reply_to_message
    replied_to = (
        replied.message_id if command is None and replied is not None and _from_bot(replied, bot_username) else None
    )
    event = Event(
        platform=PLATFORM,
        user_id=str(person.id),
        chat_id=str(message.chat.id),
        text=text,
        display_name=person.full_name,
        locale_hint=person.language_code,
        private=private,
        event_id=str(update_id),
    )
    return Incoming(
        "event",
        event=event,
        user_id=event.user_id,
        chat_id=event.chat_id,
        locale_hint=person.language_code,
        command=command,
        replied_to=replied_to,
    )


def _from_bot(message: Message, bot_username: str) -> bool:
    author = message.from_user
    return bool(bot_username) and author is not None and author.username == bot_username


def _addressed(message: Message, text: str, bot_username: str) -> str | None:
    """The text of a group message meant for the bot (a mention or a reply to it), without the mention."""
    mention = f"@{bot_username}"
    replied = message.reply_to_message
    to_bot = replied is not None and _from_bot(replied, bot_username)
    if bot_username and mention.lower() in text.lower():
        stripped = re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE)
        return " ".join(stripped.split())
    return text if to_bot else None


_MEDIA = (
    "sticker",
    "photo",
    "animation",
    "audio",
    "document",
    "video",
    "video_note",
    "voice",
    "contact",
    "location",
    "venue",
    "poll",
    "dice",
    "story",
)


def _is_media(message: Message) -> bool:
    return any(getattr(message, kind, None) for kind in _MEDIA)
