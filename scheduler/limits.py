"""Rate limits for sending: a platform-wide window and a per-chat spacing, both able to pause on `retry_after`."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class WindowLimiter:
    """At most `rate` acquisitions in any `period`-second window (a sliding log, so bursts never exceed it)."""

    def __init__(self, rate: float, period: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        # A fractional rate (0.5/s) becomes 1 per 2 s.
        self.capacity = max(1, int(rate * period)) if rate * period >= 1 else 1
        self.period = period if rate * period >= 1 else 1 / rate
        self._clock = clock
        self._stamps: deque[float] = deque()
        self._lock = asyncio.Lock()
        self.paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self._clock() + seconds)

    def delay(self) -> float:
        """Seconds until one more acquisition is allowed (0 when it is allowed now)."""
        now = self._clock()
        while self._stamps and self._stamps[0] <= now - self.period:
            self._stamps.popleft()
        wait = max(0.0, self.paused_until - now)
        if len(self._stamps) >= self.capacity:
            wait = max(wait, self._stamps[0] + self.period - now)
        return wait

    async def acquire(self) -> None:
        # The lock keeps waiters in order, so no sender starves behind later ones.
        async with self._lock:
            # A time-based wait, not a condition another task sets: the window frees itself as time passes.
            while (wait := self.delay()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            self._stamps.append(self._clock())


class ChatSpacing:
    """At most one message per chat every `interval` seconds; a chat told to wait (`retry_after`) waits."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._next: dict[str, float] = {}

    def delay(self, chat: str) -> float:
        return max(0.0, self._next.get(chat, 0.0) - self._clock())

    def reserve(self, chat: str) -> float:
        """Book the chat's next slot; returns how long to wait for it (0 when it is free now)."""
        now = self._clock()
        start = max(now, self._next.get(chat, 0.0))
        self._next[chat] = start + self.interval
        if len(self._next) > 50_000:
            self._next = {key: at for key, at in self._next.items() if at > now}
        return start - now

    def pause(self, chat: str, seconds: float) -> None:
        self._next[chat] = max(self._next.get(chat, 0.0), self._clock() + seconds)
