"""Many people at once, each person's events in order: bounded concurrency with a strict order per key.

Both platform doors use it (Telegram per chat, Discord per user). Events with different keys run side by side,
at most `limit` at a time; events with the same key run one after another in the order they were handed in,
whatever the order in which the event loop wakes their tasks. A running event that must wait for the platform
(a flood wait) gives its slot back for the wait (`pause`), so a few people held by the platform do not stop the
others; their own later events still wait behind them.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

# The runner whose slot the current task holds: `pause` gives that slot back while it sleeps.
_holding: ContextVar[OrderedRunner | None] = ContextVar("ordered_runner_slot", default=None)


class OrderedRunner:
    """Runs awaitables concurrently (at most `limit` at once), those with one key strictly in arrival order."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        # The last event handed in per key: the next one with that key starts once it is finished.
        self._tails: dict[Hashable, asyncio.Future[None]] = {}
        self.running = 0

    @property
    def waiting_keys(self) -> int:
        """Keys with an event in hand or queued (for tests and metrics)."""
        return len(self._tails)

    def busy(self, key: Hashable | None) -> bool:
        """True when an event with this key is already in hand: a new one would have to wait for it."""
        return key is not None and key in self._tails

    @contextlib.asynccontextmanager
    async def turn(
        self, key: Hashable | None, *, on_queue: Callable[[], Awaitable[None]] | None = None
    ) -> AsyncIterator[None]:
        """Wait for this key's turn and a free slot, hold both inside the block.

        The place in the key's line is taken when `turn` is entered, before its first await, so the order of
        calls is the order of running. `on_queue` runs (once) when the event has to wait behind the same key.
        """
        previous = self._tails.get(key) if key is not None else None
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = done
        try:
            if previous is not None and not previous.done():
                if on_queue is not None:
                    await on_queue()
                # Shielded: our cancellation must not cancel the event ahead of us.
                await asyncio.shield(previous)
            async with self._slots:
                self.running += 1
                token = _holding.set(self)
                try:
                    yield
                finally:
                    _holding.reset(token)
                    self.running -= 1
        finally:
            self._release(key, previous, done)

    def _release(self, key: Hashable | None, previous: asyncio.Future[None] | None, done: asyncio.Future[None]) -> None:
        if key is not None and self._tails.get(key) is done:
            del self._tails[key]
        # Cancelled while still waiting: the one behind us must still wait for the one ahead of us.
        if previous is not None and not previous.done():
            previous.add_done_callback(lambda _f: _settle(done))
        else:
            _settle(done)

    async def run(self, key: Hashable | None, job: Awaitable[T]) -> T:
        """Await `job` in its key's turn. A coroutine that never got its turn (cancelled) is closed unawaited."""
        started = False
        try:
            async with self.turn(key):
                started = True
                return await job
        finally:
            if not started and inspect.iscoroutine(job):
                job.close()

    async def _sleep_without_slot(self, seconds: float) -> None:
        self._slots.release()
        self.running -= 1
        try:
            await asyncio.sleep(seconds)
        finally:
            # Shielded so that a cancellation during the wait cannot leave us without the slot `turn` releases.
            await asyncio.shield(self._slots.acquire())
            self.running += 1


def _settle(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)


async def pause(seconds: float) -> None:
    """Sleep for a platform's wait; inside a runner's turn the slot serves others meanwhile (the key stays held)."""
    runner = _holding.get()
    if runner is None:
        await asyncio.sleep(seconds)
    else:
        await runner._sleep_without_slot(seconds)
