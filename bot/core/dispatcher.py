"""One dispatcher for every platform: an event in, replies out, in one short transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot import metrics
from bot.content import Content
from bot.core import people
from bot.core.actions import RUN_COMMAND, SHOW_MENU, UNREACHABLE_NOTICE, act
from bot.core.context import Context
from bot.core.errors import StorageUnavailable, UserError
from bot.core.events import Event
from bot.core.participant import Participant
from bot.core.replies import Button, Reply
from bot.core.router import HandlerResult, Route, Router, parse_command
from bot.core.text import MAX_TEXT, clean_text
from bot.i18n import _, current_locale, normalize_language, set_locale, use_locale
from bot.services.dbfaults import LOCK_RETRIES, TRANSIENT, backoff, db_problem
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)

# The language this event's person is spoken to in: the platform's hint, then their own once it is read.
_SPEAKING: ContextVar[str] = ContextVar("speaking", default="en")

# Kept under its old name for the web pages and the tests that call it.
_db_problem = db_problem


def utcnow() -> datetime:
    return datetime.now(UTC)


def _as_list(result: HandlerResult) -> list[Reply]:
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


class Dispatcher:
    def __init__(
        self,
        *,
        router: Router,
        settings: Settings,
        content: Content,
        storage: UnitsOfWork | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.router = router
        self.settings = settings
        self.content = content
        self.storage = storage
        self.clock = clock

    async def dispatch(self, event: Event) -> list[Reply]:
        hint = normalize_language(event.locale_hint) or self.settings.default_language
        token = _SPEAKING.set(hint)
        try:
            # Cleaned once, here, for the metrics' route label and the answer alike (a text too long is never read).
            text = clean_text(event.text) if len(event.text) <= MAX_TEXT else ""
            with metrics.observe_update(event, self.router, text), use_locale(hint):
                return self._labelled(await self._answer(event, text))
        finally:
            _SPEAKING.reset(token)

    @staticmethod
    def _labelled(replies: list[Reply]) -> list[Reply]:
        # Every reply, refusals and error notices included, says its language: adapters lay out right-to-left
        # text by it.
        lang = current_locale()
        for reply in replies:
            reply.lang = reply.lang or lang
        return replies

    async def _answer(self, event: Event, text: str) -> list[Reply]:
        """`text`: the event's text, cleaned (`clean_text`)."""
        if len(event.text) > MAX_TEXT:
            return [
                Reply(
                    _(
                        "That message is too long for me ({count} characters). Please keep it under {limit} characters."
                    ).format(count=len(event.text), limit=MAX_TEXT)
                )
            ]
        if event.action is not None and event.action.name not in self.router.actions:
            return await self._unknown_button(event)
        for attempt in range(LOCK_RETRIES):
            try:
                return await self._dispatch_once(event, text)
            except UserError as refusal:
                return [refusal.reply()]
            except StorageUnavailable:
                return [
                    Reply(
                        _(
                            "That needs the assistant's database, which this command runs without. "
                            "Try it in the chat (wego-bot chat)."
                        )
                    )
                ]
            except Exception as exc:
                # Whatever the handler switched to was rolled back with it (a /language that could not be saved):
                # the trouble is told in the language the person was spoken to in.
                set_locale(_SPEAKING.get())
                problem = db_problem(exc)
                metrics.update_failed(problem)
                transient = problem in TRANSIENT
                if transient and attempt < LOCK_RETRIES - 1:
                    await asyncio.sleep(backoff(attempt))
                    continue
                if transient:
                    log.warning(
                        "database %s for event %s after %d tries: %s",
                        problem,
                        event.event_id,
                        LOCK_RETRIES,
                        type(getattr(exc, "orig", exc)).__name__,
                    )
                    return [
                        Reply(
                            _("The assistant is busy right now and nothing was changed. Please try again in a moment.")
                        )
                    ]
                if problem == "readonly":
                    log.error("database is read-only; event %s not saved", event.event_id)
                    return [
                        Reply(
                            _(
                                "I can't save anything right now (the database is read-only), so "
                                "nothing was changed. The team has been told."
                            )
                        )
                    ]
                if problem == "full":
                    log.error("database or disk is full; event %s not saved", event.event_id)
                    return [
                        Reply(
                            _(
                                "I can't save anything right now (the server's disk is full), so nothing was "
                                "changed. The team has been told; please try again later."
                            )
                        )
                    ]
                log.exception("handler failed for event %s on %s", event.event_id, event.platform)
                return [Reply(_("Sorry, something went wrong on my side and nothing was changed. Please try again."))]
        raise AssertionError("unreachable")

    async def _dispatch_once(self, event: Event, text: str) -> list[Reply]:
        if self.storage is None:
            return await self._run(self._context(event, people.transient(event, self.settings), None), text)
        uow = self.storage.unit_of_work(short=True)
        async with uow:
            ctx = self._context(event, await people.participant(uow, event, self.settings, self.clock()), uow)
            await people.noted(uow)
            replies = await self._run(ctx, text)
            if ctx.user.unreachable_notice_due and not event.private:
                replies += await self._unreachable_notice(ctx)
            await people.seen(uow)
        return replies

    def _context(self, event: Event, user: Participant, uow: UnitOfWork | None) -> Context:
        set_locale(user.locale)
        _SPEAKING.set(user.locale)
        return Context(
            event=event,
            user=user,
            settings=self.settings,
            content=self.content,
            router=self.router,
            clock=self.clock,
            uow=uow,
        )

    async def _run(self, ctx: Context, text: str) -> list[Reply]:
        event = ctx.event
        if event.action is not None:
            route = self.router.actions.get(event.action.name)
            if route is None:
                return [self._stale_button()]
            ctx.args = event.action.args
            return await self._call(route, ctx)
        if not text:
            return [Reply(_("I didn't catch anything there. Send me a question, or /help for what I can do."))]
        command = parse_command(text)
        if command is not None:
            name, rest = command
            route = self.router.commands.get(name)
            if route is None:
                # A mistyped command ("/lecture") gets the nearest one the person may use. Imported here to keep
                # this change inside this branch (the rest of the file is edited in parallel).
                import difflib

                visible = [r.name for r in self.router.visible_commands(staff=ctx.is_staff)]
                nearest = difflib.get_close_matches(name[:40], visible, n=1, cutoff=0.75)
                if nearest:
                    return [
                        Reply(
                            _("I don't know the command /{name}. Did you mean /{suggestion}?").format(
                                name=name[:40], suggestion=nearest[0]
                            ),
                            buttons=[[Button("/" + nearest[0], act(RUN_COMMAND, nearest[0]))]],
                        )
                    ]
                return [
                    Reply(
                        _("I don't know the command /{name}. Send /help to see what I can do.").format(name=name[:40])
                    )
                ]
            ctx.text = rest
            return await self._call(route, ctx)
        ctx.text = text
        for handler in self.router.text_handlers:
            replies = _as_list(await handler(ctx))
            if replies:
                return replies
        return [Reply(_("I don't know that yet. Send /help to see what I can do."))]

    async def _unreachable_notice(self, ctx: Context) -> list[Reply]:
        """Told once, where only they see it: why notices (answers, offers, reminders) do not reach them."""
        from bot.services.reachability import notice_given

        route = self.router.actions.get(UNREACHABLE_NOTICE)
        if route is None or ctx.user.account_id is None:
            return []
        ctx.args = ()
        replies = _as_list(await route.handler(ctx))
        await notice_given(ctx.unit_of_work, ctx.user.account_id)
        return replies

    async def _call(self, route: Route, ctx: Context) -> list[Reply]:
        if route.staff and not ctx.is_staff:
            return [Reply(_("That is only for the program staff."))]
        return _as_list(await route.handler(ctx))

    async def _unknown_button(self, event: Event) -> list[Reply]:
        """A press of a button no handler takes (an old message, or forged): answered in the person's language,
        before anything is stored, so a stranger's forged press leaves no row behind. The one check for every
        door: adapters only refuse what they cannot even decode."""
        language = await self.notice_language(event)
        with use_locale(language):
            reply = self._stale_button()
        reply.lang = language
        return [reply]

    def _stale_button(self) -> Reply:
        return Reply(
            _("That button is no longer valid. Here is the menu again."),
            buttons=[[Button(_("Main menu"), act(SHOW_MENU))]],
        )

    async def language_for(self, event: Event) -> str:
        """The language this person's replies are written in, for a notice an adapter writes itself (a refused
        button). Read only: an unknown person gets no row, and nothing they send is stored."""
        return await people.language_for(self.storage, event, self.settings.default_language)

    async def notice_language(self, event: Event) -> str:
        """`language_for`, or the platform's hint when the database cannot say: a notice in the platform's
        language beats none (without an answer Discord shows "interaction failed")."""
        try:
            return await self.language_for(event)
        except Exception:
            log.warning("stored language not readable, using the platform's", exc_info=True)
            return normalize_language(event.locale_hint) or self.settings.default_language
