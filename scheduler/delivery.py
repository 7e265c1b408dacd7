"""The delivery worker: claims due outbox rows in batches, sends them at an even pace, marks outcomes in batches.

A row goes pending → sending (claimed, with a token) → sent | unreachable | failed, or back to pending with a
later `not_before` (retry, counted from the platform's answer). Rows are claimed a batch at a time (one guarded
UPDATE … RETURNING) into a queue per platform, so the database is not on the path of each send; the retries the
worker put back are claimed as they fall due and go in front of the queue, so they go out inside the stream. A row
is marked only after the platform answered, and a send holds one of `delivery_concurrency` slots until its outcome
is committed: a crash re-sends at most the rows in flight (sent or being sent, not yet marked). Claimed rows still
queued were never sent; they go back to pending on a clean stop, and after a crash once their lease has run out (at
start, and on every sweep).
Rows for platforms with no running messenger (the console) are never claimed: the console shows them itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import logging
import math
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from bot import metrics
from bot.core.ports import Messenger, SendOutcome
from bot.core.replies import Reply
from bot.services import deliveries
from bot.services.deliveries import Claimed, Outcome, RetryPolicy
from bot.services.outbox import buttons_from_json
from bot.services.unit_of_work import UnitOfWork, UnitsOfWork
from bot.settings import Settings
from handlers.questions import undelivered_notice
from scheduler.limits import ChatSpacing, Sleep, make_pacer

log = logging.getLogger(__name__)

# A chat told to wait longer than this gives its slot back instead of holding it while sleeping.
MAX_INLINE_WAIT = 2.0
SWEEP_EVERY = 5.0
# With nothing to send, look at the database at least this often (new rows also wake the worker directly).
IDLE_POLL = 1.0
# Claim about this many seconds of sending at a time, refilling when half is used: one claiming transaction per
# quarter second at full speed, and few rows held back from other workers.
CLAIM_AHEAD_SECONDS = 0.5
MAX_CLAIM_BATCH = 500
# Retries this worker put back are claimed as they fall due, but at most this often: a flood wait answered to many
# chats at once puts them back due together, and they are claimed a few at a time, not one transaction each.
RETRY_CLAIM_EVERY = 0.05
# Outcomes wait up to this long to be written together (or until half the slots are waiting on them): a few
# transactions a second instead of one per send, at the price of slots held a little longer.
MARK_EVERY = 0.05
# A batch of outcomes the database refused (SQLite "database is locked", a dropped connection) is written again
# after this wait, doubling up to the cap: until it is committed its rows stay "sending" and their slots held.
MARK_RETRY_FIRST = 0.05
MARK_RETRY_MAX = 5.0


def utcnow() -> datetime:
    return datetime.now(UTC)


class DeliveryWorker:
    def __init__(
        self,
        storage: UnitsOfWork,
        messengers: Mapping[str, Messenger],
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.storage = storage
        self.messengers = dict(messengers)
        self.settings = settings
        self.clock = clock
        self._sleep = sleep
        self.pacers = {p: make_pacer(settings, p, self._rate(p), clock=monotonic, sleep=sleep) for p in self.messengers}
        self.spacing = ChatSpacing(settings.per_chat_interval_seconds, clock=monotonic)
        # Per platform: a slow platform's sends must not hold the slots a fast one needs.
        self.concurrency = max(1, settings.delivery_concurrency)
        fastest = max((self._rate(p) for p in self.messengers), default=1.0)
        self.batch = max(self.concurrency, min(MAX_CLAIM_BATCH, math.ceil(fastest * CLAIM_AHEAD_SECONDS)))
        self._refill_at = self.batch // 2
        self._queues: dict[str, deque[Claimed]] = {p: deque() for p in self.messengers}
        self._busy: Counter[str] = Counter()
        self._inflight: set[asyncio.Task[None]] = set()
        # Claim tokens of rows this worker still holds (queued or in flight): a sweep never re-queues those.
        self._held: Counter[str] = Counter()
        self._marks: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._mark_batch = max(1, self.concurrency // 2)
        self._marks_ready = asyncio.Event()
        # (due, row id) of rows this worker put back to pending (retries): each is claimed the moment it falls due
        # and goes in front of the queued fresh rows, so retries go out inside the stream, not after it.
        self._retries: list[tuple[datetime, int]] = []
        self._retry_ids: set[int] = set()  # the ids in `_retries`: a batch claim that takes one puts it in front too
        self._retries_claimed = -math.inf  # loop time of the last claim of due retries
        self._wake = asyncio.Event()
        # Counts wake-ups: one that arrives while a claim is running must not be overwritten by that claim's
        # "nothing due before X" (the first send of a broadcast would wait for the next poll).
        self._wakes = 0
        self._claim_after = 0.0  # loop time before which nothing new can be due (unless woken)
        self._stopping = False
        self._last_sweep = -math.inf
        # The worker's own transactions take turns: on SQLite two of them would otherwise wait on each other in
        # SQLite's busy handler, which sleeps in steps of up to 100 ms and starves the send rate.
        self._db = asyncio.Lock()
        self.policy = RetryPolicy(
            max_attempts=settings.delivery_max_attempts,
            backoff_seconds=settings.delivery_backoff_seconds,
            default_locale=settings.default_language,
            write_undelivered=undelivered_notice,
        )

    def _rate(self, platform: str) -> float:
        if platform == "discord":
            return self.settings.discord_rate_limit
        return self.settings.telegram_rate_limit

    def wake(self) -> None:
        """New rows were committed: look for them now rather than at the next poll."""
        self._claim_after = 0.0
        self._wakes += 1
        self._wake.set()

    # -- claiming -------------------------------------------------------------------------------------------------

    async def recover(self, lease_seconds: float | None = None) -> int:
        """Rows left "sending" longer than the lease were in flight at a crash: send them again. A new clock
        leader passes 0: every row another process still holds was the dead leader's."""
        lease = self.settings.delivery_lease_seconds if lease_seconds is None else lease_seconds
        cutoff = self.clock() - timedelta(seconds=lease)
        async with self._db, self.storage.unit_of_work() as uow:
            count = await deliveries.requeue_in_flight(uow, cutoff, held=list(self._held))
        if count:
            log.warning("re-queued %d deliveries that were in flight at a crash", count)
        return count

    async def sweep_unreachable(self) -> int:
        """Rows nobody can receive: a pinned account that is unreachable, or a user with no reachable account."""
        async with self._db, self.storage.unit_of_work() as uow:
            return await deliveries.end_unreachable(uow, self.clock(), self.policy)

    async def claim(
        self, limit: int, platform: str | None = None, *, ids: Sequence[int] | None = None
    ) -> list[Claimed]:
        """Claim up to `limit` due rows (for one platform, or any with a messenger; only `ids`, when given) in one
        short transaction."""
        platforms = [platform] if platform is not None else list(self.messengers)
        if limit <= 0 or not platforms:
            return []
        token = secrets.token_hex(8)
        async with self._db, self.storage.unit_of_work() as uow:
            claimed = await deliveries.claim(
                uow, platforms, limit, now=self.clock(), token=token, senders=list(self.messengers), ids=ids
            )
        if claimed:
            self._held[token] += len(claimed)
        return claimed

    def _low(self) -> bool:
        return any(len(queue) <= self._refill_at for queue in self._queues.values())

    async def _refill(self) -> bool:
        """Claim for every platform whose queue runs low; True when a claim came back full (more may be due)."""
        more = False
        for platform, queue in self._queues.items():
            if len(queue) > self._refill_at:
                continue
            want = self.batch - len(queue)
            rows = await self.claim(want, platform)
            self._enqueue(rows)
            more = more or len(rows) == want
        return more

    def _enqueue(self, rows: Sequence[Claimed]) -> None:
        """Queue claimed rows: the retries this worker put back in front, in claim order, the others behind. A
        user's latest account may be on another platform than the one claimed for: the row goes to that queue."""
        front = [row for row in rows if row.id in self._retry_ids]
        for row in reversed(front):
            self._queues[row.platform].appendleft(row)
        for row in rows:
            if row.id in self._retry_ids:
                self._retry_ids.discard(row.id)
            else:
                self._queues[row.platform].append(row)

    def _retries_in(self) -> float | None:
        """Seconds until this worker's retries are claimed: when the first falls due, but not sooner than
        RETRY_CLAIM_EVERY after the last such claim (None: no retry waiting)."""
        if not self._retries:
            return None
        due_in = (self._retries[0][0] - self.clock()).total_seconds()
        spaced_in = self._retries_claimed + RETRY_CLAIM_EVERY - asyncio.get_running_loop().time()
        return max(0.0, due_in, spaced_in)

    async def _claim_due_retries(self) -> None:
        """Claim this worker's retries that are due, ahead of every queued row. One that another worker took, or
        that ended meanwhile, is simply not claimed."""
        self._retries_claimed = asyncio.get_running_loop().time()
        now = self.clock()
        ids: list[int] = []
        while self._retries and self._retries[0][0] <= now:
            ids.append(heapq.heappop(self._retries)[1])
        if not ids:
            return
        try:
            self._enqueue(await self.claim(len(ids), ids=ids))
        finally:
            # Those not claimed were taken by a batch claim, another worker, or ended.
            self._retry_ids.difference_update(ids)

    async def _next_due_in(self) -> float:
        now = self.clock()
        async with self._db, self.storage.unit_of_work() as uow:
            soonest = await deliveries.next_due(uow, list(self.messengers), now)
        if soonest is None:
            return IDLE_POLL
        return max(0.0, min(IDLE_POLL, (soonest - now).total_seconds()))

    # -- sending --------------------------------------------------------------------------------------------------

    def _start_sends(self) -> None:
        for platform, queue in self._queues.items():
            while queue and self._busy[platform] < self.concurrency:
                row = queue.popleft()
                self._busy[platform] += 1
                task = asyncio.create_task(self._deliver(row))
                self._inflight.add(task)
                task.add_done_callback(functools.partial(self._done, platform))

    def _done(self, platform: str, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._busy[platform] -= 1
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery task failed", exc_info=task.exception())
        # The freed slot takes the next queued row at once; the loop is only needed when the queue runs low.
        if not self._stopping:
            self._start_sends()
        if self._low():
            self._wake.set()

    async def _deliver(self, row: Claimed) -> None:
        chat_key = f"{row.platform}:{row.chat_id}"
        wait = self.spacing.delay(chat_key)
        if wait > MAX_INLINE_WAIT:
            await self._mark(Outcome(row, None, resume_in=wait))
            return
        if (chat_wait := self.spacing.reserve(chat_key)) > 0:
            await self._sleep(chat_wait)
        messenger = self.messengers[row.platform]
        pacer = self.pacers[row.platform]
        reply = Reply(row.text, buttons=buttons_from_json(row.buttons))
        ticket = await pacer.acquire()
        try:
            outcome = await messenger.send(row.chat_id, reply)
        except Exception as exc:
            # A messenger should turn every failure into an outcome; an escaped one is treated as transient.
            log.exception("messenger %s raised for delivery %d", row.platform, row.id)
            outcome = SendOutcome("retry", error=f"{type(exc).__name__}: {exc}")
        finally:
            pacer.answered(ticket)
        answered_at = self.clock()
        if outcome.retry_after:
            self.spacing.pause(chat_key, outcome.retry_after)
        await self._mark(Outcome(row, outcome.status, outcome.error, outcome.retry_after, answered_at=answered_at))

    async def _mark(self, mark: Outcome) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((mark, future))
        if len(self._marks) >= self._mark_batch:
            self._marks_ready.set()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        # Group commit: outcomes that arrive while a batch is being written go together into the next one; each
        # sender waits for its own outcome to be committed before it frees its slot, so "in flight" never exceeds
        # the concurrency. A refused batch is never dropped (its rows would stay "sending" for the life of the
        # process): it goes back in front of the newer outcomes and is written again after a pause.
        retry_in = MARK_RETRY_FIRST
        while self._marks:
            if len(self._marks) < self._mark_batch and not self._stopping:
                self._marks_ready.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._marks_ready.wait(), MARK_EVERY)
            batch, self._marks = self._marks, []
            try:
                async with self._db, self.storage.unit_of_work() as uow:
                    again = await self._apply(uow, [mark for mark, _future in batch])
            except Exception:
                log.warning("delivery outcomes not saved; trying again in %.2fs", retry_in, exc_info=True)
                self._marks = batch + self._marks
                await self._sleep(retry_in)
                retry_in = min(MARK_RETRY_MAX, retry_in * 2)
            else:
                metrics.sends_saved((mark.row.platform, mark.status, mark.retry_after) for mark, _future in batch)
                retry_in = MARK_RETRY_FIRST
                if again:
                    for due in again:
                        heapq.heappush(self._retries, due)
                        self._retry_ids.add(due[1])
                    # The loop sets its timer to the soonest retry.
                    self._wake.set()
                for mark, future in batch:
                    self._release_hold(mark.row.token)
                    if not future.done():
                        future.set_result(None)

    def _release_hold(self, token: str, count: int = 1) -> None:
        self._held[token] -= count
        if self._held[token] <= 0:
            del self._held[token]

    async def _apply(self, uow: UnitOfWork, marks: Sequence[Outcome]) -> list[tuple[datetime, int]]:
        return await deliveries.record(uow, marks, self.clock(), self.policy)

    async def _give_back_queued(self) -> None:
        """Claimed rows never sent go back to pending at once (a clean stop), not after the lease."""
        rows = [row for queue in self._queues.values() for row in queue]
        for queue in self._queues.values():
            queue.clear()
        if not rows:
            return
        now = self.clock()
        async with self._db, self.storage.unit_of_work() as uow:
            await deliveries.give_back(uow, rows, now)
        for row in rows:
            self._release_hold(row.token)

    # -- the loop -------------------------------------------------------------------------------------------------

    async def _maybe_sweep(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_sweep > SWEEP_EVERY:
            self._last_sweep = loop.time()
            # Also after a crash and a quick restart: rows the dead process held come back once their lease ends.
            await self.recover()
            await self.sweep_unreachable()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            try:
                self._wake.clear()
                wakes = self._wakes
                await self._maybe_sweep()
                if self._retries_in() == 0:
                    await self._claim_due_retries()
                if self._low() and loop.time() >= self._claim_after and not await self._refill():
                    # Everything due is claimed: sleep until the next row falls due (or new rows wake us), unless
                    # rows were committed while this claim ran: those are looked for at once.
                    due_in = await self._next_due_in()
                    if self._wakes == wakes:
                        self._claim_after = loop.time() + due_in
                if self._stopping:
                    break
                self._start_sends()
                # Woken by a finished send (a free slot), by new rows, or when the next row falls due.
                timeout = IDLE_POLL
                if self._low():
                    timeout = min(IDLE_POLL, max(0.0, self._claim_after - loop.time()))
                if (retries_in := self._retries_in()) is not None:
                    timeout = min(timeout, retries_in)
                if timeout > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery worker loop failed; retrying in a second")
                await asyncio.sleep(1.0)
        await self._give_back_queued()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._marks_ready.set()
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        await self._give_back_queued()
        for pacer in self.pacers.values():
            await pacer.close()

    async def run_until_idle(self, *, max_rounds: int = 10_000) -> None:
        """Send everything due now (tests drive a frozen clock with this instead of sleeping)."""
        for _ in range(max_rounds):
            await self._claim_due_retries()
            more = await self._refill() if self._low() else True
            self._start_sends()
            if self._inflight:
                await asyncio.wait(set(self._inflight), return_when=asyncio.FIRST_COMPLETED)
            elif not more:
                return
