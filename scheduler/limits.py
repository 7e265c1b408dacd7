"""Rate limits for sending: an even per-platform pace with a hard cap per window, and a per-chat spacing.

With REDIS_URL set, the cap per window is also kept for the whole deployment: every process's sends to one
platform take a place in one window in Redis first (`SharedPacer`), so several processes together never send more
than the platform allows, whatever each of them does alone."""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

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

    async def close(self) -> None:
        """Nothing to release: the limit lives in this process."""


class SendLimit(Protocol):
    """What the delivery worker paces its sends with: `Pacer` or `SharedPacer`."""

    async def acquire(self) -> Ticket: ...

    def answered(self, ticket: Ticket) -> None: ...

    async def close(self) -> None: ...


# A sliding window in Redis, on Redis's own clock (the processes' clocks may differ): at most `capacity` entries
# in the last `period`; answers 0 when this send took a place, else the microseconds until the oldest leaves.
WINDOW_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local capacity = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZCARD', KEYS[1]) < capacity then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(period / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + period - now)
"""
# Added to the shared window: two processes' requests travel different paths to the platform, so a place freed
# exactly `period` after another process's send could still reach the platform inside that send's window.
SHARED_MARGIN_SECONDS = 0.05
# How long to wait before asking Redis again after it failed (the local pace goes on meanwhile).
REDIS_RETRY_SECONDS = 5.0


class SharedPacer:
    """The local `Pacer` (even spacing, this process's cap) plus one window per platform shared through Redis."""

    def __init__(
        self,
        local: Pacer,
        client: Any,
        key: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.local = local
        self.client = client
        self.key = key
        self.capacity = local.capacity
        self.period_us = int((local.period + SHARED_MARGIN_SECONDS) * 1_000_000)
        self._script = client.register_script(WINDOW_SCRIPT)
        self._clock = clock
        self._sleep = sleep
        self._redis_down_until = -math.inf

    async def acquire(self) -> Ticket:
        ticket = await self.local.acquire()
        try:
            await self._shared_place()
        except BaseException:
            self.local.answered(ticket)
            raise
        return ticket

    async def _shared_place(self) -> None:
        while self._clock() >= self._redis_down_until:
            try:
                wait_us = int(
                    await self._script(keys=[self.key], args=[self.capacity, self.period_us, uuid.uuid4().hex])
                )
            except Exception as exc:
                # Redis is gone: each process keeps its own pace (exact while one process sends, the clock leader)
                # rather than stopping every message; Redis is asked again shortly.
                log.warning("shared rate limit unavailable (%s: %s); pacing locally", type(exc).__name__, exc)
                self._redis_down_until = self._clock() + REDIS_RETRY_SECONDS
                return
            if wait_us <= 0:
                return
            await self._sleep(wait_us / 1_000_000)

    def answered(self, ticket: Ticket) -> None:
        self.local.answered(ticket)

    async def close(self) -> None:
        await self.client.aclose()


def make_pacer(
    settings: Settings,
    platform: str,
    rate: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> SendLimit:
    """The send limit for one platform: shared through Redis when REDIS_URL is set, else this process's own."""
    local = Pacer(rate, clock=clock, sleep=sleep)
    url = settings.redis_url.get_secret_value()
    if not url:
        return local
    import redis.asyncio

    client = redis.asyncio.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
    return SharedPacer(local, client, f"wego:send-window:{platform}", clock=clock, sleep=sleep)


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
