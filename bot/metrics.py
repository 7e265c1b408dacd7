"""Prometheus metrics, all defined here, and the one-line hooks the dispatcher, the clock and the outbox call.

Nothing is recorded, and prometheus_client is not even imported, until the web server turns metrics on
(`enable()`, when it serves `/metrics`): `wego-bot ask` and `chat` start without it (bench/startup), and a process
nobody can scrape keeps no counters. Labels are names from a fixed set (platforms, registered commands and button
actions, outcome kinds), never anything a person typed.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Coroutine, Iterable
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.router import Router, parse_command
from bot.core.text import MAX_TEXT, clean_text
from bot.logging_setup import EVENT_ID

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.events import Event

# Seconds: chat answers are expected in milliseconds; a tick may take seconds on a large database.
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

Owner = TypeVar("Owner")


class Metrics:
    """The process's metrics in their own registry (the process collectors included)."""

    def __init__(self) -> None:
        from prometheus_client import (
            GC_COLLECTOR,
            PLATFORM_COLLECTOR,
            PROCESS_COLLECTOR,
            CollectorRegistry,
            Counter,
            Gauge,
            Histogram,
            disable_created_metrics,
        )

        # A `_created` timestamp beside every counter and histogram doubles the series for no alert's use.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = registry = CollectorRegistry()
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            registry.register(collector)
        self.updates = Counter(
            "wego_updates",
            "Updates (messages, commands, button presses) handled.",
            ["platform", "route"],
            registry=registry,
        )
        self.update_seconds = Histogram(
            "wego_update_seconds",
            "Time to answer one update, database retries included.",
            ["platform", "route"],
            buckets=UPDATE_BUCKETS,
            registry=registry,
        )
        self.handler_failures = Counter(
            "wego_handler_failures",
            "Updates answered with 'something went wrong' (an unexpected error).",
            ["platform", "route"],
            registry=registry,
        )
        self.db_errors = Counter(
            "wego_db_errors",
            "Database errors met while handling updates, by kind (locked and busy are retried).",
            ["kind"],
            registry=registry,
        )
        self.deliveries = Counter(
            "wego_deliveries",
            "Outbox send attempts by outcome (sent, retry, unreachable, failed), counted once saved.",
            ["platform", "status"],
            registry=registry,
        )
        self.flood_waits = Counter(
            "wego_flood_waits",
            "Sends the platform answered with a flood wait (retry after).",
            ["platform"],
            registry=registry,
        )
        self.flood_wait_seconds = Counter(
            "wego_flood_wait_seconds", "Seconds the platform asked to wait, summed.", ["platform"], registry=registry
        )
        self.outbox_pending = Gauge(
            "wego_outbox_pending", "Outbox rows due now and not yet sent (read at scrape time).", registry=registry
        )
        self.outbox_oldest = Gauge(
            "wego_outbox_oldest_pending_seconds",
            "How long the oldest due outbox row has been waiting (0 when none; read at scrape time).",
            registry=registry,
        )
        self.tick_seconds = Histogram(
            "wego_tick_seconds",
            "Duration of one clock tick (the catch-up pass).",
            buckets=TICK_BUCKETS,
            registry=registry,
        )
        self.tick_failures = Counter("wego_tick_failures", "Clock ticks that failed.", registry=registry)
        self.clock_leader = Gauge(
            "wego_clock_leader",
            "1 while this process runs the clock and the delivery worker (exactly one process should).",
            registry=registry,
        )
        # The client library's own aiohttp handler: the format Prometheus asks for (Accept), compression.
        from prometheus_client.aiohttp import make_aiohttp_handler

        self.exposition = make_aiohttp_handler(registry)
        # (platform, route) → that update's latency and count children: `.labels()` checks and looks them up
        # under a lock for every call; the labels come from a fixed set (see the module's docstring), and no
        # child is ever removed, so the ones it handed out are the ones it would hand out again.
        self._update_children: dict[tuple[str, str], tuple[Any, Any]] = {}

    def update_children(self, labels: tuple[str, str]) -> tuple[Any, Any]:
        """The latency histogram's and the update counter's children for these labels."""
        children = self._update_children.get(labels)
        if children is None:
            children = self._update_children[labels] = (
                self.update_seconds.labels(*labels),
                self.updates.labels(*labels),
            )
        return children


_metrics: Metrics | None = None
# The update being handled: its labels, for a failure counted deeper down in the dispatcher.
_update: ContextVar[tuple[str, str] | None] = ContextVar("wego_update", default=None)


def enable() -> Metrics:
    """Start recording (idempotent): called by the web server that serves them."""
    global _metrics
    if _metrics is None:
        _metrics = Metrics()
    return _metrics


def route_label(event: Event, router: Router, text: str | None = None) -> str:
    """`/progress`, `button:menu`, or `text`; unknown names collapse into one label each, so none is ever typed.

    `text`: the event's text as `clean_text` leaves it, when the caller has it already (the dispatcher cleans it
    for itself); ignored for a text longer than MAX_TEXT, which is labelled `text` whatever it says."""
    if event.action is not None:
        name = event.action.name
        return f"button:{name}" if name in router.actions else "button:unknown"
    if len(event.text) > MAX_TEXT:
        return "text"
    command = parse_command(clean_text(event.text) if text is None else text)
    if command is None:
        return "text"
    return f"/{command[0]}" if command[0] in router.commands else "/unknown"


class _Observed:
    """`observe_update`'s block: a class rather than a generator, since it is entered for every update (a
    generator-based context manager costs a generator and its frame's resumptions each time)."""

    __slots__ = ("_children", "_event", "_event_token", "_router", "_started", "_text", "_update_token")

    def __init__(self, event: Event, router: Router, text: str | None) -> None:
        self._event, self._router, self._text = event, router, text

    def __enter__(self) -> None:
        event = self._event
        self._event_token = EVENT_ID.set(event.event_id or None)
        metrics = _metrics
        if metrics is None:
            self._children = None
            return
        labels = (event.platform, route_label(event, self._router, self._text))
        self._children = metrics.update_children(labels)
        self._update_token = _update.set(labels)
        self._started = time.perf_counter()

    def __exit__(self, *_exc: object) -> None:
        children = self._children
        if children is None:
            EVENT_ID.reset(self._event_token)
            return
        try:
            seconds, count = children
            seconds.observe(time.perf_counter() - self._started)
            count.inc()
        finally:
            _update.reset(self._update_token)
            EVENT_ID.reset(self._event_token)


def observe_update(event: Event, router: Router, text: str | None = None) -> contextlib.AbstractContextManager[None]:
    """Around one dispatch: the event id for log lines, and (metrics on) the update's count and latency.

    `text`: the event's cleaned text, when the caller has it (see `route_label`)."""
    return _Observed(event, router, text)


def update_failed(db_problem: str | None) -> None:
    """One failed attempt at an update: a database error of that kind, or (None) a handler failure."""
    metrics, labels = _metrics, _update.get()
    if metrics is None:
        return
    if db_problem is not None:
        metrics.db_errors.labels(db_problem).inc()
    elif labels is not None:
        metrics.handler_failures.labels(*labels).inc()


def sends_saved(outcomes: Iterable[tuple[str, str | None, float | None]]) -> None:
    """Outcomes of sends whose marks were committed, as (platform, status, flood wait); a None status is a send
    put off unsent."""
    metrics = _metrics
    if metrics is None:
        return
    for platform, status, retry_after in outcomes:
        if status is None:
            continue
        metrics.deliveries.labels(platform, status).inc()
        if retry_after:
            metrics.flood_waits.labels(platform).inc()
            metrics.flood_wait_seconds.labels(platform).inc(retry_after)


def timed_tick(tick: Callable[[Owner], Coroutine[Any, Any, None]]) -> Callable[[Owner], Coroutine[Any, Any, None]]:
    """Decorates the clock's tick: its duration, whatever the tick does inside."""

    @functools.wraps(tick)
    async def timed(self: Owner) -> None:
        started = time.perf_counter()
        try:
            await tick(self)
        finally:
            if _metrics is not None:
                _metrics.tick_seconds.observe(time.perf_counter() - started)

    return timed


def clock_leader(leading: bool) -> None:
    """This process took (True) or gave up (False) the clock; the gauge reads 0 in a process that never led."""
    if _metrics is not None:
        _metrics.clock_leader.set(1 if leading else 0)


def tick_failed() -> None:
    if _metrics is not None:
        _metrics.tick_failures.inc()


async def outbox_backlog(session: AsyncSession, now: datetime) -> tuple[int, float]:
    """Rows due and unsent, and the age in seconds of the oldest: one query on the claim's own index."""
    from sqlalchemy import func, select

    from storage.models import Delivery

    count, oldest = (
        await session.execute(
            select(func.count(), func.min(Delivery.not_before)).where(
                Delivery.status == "pending", Delivery.not_before <= now
            )
        )
    ).one()
    return int(count), max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


def set_outbox_backlog(pending: int | None, oldest_seconds: float | None) -> None:
    """The backlog read for this scrape; one that could not be read is reported as NaN (unknown), not as 0."""
    metrics = enable()
    metrics.outbox_pending.set(float("nan") if pending is None else pending)
    metrics.outbox_oldest.set(float("nan") if oldest_seconds is None else oldest_seconds)
