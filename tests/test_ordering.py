"""The ordered runner: concurrency across keys up to the limit, strict order within a key, slots lent out in a
pause, and the line kept when a waiting event is cancelled."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.core.ordering import OrderedRunner, pause


class Recorder:
    def __init__(self) -> None:
        self.started: dict[str, list[int]] = {}
        self.running = 0
        self.peak = 0

    async def job(self, key: str, number: int, seconds: float) -> int:
        self.started.setdefault(key, []).append(number)
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(seconds)
        finally:
            self.running -= 1
        return number


async def test_each_key_in_order_and_keys_side_by_side_up_to_the_limit() -> None:
    runner = OrderedRunner(4)
    recorder = Recorder()
    rng = random.Random(15)
    keys = [f"chat{n}" for n in range(10)]
    jobs = []
    for number in range(200):
        key = rng.choice(keys)
        # Later events of a key are often quicker than earlier ones: only the runner keeps them in order.
        jobs.append(asyncio.create_task(runner.run(key, recorder.job(key, number, rng.uniform(0, 0.01)))))
    results = await asyncio.gather(*jobs)
    assert results == list(range(200))
    for key, numbers in recorder.started.items():
        assert numbers == sorted(numbers), key
    assert sum(len(numbers) for numbers in recorder.started.values()) == 200
    assert recorder.peak == 4
    assert runner.waiting_keys == 0 and runner.running == 0


async def test_a_pause_lends_the_slot_to_other_keys_but_holds_its_own_key() -> None:
    runner = OrderedRunner(1)
    order: list[str] = []

    async def flooded() -> None:
        order.append("a1 start")
        await pause(0.3)
        order.append("a1 end")

    async def quick(name: str) -> None:
        order.append(name)

    tasks = [
        asyncio.create_task(runner.run("a", flooded())),
        asyncio.create_task(runner.run("a", quick("a2"))),
        asyncio.create_task(runner.run("b", quick("b1"))),
        asyncio.create_task(runner.run("c", quick("c1"))),
    ]
    await asyncio.gather(*tasks)
    # With one slot, b and c still ran during a1's wait; a2 waited for a1.
    assert order == ["a1 start", "b1", "c1", "a1 end", "a2"]
    assert runner.running == 0


async def test_a_cancelled_waiter_keeps_the_one_behind_it_waiting() -> None:
    runner = OrderedRunner(8)
    release = asyncio.Event()
    order: list[str] = []

    async def first() -> None:
        order.append("first start")
        await release.wait()
        order.append("first end")

    async def third() -> None:
        order.append("third")

    one = asyncio.create_task(runner.run("k", first()))
    second_job = asyncio.sleep(0)
    two = asyncio.create_task(runner.run("k", second_job))
    three = asyncio.create_task(runner.run("k", third()))
    await asyncio.sleep(0.01)
    two.cancel()
    await asyncio.sleep(0.01)
    assert order == ["first start"]  # the third still waits for the first
    release.set()
    await asyncio.gather(one, three)
    with pytest.raises(asyncio.CancelledError):
        await two
    assert order == ["first start", "first end", "third"]
    assert runner.waiting_keys == 0


async def test_no_key_means_no_order() -> None:
    runner = OrderedRunner(2)
    order: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(0.05)
        order.append("slow")

    async def fast() -> None:
        order.append("fast")

    await asyncio.gather(runner.run(None, slow()), runner.run(None, fast()))
    assert order == ["fast", "slow"]


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        OrderedRunner(0)
