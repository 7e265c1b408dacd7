"""Rate limits for sending: an even per-platform pace with a hard cap per window, and a per-chat spacing."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]

# How far a send may run ahead of its even slot. Timers wake late on a loaded event loop; without this slack every
# late wake-up would be lost for good (a 1 ms lateness at 200/s is a 20% loss), with it the next send catches up.
MIN_SLACK_SECONDS = 0.02


class Ticket:
    """One send's place in the limit: when it left, and when its answer came back (None while in flight)."""

    __slots__ = ("_done", "answered", "left")

    def __init__(self, left: float) -> None:
        self.left = left
        self.answered: float | None = None
        self._done = asyncio.Event()


class Pacer:
    """Spaces sends 1/rate apart (GCRA) and never lets more than the limit reach the platform in any window.

    The spacing makes the flow even. The hard cap is a log of the last `capacity` sends: a send may leave only
    `period` after the *answer* to the send `capacity` places before it. The platform saw that request before it
    answered, and sees this one after it leaves, so the two arrive at least `period` apart whatever the network
    and the event loop did in between: no `period` window at the platform holds more than `capacity` requests.
    (Counting departures instead lets jitter squeeze a few extra into a window.) Waiters go in arrival order.
    """

    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        # A fractional rate (0.5/s) becomes 1 per 2 s.
        self.capacity = max(1, math.floor(rate * period))
        self.period = period if rate * period >= 1 else 1 / rate
        self.interval = 1 / rate
        self.slack = max(self.interval, MIN_SLACK_SECONDS)
        self._clock = clock
        self._sleep = sleep
        self._tat = -math.inf  # the theoretical time of the next even slot
        self._log: deque[Ticket] = deque(maxlen=self.capacity)
        self._lock = asyncio.Lock()

    def delay(self) -> float:
        """Seconds until one more send is allowed by time alone (0 when allowed now or when awaiting an answer)."""
        now = self._clock()
        wait = self._tat - self.slack - now
        if len(self._log) == self.capacity and (answered := self._log[0].answered) is not None:
            wait = max(wait, answered + self.period - now)
        return max(0.0, wait)

    async def acquire(self) -> Ticket:
        """Wait for the next slot and take it; pass the ticket to `answered()` once the platform has replied."""
        async with self._lock:
            while True:
                if len(self._log) == self.capacity and self._log[0].answered is None:
                    await self._log[0]._done.wait()
                    continue
                wait = self.delay()
                if wait <= 0:
                    break
                await self._sleep(wait)
            now = self._clock()
            self._tat = max(self._tat, now) + self.interval
            ticket = Ticket(now)
            self._log.append(ticket)
            return ticket

    def answered(self, ticket: Ticket) -> None:
        ticket.answered = self._clock()
        ticket._done.set()


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
