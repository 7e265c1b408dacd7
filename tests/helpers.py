"""Drive the real dispatcher like a person would: type lines, press buttons by label, read replies."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.app import App
from bot.core.actions import Action
from bot.core.events import Event
from bot.core.replies import Button, Reply, buttons_in, to_plain


@dataclass
class ChatDriver:
    app: App
    user_id: str = "alice"
    platform: str = "console"
    locale_hint: str | None = None
    display_name: str = ""
    roles: frozenset[str] = frozenset()
    last: list[Reply] = field(default_factory=list)

    async def send(self, text: str) -> list[Reply]:
        return await self._dispatch(
            Event(
                platform=self.platform,
                user_id=self.user_id,
                chat_id=self.user_id,
                text=text,
                display_name=self.display_name or self.user_id,
                locale_hint=self.locale_hint,
                roles=self.roles,
            )
        )

    async def press_action(self, action: Action) -> list[Reply]:
        return await self._dispatch(
            Event(
                platform=self.platform,
                user_id=self.user_id,
                chat_id=self.user_id,
                action=action,
                display_name=self.display_name or self.user_id,
                locale_hint=self.locale_hint,
                roles=self.roles,
            )
        )

    async def press(self, label: str) -> list[Reply]:
        """Press the button whose label is `label` (or starts with it) in the last replies."""
        button = self.button(label)
        assert button.action is not None, f"button {label!r} is a link"
        return await self.press_action(button.action)

    def button(self, label: str) -> Button:
        candidates = buttons_in(self.last)
        for button in candidates:
            if button.label == label:
                return button
        for button in candidates:
            if button.label.startswith(label):
                return button
        raise AssertionError(f"no button {label!r} in {[b.label for b in candidates]}")

    @property
    def text(self) -> str:
        """All the last replies' text, as plain text."""
        return "\n".join(to_plain(reply.text) for reply in self.last)

    async def _dispatch(self, event: Event) -> list[Reply]:
        self.last = await self.app.dispatcher.dispatch(event)
        return self.last


async def user_id_of(app: App, name: str, platform: str = "console") -> int:
    """The participant id behind a chat name (the driver must have sent something first)."""
    from storage.users import UserRepository

    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        account = await UserRepository(uow.session).account(platform, name)
        assert account is not None, f"{platform}:{name} has not talked to the bot"
        return account.user_id
