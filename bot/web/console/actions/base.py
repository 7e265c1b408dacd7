"""What every console call shares: refusals worded as the chat words them, in plain text; the unit of work; the
app's clock."""

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


def refused_text(html: str) -> Refused:
    """A refusal worded by the chat's own wording function (HTML) as the console shows it."""
    return Refused(to_plain(html))


def unit_of_work(app: App) -> Any:
    """One unit of work on the app's database (the services take it and commit nothing themselves)."""
    if app.storage is None:
        raise RuntimeError("the console needs the database")
    return app.storage.unit_of_work()


def clock_now(app: App) -> datetime:
    return app.dispatcher.clock()
