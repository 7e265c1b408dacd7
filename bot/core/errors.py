"""Errors a handler raises to refuse politely: the message is already translated for the user."""

from __future__ import annotations

from bot.core.replies import Button, Reply


class UserError(Exception):
    """Bad input or a refused action: the transaction is rolled back and the user sees `message`."""

    def __init__(self, message: str, buttons: list[list[Button]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.buttons = buttons or []

    def reply(self) -> Reply:
        return Reply(self.message, buttons=self.buttons)


class StorageUnavailable(RuntimeError):
    """The command needs the database, and this process runs without one (e.g. `wego-bot ask`)."""
