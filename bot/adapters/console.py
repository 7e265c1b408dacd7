"""The terminal door: typed lines become events; buttons are numbered options such as `[1] Workshops`."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.core.actions import CHOOSE_LANGUAGE, Action, act
from bot.core.events import Event
from bot.core.replies import Button, Reply, to_plain
from bot.core.text import is_number
from bot.i18n import _, use_locale

log = logging.getLogger(__name__)


class ConsoleChat:
    def __init__(self, app: App, *, user: str, out: TextIO = sys.stdout) -> None:
        self.app = app
        self.user = user
        self.out = out
        self.options: list[Button] = []
        self.lang = app.settings.default_language
        self._turn = 0
        self.downloads = app.settings.data_dir / "downloads" / user

    def _event(self, *, text: str = "", action: Action | None = None) -> Event:
        self._turn += 1
        return Event(
            platform="console",
            user_id=self.user,
            chat_id=self.user,
            display_name=self.user,
            text=text,
            action=action,
            # The language the console is talking in: what a platform's own language setting is elsewhere, so a
            # reply that cannot read the person's choice (the database is locked) still comes in it.
            locale_hint=self.lang,
            event_id=f"console-{self._turn}",
        )

    def _pick(self, line: str) -> Button | str | None:
        """The button a line presses: its number or its label. A number that is no option is an error text."""
        stripped = line.strip()
        if is_number(stripped):
            index = int(stripped)
            if 1 <= index <= len(self.options):
                return self.options[index - 1]
            with use_locale(self.lang):
                if not self.options:
                    return _("There are no options to choose from right now. Type a question or /help.")
                return _("There is no option {number}. Choose a number from 1 to {last}.").format(
                    number=stripped[:12], last=len(self.options)
                )
        folded = stripped.casefold()
        return next((b for b in self.options if b.label.casefold() == folded), None)

    async def handle_line(self, line: str) -> None:
        picked = self._pick(line)
        if isinstance(picked, str):
            self.write(picked)
            return
        if picked is not None and picked.url and picked.action is None:
            self.write(picked.url)
            return
        event = self._event(action=picked.action) if picked is not None else self._event(text=line.rstrip("\n"))
        replies = await self.app.dispatcher.dispatch(event)
        self.render(replies)
        await self.show_notices()

    async def choose_language(self, code: str) -> None:
        replies = await self.app.dispatcher.dispatch(self._event(action=act(CHOOSE_LANGUAGE, code.strip().lower())))
        # The confirmation is noise when the language came from a flag; an error is not.
        if replies and replies[0].buttons and not replies[0].edit:
            self.render(replies)
        elif replies:
            self.lang = replies[0].lang or self.lang

    async def show_notices(self) -> None:
        """Messages other events left for this person (a waiting-list promotion, a staff answer...).

        A database fault here (locked, read-only, gone) must not end the chat: the notices stay in the outbox,
        unmarked, and are shown after a later line.
        """
        from sqlalchemy.exc import SQLAlchemyError

        try:
            await self._show_notices()
        except (SQLAlchemyError, OSError) as exc:
            # The class only: the message of a database error can quote the statement and its parameters.
            log.warning("console notices not shown for now: %s", type(exc).__name__)

    async def _show_notices(self) -> None:
        storage = self.app.storage
        if storage is None:
            return
        from bot.services.outbox import take_waiting

        async with storage.unit_of_work() as uow:
            notices = await take_waiting(uow, "console", self.user, self.app.dispatcher.clock())
        # Shown only once marked: a fault before the commit leaves them pending, to be shown once, later.
        for notice in notices:
            self.render([notice], notice=True)

    def render(self, replies: list[Reply], *, notice: bool = False) -> None:
        options: list[Button] = []
        for reply in replies:
            if reply.lang:
                self.lang = reply.lang
            prefix = "📬 " if notice else ""
            self.write(prefix + to_plain(reply.text))
            for attachment in reply.files:
                path = self._save(attachment.filename, attachment.data)
                self.write(f"📎 {attachment.filename}: {path}")
            rows = []
            for row in reply.buttons:
                cells = []
                for button in row:
                    options.append(button)
                    cells.append(f"[{len(options)}] {button.label}")
                rows.append("  ".join(cells))
            if rows:
                self.write("\n".join(rows))
        if options or not notice:
            self.options = options

    def _save(self, filename: str, data: bytes) -> Path:
        self.downloads.mkdir(parents=True, exist_ok=True)
        path = self.downloads / Path(filename).name
        path.write_bytes(data)
        return path

    def write(self, text: str) -> None:
        self.out.write(text + "\n\n")
        self.out.flush()


async def run_console(app: App, *, user: str, lang: str | None, read: Callable[[], str] | None = None) -> None:
    chat = ConsoleChat(app, user=user)
    interactive = sys.stdin.isatty()
    if lang:
        await chat.choose_language(lang)
    if interactive:
        await chat.handle_line("/start")
    reader = read or sys.stdin.readline
    while True:
        if interactive:
            chat.out.write("> ")
            chat.out.flush()
        line = await asyncio.to_thread(reader)
        if line == "":
            break
        if interactive and line.strip() in ("/quit", "/exit"):
            break
        await chat.handle_line(line)
