"""What an adapter hands to the core: a small, platform-neutral event."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.actions import Action


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a person did: typed a line, or pressed a button.

    `user_id` is the platform's own id for the person (the console uses the chosen name); `chat_id` is where a
    reply goes. `locale_hint` is the platform's idea of the person's language (Telegram's `language_code`,
    Discord's locale); the person's own choice always wins over it.
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
