"""What every console call shares: refusals in plain text, the storage, the app's clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.app import App
from bot.core.errors import UserError
from bot.core.replies import to_plain


class Refused(Exception):
    """A refusal to show the staff member, already translated, in plain text."""


def refused_from(error: UserError) -> Refused:
    return Refused(to_plain(str(error.message)))


def storage_of(app: App) -> Any:
    if app.storage is None:
        raise RuntimeError("the console needs the database")
    return app.storage


def clock_now(app: App) -> datetime:
    return app.dispatcher.clock()
