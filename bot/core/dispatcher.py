"""One dispatcher for every platform: an event in, replies out, in one short transaction."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot import metrics
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

# The language this event's person is spoken to in: the platform's hint, then their own once it is read.
_SPEAKING: ContextVar[str] = ContextVar("speaking", default="en")

LOCK_RETRIES = 4
# The action whose handler words the once-only "notices cannot reach you" message (handlers/reachability.py).
UNREACHABLE_NOTICE = "reach.notice"


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
    # The server dropped our connection mid-transaction (a restart, a failover, an admin): the transaction was
    # rolled back with it, so the event is simply tried again on a fresh connection.
    if any(getattr(cause, "connection_invalidated", False) for cause in causes):
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
        token = _SPEAKING.set(hint)
        try:
            with metrics.observe_update(event, self.router), use_locale(hint):
                return self._labelled(await self._answer(event))
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
                # Whatever the handler switched to was rolled back with it (a /language that could not be saved):
                # the trouble is told in the language the person was spoken to in.
                set_locale(_SPEAKING.get())
                problem = _db_problem(exc)
                metrics.update_failed(problem)
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
            if ctx.user.unreachable_notice_due and not event.private:
                replies += await self._unreachable_notice(ctx)
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
        from storage.reachability import set_reachable
        from storage.users import UserRepository, language_of

        user, account = await UserRepository(uow.session).get_or_create(
            event.platform,
            event.user_id,
            # Only an address that reaches the person alone: the outbox must never send their messages to a group.
            chat_id=event.private_address,
            display_name=event.display_name,
            now=self.clock(),
        )
        notice_due = account.unreachable_notice_due
        if event.private and (not account.reachable or notice_due):
            # They are talking to us in private, so we can answer them there (a Telegram user who blocked the
            # bot cannot write to it in private without unblocking it).
            await set_reachable(uow.session, account_ids=[account.id], reachable=True)
            notice_due = False
        hint = normalize_language(event.locale_hint)
        if hint is not None and user.locale_hint != hint:
            # Kept for messages sent to them later (notices, broadcasts) while they have not chosen a language.
            user.locale_hint = hint
        # The same rule as for messages sent to them later: chosen, else their platform's, else the default.
        locale = language_of(user, self.settings.default_language)
        venue_zone = None
        if not user.timezone:
            from storage.users import venue_zones

            # No autoflush: pending writes (last seen, the language hint) fail, if they do, at commit, after the
            # person's language is set, so a read-only database is still reported in their language.
            with uow.session.no_autoflush:
                venue_zone = (await venue_zones(uow.session, [user.id])).get(user.id)
        return Participant(
            user_id=user.id,
            account_id=account.id,
            platform=event.platform,
            display_name=user.display_name,
            locale=locale,
            chosen_locale=user.locale,
            timezone=user.timezone,
            venue_zone=venue_zone,
            full_name=user.full_name,
            birth_year=user.birth_year,
            is_staff=is_staff(self.settings, event),
            unreachable_notice_due=notice_due,
        )

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

                from bot.core.actions import act

                visible = [r.name for r in self.router.visible_commands(staff=ctx.is_staff)]
                nearest = difflib.get_close_matches(name[:40], visible, n=1, cutoff=0.75)
                if nearest:
                    return [
                        Reply(
                            _("I don't know the command /{name}. Did you mean /{suggestion}?").format(
                                name=name[:40], suggestion=nearest[0]
                            ),
                            buttons=[[Button("/" + nearest[0], act("cmd", nearest[0]))]],
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
        from storage.reachability import notice_given

        route = self.router.actions.get(UNREACHABLE_NOTICE)
        if route is None or ctx.user.account_id is None:
            return []
        ctx.args = ()
        replies = _as_list(await route.handler(ctx))
        await notice_given(ctx.session, ctx.user.account_id)
        return replies

    async def record_reachability(
        self, platform: str, platform_user_id: str, *, reachable: bool, told: bool = False
    ) -> None:
        """What a platform said outside a conversation turn (Telegram's "blocked"/"unblocked", a refused reply or
        direct message): written by the one rule in storage/reachability.py, in a short transaction of its own.
        `told`: the person already saw why (so they are not told again later)."""
        if self.storage is None or not platform_user_id:
            return
        from storage.reachability import set_reachable

        for attempt in range(LOCK_RETRIES):
            try:
                async with self.storage.unit_of_work() as uow:
                    await set_reachable(
                        uow.session,
                        platform=platform,
                        platform_user_id=platform_user_id,
                        reachable=reachable,
                        # The person did not see it fail: tell them once, next time they use the bot.
                        tell=not reachable and not told,
                    )
                return
            except Exception as exc:
                if _db_problem(exc) not in ("locked", "busy") or attempt == LOCK_RETRIES - 1:
                    log.warning("reachability of a %s account not saved: %s", platform, type(exc).__name__)
                    return
                await asyncio.sleep(0.2 * 2**attempt)

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

    async def language_for(self, event: Event) -> str:
        """The language this person's replies are written in, for a notice an adapter writes itself (a refused
        button). Read only: an unknown person gets no row, and nothing they send is stored."""
        hint = normalize_language(event.locale_hint)
        if self.storage is None:
            return hint or self.settings.default_language
        from storage.models import User
        from storage.users import UserRepository, language_of

        async with self.storage.unit_of_work() as uow:
            account = await UserRepository(uow.session).account(event.platform, event.user_id)
            user = await uow.session.get(User, account.user_id) if account is not None else None
            if user is None:
                return hint or self.settings.default_language
            # As in a dispatch, where this event's hint would be stored before language_of reads it.
            return user.locale or hint or language_of(user, self.settings.default_language)
