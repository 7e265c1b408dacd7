"""What an adapter hands to the core: a small, platform-neutral event."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.actions import Action


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a person did: typed a line, or pressed a button.

    `user_id` is the platform's own id for the person (the console uses the chosen name); `chat_id` is where a
    reply goes. `private_chat_id` is where messages for this person alone go later (notices, reminders), when the
    platform addresses them apart from the chat: a Discord DM is addressed by the user id, even from a server.
    Left None, it is the chat itself when the chat is private, and unknown otherwise (a Telegram group: Telegram
    lets a bot write first only to people who opened a private chat with it).
    `locale_hint` is the platform's idea of the person's language (Telegram's `language_code`, Discord's locale);
    the person's own choice always wins over it.
    """

    platform: str
    user_id: str
    chat_id: str
    text: str = ""
    action: Action | None = None
    display_name: str = ""
    locale_hint: str | None = None
    private: bool = True
    roles: frozenset[str] = field(default_factory=frozenset)
    event_id: str = ""
    private_chat_id: str | None = None

    @property
    def private_address(self) -> str:
        """Where a message for this person alone can go; "" when this event does not tell."""
        if self.private_chat_id is not None:
            return self.private_chat_id
        return self.chat_id if self.private else ""
