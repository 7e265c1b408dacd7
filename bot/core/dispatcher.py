"""One dispatcher for every platform: an event in, replies out, in one short transaction."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.content import Content
from bot.core.context import Context
from bot.core.errors import StorageUnavailable, UserError
from bot.core.events import Event
from bot.core.participant import Participant
from bot.core.replies import Button, Reply
from bot.core.router import HandlerResult, Route, Router, parse_command
from bot.core.staff import is_staff
from bot.core.text import MAX_TEXT, clean_text
from bot.i18n import _, current_locale, normalize_language, set_locale, use_locale
from bot.settings import Settings

if TYPE_CHECKING:
    from storage.uow import Storage, UnitOfWork

log = logging.getLogger(__name__)

LOCK_RETRIES = 4


def utcnow() -> datetime:
    return datetime.now(UTC)


def _as_list(result: HandlerResult) -> list[Reply]:
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


# PostgreSQL's SQLSTATE for "sorry, too many clients already" and "too many connections for role/database".
TOO_MANY_CONNECTIONS = "53300"


def _causes(exc: BaseException) -> list[BaseException]:
    """The error, the driver's error SQLAlchemy wraps, and what they were raised from."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        # __context__ too: a full SQLite rolls the whole transaction back itself, so the savepoint's rollback then
        # fails with "no such savepoint", raised while handling the "database or disk is full" that is the reason.
        pending.extend([getattr(current, "orig", None), current.__cause__, current.__context__])
    return found


def _db_problem(exc: BaseException) -> str | None:
    """What a person can be told about a database failure, else None.

    'locked' and 'busy' (no free connection on the server) pass: the event is retried. 'readonly' and 'full' (no
    disk space) last until someone acts: the person is asked to try later and nothing was changed."""
    causes = _causes(exc)
    errnos = {getattr(cause, "errno", None) for cause in causes if isinstance(cause, OSError)}
    message = " ".join(str(cause) for cause in causes).lower()
    if "locked" in message or "could not obtain lock" in message or "deadlock" in message:
        return "locked"
    sqlstates = {getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None) for cause in causes}
    if TOO_MANY_CONNECTIONS in sqlstates or "too many clients" in message or "too many connections" in message:
        return "busy"
    if errno.ENOSPC in errnos or "database or disk is full" in message or "no space left on device" in message:
        return "full"
    if errno.EROFS in errnos or "readonly" in message or "read-only" in message or "read only" in message:
        return "readonly"
    return None


class Dispatcher:
    def __init__(
        self,
        *,
        router: Router,
        settings: Settings,
        content: Content,
        storage: Storage | None = None,
        clock: Callable[[], datetime] = utcnow,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.router = router
        self.settings = settings
        self.content = content
        self.storage = storage
        self.clock = clock
        self.on_commit = on_commit

    async def dispatch(self, event: Event) -> list[Reply]:
        hint = normalize_language(event.locale_hint) or self.settings.default_language
        with use_locale(hint):
            replies = await self._answer(event)
            # Every reply, refusals and error notices included, says its language: adapters lay out
            # right-to-left text by it.
            lang = current_locale()
            for reply in replies:
                reply.lang = reply.lang or lang
            return replies

    async def _answer(self, event: Event) -> list[Reply]:
        if len(event.text) > MAX_TEXT:
            return [
                Reply(
                    _(
                        "That message is too long for me ({count} characters). Please keep it under {limit} characters."
                    ).format(count=len(event.text), limit=MAX_TEXT)
                )
            ]
        text = clean_text(event.text)
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
                problem = _db_problem(exc)
                transient = problem in ("locked", "busy")
                if transient and attempt < LOCK_RETRIES - 1:
                    await asyncio.sleep(0.2 * 2**attempt)
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
            return await self._run(self._context(event, self._transient_participant(event), None), text)
        uow = self.storage.unit_of_work()
        async with uow:
            ctx = self._context(event, await self._participant(uow, event), uow)
            replies = await self._run(ctx, text)
        if self.on_commit is not None:
            self.on_commit()
        return replies

    def _transient_participant(self, event: Event) -> Participant:
        locale = normalize_language(event.locale_hint) or self.settings.default_language
        return Participant(
            user_id=None,
            account_id=None,
            platform=event.platform,
            display_name=event.display_name,
            locale=locale,
            is_staff=is_staff(self.settings, event),
        )

    async def _participant(self, uow: UnitOfWork, event: Event) -> Participant:
        from storage.users import UserRepository, language_of

        user, account = await UserRepository(uow.session).get_or_create(
            event.platform,
            event.user_id,
            # Only a private chat reaches the person alone: the outbox must never send their messages to a group.
            chat_id=event.chat_id if event.private else "",
            display_name=event.display_name,
            now=self.clock(),
        )
        hint = normalize_language(event.locale_hint)
        if hint is not None and user.locale_hint != hint:
            # Kept for messages sent to them later (notices, broadcasts) while they have not chosen a language.
            user.locale_hint = hint
        # The same rule as for messages sent to them later: chosen, else their platform's, else the default.
        locale = language_of(user, self.settings.default_language)
        return Participant(
            user_id=user.id,
            account_id=account.id,
            platform=event.platform,
            display_name=user.display_name,
            locale=locale,
            chosen_locale=user.locale,
            timezone=user.timezone,
            full_name=user.full_name,
            birth_year=user.birth_year,
            is_staff=is_staff(self.settings, event),
        )

    def _context(self, event: Event, user: Participant, uow: UnitOfWork | None) -> Context:
        set_locale(user.locale)
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

    async def _call(self, route: Route, ctx: Context) -> list[Reply]:
        if route.staff and not ctx.is_staff:
            return [Reply(_("That is only for the program staff."))]
        return _as_list(await route.handler(ctx))

    def _stale_button(self) -> Reply:
        from bot.core.actions import act

        return Reply(
            _("That button is no longer valid. Here is the menu again."),
            buttons=[[Button(_("Main menu"), act("menu"))]],
        )
