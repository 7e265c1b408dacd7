"""Webhook updates made durable: stored before Telegram is told "ok", then handled from the store, at most once.

Telegram does not send an acknowledged update again. Acknowledging first and handling later from a queue in
memory lost every queued update at a crash (kill -9 with 400 in flight lost 128). Two ways out were weighed:

- Acknowledge only after handling. Telegram's timeout for a webhook answer is not documented, a slow moment (a
  locked database retried, a flood wait) would make Telegram send the update again while it is still being
  handled, and every update would hold one of Telegram's connections for the whole handling.
- Store, then acknowledge (chosen). The webhook request writes the raw update to `telegram_updates` and commits
  before answering 200; anything that fails before the commit answers 503 and Telegram sends it again. One
  worker per process claims the rows in the order they came (pending → handling, a guarded update), hands each
  to PTB and marks it done. Up to `in_flight` claimed updates are handled at once; `process` keeps each chat's
  updates in the order they were claimed (bot/adapters/telegram/ordering.py), so one slow chat does not hold the
  others; a chat with an update in hand (in this process or another worker on the same database) gets no second
  one claimed until it is done. After a crash, pending rows are handled at the next start. A row left
  "handling" was in hand at the crash: its answer may already have gone out, so it is marked interrupted and not
  handled again (at most once, as with a person's own message: at most the updates in flight per crash), and its
  id is logged. An update Telegram sends twice is recognised by its update_id and acknowledged without a second
  handling.

The rows lose their payload (it holds personal data) when done, and are deleted a day later.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.services import telegram_updates

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)

KEEP_DONE = timedelta(days=1)
PURGE_EVERY = timedelta(hours=1)
# How long the worker sleeps when the database fails it (doubling up to the last value).
BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UpdateInbox:
    """The store and its one worker; `process` handles one update (the decoded JSON Telegram posted)."""

    def __init__(
        self, storage: UnitsOfWork, process: Callable[[dict[str, Any]], Awaitable[None]], *, in_flight: int = 1
    ) -> None:
        self.storage = storage
        self.process = process
        # Claimed and not yet done; the worker claims no more while this is full. Kept to the running slots: a
        # crash interrupts every claimed update, so none is claimed long before it can be handled.
        self._room = asyncio.Semaphore(max(1, in_flight))
        self._handling: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._purged_at: datetime | None = None

    async def accept(self, update_id: int, data: dict[str, Any]) -> bool:
        """Store one update (committed on return; raises when the database cannot take it). False: a resend."""
        stored = await telegram_updates.accept(self.storage, update_id, json.dumps(data, ensure_ascii=False), utcnow())
        self._wake.set()
        return stored

    async def start(self) -> None:
        """Mark what a crash left in hand, then handle the stored updates, old ones first."""
        async with self.storage.unit_of_work() as uow:
            interrupted = await telegram_updates.interrupt_unfinished(uow, utcnow())
        if interrupted:
            log.warning(
                "telegram: %d update(s) were being handled when the bot stopped and are not handled again: %s",
                len(interrupted),
                ", ".join(map(str, interrupted)),
            )
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="telegram-update-inbox")

    async def stop(self) -> None:
        """Finish the updates in hand; the pending ones stay stored for the next start."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self._handling:
            await asyncio.gather(*self._handling, return_exceptions=True)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            await self._room.acquire()
            if self._stopping:
                # Stopped while every slot was busy: nothing more is claimed, the rest waits for the next start.
                self._room.release()
                break
            try:
                self._wake.clear()
                claimed = await self._claim()
            except Exception as exc:
                self._room.release()
                # The database refused (locked, gone): nothing is lost, the rows wait; try again shortly.
                delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]
                failures += 1
                log.error(
                    "telegram update store unavailable (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay
                )
                await asyncio.sleep(delay)
                continue
            failures = 0
            if claimed is None:
                self._room.release()
                try:
                    await self._purge()
                except Exception as exc:
                    # Old rows wait for the next quiet moment; handling goes on.
                    log.warning("telegram: handled updates not purged yet (%s: %s)", type(exc).__name__, exc)
                # A new update sets the event; the timeout only bounds how long a missed wake-up could last.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=5.0)
                continue
            # Started in claim order: the chat's place in line is taken before the task's first await.
            task = asyncio.create_task(self._handle_claimed(*claimed), name=f"telegram-update-{claimed[0]}")
            self._handling.add(task)
            task.add_done_callback(self._handling.discard)

    async def _handle_claimed(self, row_id: int, payload: str) -> None:
        try:
            await self._handle(row_id, payload)
            await self._mark_done(row_id)
        finally:
            self._room.release()
            # The chat's next update may have been waiting for this one.
            self._wake.set()

    async def _claim(self) -> tuple[int, str] | None:
        from bot.adapters.telegram.ordering import order_key_of_payload

        async with self.storage.unit_of_work() as uow:
            # Never an update of a chat whose earlier update is in hand here or in another worker process.
            return await telegram_updates.claim_next(uow, utcnow(), chat_of=order_key_of_payload)

    async def _handle(self, row_id: int, payload: str) -> None:
        try:
            data = json.loads(payload)
            await self.process(data)
        except Exception:
            # Handled at most once: a failure is reported (by id, the payload is private) and the row is done.
            log.exception("telegram stored update #%s failed", row_id)

    async def _mark_done(self, row_id: int) -> None:
        for attempt, delay in enumerate(BACKOFF_SECONDS):
            try:
                async with self.storage.unit_of_work() as uow:
                    await telegram_updates.mark_done(uow, row_id, utcnow())
                return
            except Exception as exc:
                log.warning("telegram stored update #%s not marked done yet (%s), attempt %d", row_id, exc, attempt + 1)
                await asyncio.sleep(delay)
        # Left "handling": the next start marks it interrupted, so it is still never handled twice.
        log.error("telegram stored update #%s could not be marked done", row_id)

    async def _purge(self) -> None:
        now = utcnow()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        async with self.storage.unit_of_work() as uow:
            removed = await telegram_updates.purge(uow, now - KEEP_DONE)
        self._purged_at = now
        if removed:
            log.info("telegram: forgot %d handled updates older than a day", removed)
