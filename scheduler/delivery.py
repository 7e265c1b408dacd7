"""The delivery worker: claims due outbox rows, sends them through the Messenger port, then marks them.

A row goes pending → sending (claimed, with a token) → sent | unreachable | failed, or back to pending with a
later `not_before` (retry). It is marked only after the platform answered, so a crash re-sends at most the rows
that were in flight (at most `delivery_concurrency`); rows left "sending" longer than the lease go back to pending.
Rows for platforms with no running messenger (the console) are never claimed: the console shows them itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.core.ports import Messenger, SendOutcome
from bot.core.replies import Reply
from bot.settings import Settings
from scheduler.limits import ChatSpacing, WindowLimiter
from storage.models import Account, Delivery
from storage.outbox import buttons_from_json
from storage.uow import Storage

log = logging.getLogger(__name__)

# A chat told to wait longer than this gives its slot back instead of holding it while sleeping.
MAX_INLINE_WAIT = 2.0
SWEEP_EVERY = 5.0


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    token: str
    user_id: int
    account_id: int
    platform: str
    chat_id: str
    text: str
    buttons: list[object]
    attempts: int


@dataclass(frozen=True, slots=True)
class _Mark:
    row: Claimed
    outcome: SendOutcome | None  # None: not sent, the chat is paused; give the row back
    resume_in: float = 0.0


class DeliveryWorker:
    def __init__(
        self,
        storage: Storage,
        messengers: Mapping[str, Messenger],
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.storage = storage
        self.messengers = dict(messengers)
        self.settings = settings
        self.clock = clock
        self.limiters = {platform: WindowLimiter(self._rate(platform), clock=monotonic) for platform in self.messengers}
        self.spacing = ChatSpacing(settings.per_chat_interval_seconds, clock=monotonic)
        self.concurrency = max(1, settings.delivery_concurrency)
        self._inflight: set[asyncio.Task[None]] = set()
        self._marks: list[tuple[_Mark, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._last_sweep = 0.0
        # The worker's own transactions take turns: on SQLite two of them would otherwise wait on each other in
        # SQLite's busy handler, which sleeps in steps of up to 100 ms and starves the send rate.
        self._db = asyncio.Lock()

    def _rate(self, platform: str) -> float:
        if platform == "telegram":
            return self.settings.telegram_rate_limit
        if platform == "discord":
            return self.settings.discord_rate_limit
        return self.settings.telegram_rate_limit

    def wake(self) -> None:
        self._wake.set()

    # -- claiming -------------------------------------------------------------------------------------------------

    def _sendable(self, now: datetime) -> ColumnElement[bool]:
        platforms = list(self.messengers)
        pinned = exists().where(
            Account.id == Delivery.account_id,
            Account.platform.in_(platforms),
            Account.reachable.is_(True),
        )
        any_account = exists().where(
            Account.user_id == Delivery.user_id,
            Account.platform.in_(platforms),
            Account.reachable.is_(True),
            Account.chat_id != "",
        )
        return and_(
            Delivery.status == "pending",
            Delivery.not_before <= now,
            or_(and_(Delivery.account_id.is_not(None), pinned), and_(Delivery.account_id.is_(None), any_account)),
        )

    async def recover(self) -> int:
        """Rows left "sending" longer than the lease were in flight at a crash: send them again."""
        cutoff = self.clock() - timedelta(seconds=self.settings.delivery_lease_seconds)
        async with self.storage.unit_of_work() as uow:
            result = await uow.session.execute(
                update(Delivery)
                .where(Delivery.status == "sending", Delivery.claimed_at <= cutoff)
                .values(status="pending", claim_token=None)
                .execution_options(synchronize_session=False)
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.warning("re-queued %d deliveries that were in flight at a crash", count)
        return count

    async def sweep_unreachable(self) -> int:
        """Rows nobody can receive: a pinned account that is unreachable, or a user with no reachable account."""
        now = self.clock()
        pinned_dead = exists().where(Account.id == Delivery.account_id, Account.reachable.is_(False))
        none_alive = ~exists().where(Account.user_id == Delivery.user_id, Account.reachable.is_(True))
        async with self._db, self.storage.unit_of_work() as uow:
            result = await uow.session.execute(
                update(Delivery)
                .where(
                    Delivery.status == "pending",
                    or_(and_(Delivery.account_id.is_not(None), pinned_dead), none_alive),
                )
                .values(status="unreachable", last_error="no reachable account", sent_at=now)
                .execution_options(synchronize_session=False)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def claim(self, limit: int) -> list[Claimed]:
        if limit <= 0 or not self.messengers:
            return []
        now = self.clock()
        token = secrets.token_hex(8)
        async with self._db, self.storage.unit_of_work() as uow:
            session = uow.session
            # PostgreSQL: concurrent workers skip each other's rows; SQLite ignores the lock clause and serializes
            # writers instead (BEGIN IMMEDIATE), and the status guard below makes the claim exclusive either way.
            ids = list(
                await session.scalars(
                    select(Delivery.id)
                    .where(self._sendable(now))
                    # Retries first: a row waiting out a flood limit should not wait behind the whole broadcast.
                    .order_by(Delivery.attempts.desc(), Delivery.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids), Delivery.status == "pending")
                .values(status="sending", claim_token=token, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            rows = list(await session.scalars(select(Delivery).where(Delivery.claim_token == token)))
            accounts = await self._accounts_for(session, rows)
        claimed = []
        for row in rows:
            account = accounts.get(row.id)
            if account is None:
                continue
            claimed.append(
                Claimed(
                    id=row.id,
                    token=token,
                    user_id=row.user_id,
                    account_id=account.id,
                    platform=account.platform,
                    chat_id=account.chat_id,
                    text=row.text,
                    buttons=list(row.buttons or []),
                    attempts=row.attempts,
                )
            )
        return claimed

    async def _accounts_for(self, session: AsyncSession, rows: list[Delivery]) -> dict[int, Account]:
        user_ids = {row.user_id for row in rows}
        pinned_ids = {row.account_id for row in rows if row.account_id is not None}
        accounts = list(
            await session.scalars(
                select(Account)
                .where(
                    or_(Account.user_id.in_(user_ids), Account.id.in_(pinned_ids)),
                    Account.platform.in_(list(self.messengers)),
                    Account.reachable.is_(True),
                    Account.chat_id != "",
                )
                .order_by(Account.last_seen_at.desc(), Account.id.desc())
            )
        )
        by_id = {a.id: a for a in accounts}
        latest: dict[int, Account] = {}
        for account in accounts:
            latest.setdefault(account.user_id, account)
        chosen: dict[int, Account] = {}
        for row in rows:
            pick = by_id.get(row.account_id) if row.account_id is not None else latest.get(row.user_id)
            if pick is not None:
                chosen[row.id] = pick
        return chosen

    # -- sending --------------------------------------------------------------------------------------------------

    async def _deliver(self, row: Claimed) -> None:
        chat_key = f"{row.platform}:{row.chat_id}"
        wait = self.spacing.delay(chat_key)
        if wait > MAX_INLINE_WAIT:
            await self._mark(_Mark(row, None, resume_in=wait))
            return
        await asyncio.sleep(self.spacing.reserve(chat_key))
        messenger = self.messengers[row.platform]
        await self.limiters[row.platform].acquire()
        reply = Reply(row.text, buttons=buttons_from_json(row.buttons))
        try:
            outcome = await messenger.send(row.chat_id, reply)
        except Exception as exc:
            # A messenger should turn every failure into an outcome; an escaped one is treated as transient.
            log.exception("messenger %s raised for delivery %d", row.platform, row.id)
            outcome = SendOutcome("retry", error=f"{type(exc).__name__}: {exc}")
        if outcome.retry_after:
            self.spacing.pause(chat_key, outcome.retry_after)
        await self._mark(_Mark(row, outcome))

    async def _mark(self, mark: _Mark) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((mark, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        # Group commit: outcomes that arrive together are written in one transaction; each sender waits for its own
        # outcome to be committed before it frees its slot, so "in flight" never exceeds the concurrency.
        while self._marks:
            batch, self._marks = self._marks, []
            try:
                async with self._db, self.storage.unit_of_work() as uow:
                    for mark, _future in batch:
                        await self._apply(uow.session, mark)
            except Exception as exc:
                for _mark, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _mark, future in batch:
                    if not future.done():
                        future.set_result(None)

    async def _apply(self, session: AsyncSession, mark: _Mark) -> None:
        row, outcome = mark.row, mark.outcome
        now = self.clock()
        guard = update(Delivery).where(Delivery.id == row.id, Delivery.claim_token == row.token)
        guard = guard.execution_options(synchronize_session=False)
        if outcome is None:
            await session.execute(
                guard.values(status="pending", claim_token=None, not_before=now + timedelta(seconds=mark.resume_in))
            )
            return
        attempts = row.attempts + (0 if outcome.retry_after else 1)
        if outcome.status == "sent":
            await session.execute(
                guard.values(status="sent", sent_at=now, attempts=attempts, account_id=row.account_id)
            )
        elif outcome.status == "unreachable":
            await session.execute(
                guard.values(
                    status="unreachable", sent_at=now, attempts=attempts, last_error=outcome.error or "unreachable"
                )
            )
            await session.execute(
                update(Account)
                .where(Account.id == row.account_id)
                .values(reachable=False)
                .execution_options(synchronize_session=False)
            )
        elif outcome.status == "retry" and attempts < self.settings.delivery_max_attempts:
            delay = outcome.retry_after or self.settings.delivery_backoff_seconds * 2 ** max(0, attempts - 1)
            await session.execute(
                guard.values(
                    status="pending",
                    claim_token=None,
                    attempts=attempts,
                    not_before=now + timedelta(seconds=delay),
                    last_error=outcome.error or ("retry_after" if outcome.retry_after else "retry"),
                )
            )
        else:
            await session.execute(
                guard.values(status="failed", sent_at=now, attempts=attempts, last_error=outcome.error or "failed")
            )

    # -- the loop -------------------------------------------------------------------------------------------------

    async def pump(self) -> int:
        """Claim as many due rows as there are free slots and start sending them; returns how many."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_sweep > SWEEP_EVERY:
            self._last_sweep = loop.time()
            await self.sweep_unreachable()
        rows = await self.claim(self.concurrency - len(self._inflight))
        for row in rows:
            task = asyncio.create_task(self._deliver(row))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        return len(rows)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery task failed", exc_info=task.exception())
        self._wake.set()

    async def _next_due_in(self) -> float:
        async with self._db, self.storage.unit_of_work() as uow:
            platforms = list(self.messengers)
            soonest = await uow.session.scalar(
                select(Delivery.not_before)
                .where(
                    Delivery.status == "pending",
                    or_(
                        Delivery.account_id.is_(None),
                        exists().where(Account.id == Delivery.account_id, Account.platform.in_(platforms)),
                    ),
                )
                .order_by(Delivery.not_before)
                .limit(1)
            )
        if soonest is None:
            return 1.0
        return max(0.0, min(1.0, (soonest - self.clock()).total_seconds()))

    async def run(self) -> None:
        await self.recover()
        while not self._stopping:
            try:
                # Claim in batches: one claiming transaction per half-window of free slots, not one per message.
                if self._inflight and self.concurrency - len(self._inflight) < max(1, self.concurrency // 2):
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=1.0)
                    continue
                started = await self.pump()
                if started == 0 or len(self._inflight) >= self.concurrency:
                    wait = 1.0 if len(self._inflight) >= self.concurrency else await self._next_due_in()
                    if wait > 0:
                        self._wake.clear()
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery worker loop failed; retrying in a second")
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)

    async def run_until_idle(self, *, max_rounds: int = 10_000) -> None:
        """Send everything due now (tests drive a frozen clock with this instead of sleeping)."""
        for _ in range(max_rounds):
            started = await self.pump()
            if self._inflight:
                await asyncio.wait(set(self._inflight), return_when=asyncio.FIRST_COMPLETED)
            elif started == 0:
                return
