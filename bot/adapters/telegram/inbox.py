"""Webhook updates made durable: stored before Telegram is told "ok", then handled from the store, at most once.

Telegram does not send an acknowledged update again. Acknowledging first and handling later from a queue in
memory lost every queued update at a crash (kill -9 with 400 in flight lost 128). Two ways out were weighed:

- Acknowledge only after handling. Telegram's timeout for a webhook answer is not documented, a slow moment (a
  locked database retried, a flood wait) would make Telegram send the update again while it is still being
  handled, and every update would hold one of Telegram's connections for the whole handling.
- Store, then acknowledge (chosen). The webhook request writes the raw update to `telegram_updates` and commits
  before answering 200; anything that fails before the commit answers 503 and Telegram sends it again. One
  worker claims the rows in the order they came (pending → handling, a guarded update), hands each to PTB and
  marks it done. After a crash, pending rows are handled at the next start. A row left "handling" was in hand
  at the crash: its answer may already have gone out, so it is marked interrupted and not handled again (at
  most once, as with a person's own message; with one worker that is at most one update per crash), and its
  id is logged. An update Telegram sends twice is recognised by its update_id and acknowledged without a
  second handling.

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
    from storage.uow import Storage

log = logging.getLogger(__name__)

KEEP_DONE = timedelta(days=1)
PURGE_EVERY = timedelta(hours=1)
# How long the worker sleeps when the database fails it (doubling up to the last value).
BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UpdateInbox:
    """The store and its one worker; `process` handles one update (the decoded JSON Telegram posted)."""

    def __init__(self, storage: Storage, process: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        self.storage = storage
        self.process = process
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
        """Finish the update in hand; the pending ones stay stored for the next start."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                self._wake.clear()
                claimed = await self._claim()
                if claimed is None:
                    await self._purge()
                    failures = 0
                    # A new update sets the event; the timeout only bounds how long a missed wake-up could last.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=5.0)
                    continue
                row_id, payload = claimed
                await self._handle(row_id, payload)
                await self._mark_done(row_id)
                failures = 0
            except Exception as exc:
                # The database refused (locked, gone): nothing is lost, the rows wait; try again shortly.
                delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]
                failures += 1
                log.error(
                    "telegram update store unavailable (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay
                )
                await asyncio.sleep(delay)

    async def _claim(self) -> tuple[int, str] | None:
        async with self.storage.unit_of_work() as uow:
            return await telegram_updates.claim_next(uow, utcnow())

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
