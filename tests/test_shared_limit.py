"""One send limit for several processes through Redis: three pacers (as three processes would have) sending as
fast as each may never put more than the limit into any one-second window together; without Redis each keeps its
own pace."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from scheduler.limits import Pacer, SharedPacer, make_pacer
from tests.conftest import make_settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_reachable() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


def busiest_window(times: list[float], period: float = 1.0) -> int:
    ordered = sorted(times)
    most = 0
    start = 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= period:
            start += 1
        most = max(most, end - start + 1)
    return most


async def send_for(pacer: SharedPacer | Pacer, seconds: float, sent: list[float]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ticket = await pacer.acquire()
        sent.append(time.monotonic())
        pacer.answered(ticket)


@pytest.fixture
async def settings_with_redis(tmp_path: object) -> AsyncIterator[Settings]:
    if not redis_reachable():
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    yield make_settings(tmp_path, redis_url=REDIS_URL)  # type: ignore[arg-type]


async def test_three_processes_share_one_limit(settings_with_redis: Settings) -> None:
    platform = f"telegram-test-{uuid.uuid4().hex}"
    pacers = [make_pacer(settings_with_redis, platform, 20.0) for _ in range(3)]
    assert all(isinstance(pacer, SharedPacer) for pacer in pacers)
    sent: list[float] = []
    try:
        await asyncio.gather(*(send_for(pacer, 3.0, sent) for pacer in pacers))
    finally:
        for pacer in pacers:
            await pacer.close()
    assert busiest_window(sent) <= 20
    # The deployment still uses its allowance: close to 20/s, not a third of it.
    assert len(sent) >= 50


async def test_each_process_alone_would_exceed_it(tmp_path: object) -> None:
    # The reference: the same three senders without Redis send three times the limit.
    pacers = [make_pacer(make_settings(tmp_path), "telegram", 20.0) for _ in range(3)]  # type: ignore[arg-type]
    assert all(isinstance(pacer, Pacer) for pacer in pacers)
    sent: list[float] = []
    await asyncio.gather(*(send_for(pacer, 1.5, sent) for pacer in pacers))
    assert busiest_window(sent) > 40


async def test_redis_down_falls_back_to_the_local_pace(tmp_path: object, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pacer = make_pacer(make_settings(tmp_path, redis_url=f"redis://127.0.0.1:{port}/0"), "telegram", 10.0)  # type: ignore[arg-type]
    sent: list[float] = []
    try:
        await send_for(pacer, 1.2, sent)
    finally:
        await pacer.close()
    assert len(sent) >= 10
    assert busiest_window(sent) <= 10
    warnings = [r.getMessage() for r in caplog.records if "shared rate limit unavailable" in r.getMessage()]
    assert len(warnings) == 1
