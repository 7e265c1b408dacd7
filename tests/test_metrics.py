"""/metrics after real dispatches, deliveries and ticks: exact counts, names never text, not for the public side.

The metrics live for the whole test process (as in a real one), so each test compares two scrapes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App, build_app
from bot.core.actions import act
from bot.core.context import Context
from bot.core.ports import SendOutcome
from bot.core.replies import Reply
from bot.settings import PROJECT_ROOT
from bot.web import build_web_app
from scheduler import jobs
from scheduler.clock import SchedulerHandle
from scheduler.delivery import DeliveryWorker
from tests.conftest import FrozenClock, make_settings
from tests.fakes import FakeMessenger
from tests.helpers import ChatDriver
from tests.test_delivery_worker import CommitsFail, add_delivery, add_user, worker

Client = TestClient[object, object]
Sample = tuple[str, frozenset[tuple[str, str]]]
PRIVATE = "Zebulon Quaxworthy lives at 7 Larkspur Lane"


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


async def scrape(client: Client) -> tuple[dict[Sample, float], str]:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = await response.text()
    values = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return values, text


def key(name: str, **labels: str) -> Sample:
    return (name, frozenset(labels.items()))


def grown(before: dict[Sample, float], after: dict[Sample, float], prefix: str) -> dict[Sample, float]:
    """What changed between two scrapes, among the samples whose name starts with `prefix`."""
    return {
        sample: value - before.get(sample, 0.0)
        for sample, value in after.items()
        if sample[0].startswith(prefix) and value != before.get(sample, 0.0)
    }


async def test_updates_are_counted_and_timed_per_platform_and_route_never_by_text(app: App, client: Client) -> None:
    before, _text = await scrape(client)
    ann = ChatDriver(app, "ann")
    await ann.send("/progress")
    await ann.send("/PROGRESS@WeGoBot")
    await ann.send(PRIVATE)
    await ann.send("/nosuchcommand " + PRIVATE)
    await ann.press_action(act("menu"))
    await ann.press_action(act("nosuch.action", 1))
    await ChatDriver(app, "bo", platform="telegram").send("/progress")
    after, text = await scrape(client)
    counts = {
        key("wego_updates_total", platform="console", route="/progress"): 2.0,
        key("wego_updates_total", platform="console", route="text"): 1.0,
        key("wego_updates_total", platform="console", route="/unknown"): 1.0,
        key("wego_updates_total", platform="console", route="button:menu"): 1.0,
        key("wego_updates_total", platform="console", route="button:unknown"): 1.0,
        key("wego_updates_total", platform="telegram", route="/progress"): 1.0,
    }
    assert grown(before, after, "wego_updates_total") == counts
    # Every update was timed once, under the same labels.
    timed = grown(before, after, "wego_update_seconds_count")
    assert timed == {("wego_update_seconds_count", labels): value for (_name, labels), value in counts.items()}
    assert grown(before, after, "wego_handler_failures") == {}
    assert grown(before, after, "wego_db_errors") == {}
    for word in ("Zebulon", "Larkspur", "nosuchcommand", "nosuch.action"):
        assert word not in text


async def test_deliveries_by_outcome_flood_waits_and_the_outbox_backlog(
    app: App, client: Client, clock: FrozenClock
) -> None:
    for name in ("ann", "bob", "cat"):
        await add_delivery(app, await add_user(app, name), clock)
    clock.advance(seconds=90)
    before, _text = await scrape(client)
    assert before[key("wego_outbox_pending")] == 3.0
    assert before[key("wego_outbox_oldest_pending_seconds")] == 90.0

    messenger = FakeMessenger(
        script={
            "bob": [SendOutcome("retry", retry_after=7, error="429")],
            "cat": [SendOutcome("unreachable", error="Forbidden: bot was blocked")],
        }
    )
    w = worker(app, clock, messenger)
    await w.run_until_idle()
    after, _text = await scrape(client)
    assert grown(before, after, "wego_deliveries_total") == {
        key("wego_deliveries_total", platform="telegram", status="sent"): 1.0,
        key("wego_deliveries_total", platform="telegram", status="retry"): 1.0,
        key("wego_deliveries_total", platform="telegram", status="unreachable"): 1.0,
    }
    assert grown(before, after, "wego_flood_wait") == {
        key("wego_flood_waits_total", platform="telegram"): 1.0,
        key("wego_flood_wait_seconds_total", platform="telegram"): 7.0,
    }
    # bob's row waits out the flood limit: not due, so not a backlog.
    assert (after[key("wego_outbox_pending")], after[key("wego_outbox_oldest_pending_seconds")]) == (0.0, 0.0)
    clock.advance(seconds=10)
    later, _text = await scrape(client)
    assert (later[key("wego_outbox_pending")], later[key("wego_outbox_oldest_pending_seconds")]) == (1.0, 3.0)


async def test_a_send_whose_outcome_is_saved_on_the_second_try_is_counted_once(
    app: App, client: Client, clock: FrozenClock
) -> None:
    assert app.storage is not None
    await add_delivery(app, await add_user(app, "ann"), clock)
    storage = CommitsFail(app.storage)

    def sent_then_locked(chat_id: str, reply: Reply) -> SendOutcome:
        storage.fail = 1
        return SendOutcome("sent")

    config = make_settings(app.settings.data_dir.parent, per_chat_interval_seconds=0.0, telegram_rate_limit=1000.0)
    messenger = FakeMessenger(decide=sent_then_locked)
    w = DeliveryWorker(storage, {"telegram": messenger}, config, clock=clock, monotonic=lambda: clock.now.timestamp())
    before, _text = await scrape(client)
    await w.run_until_idle()
    after, _text = await scrape(client)
    assert storage.refused == 1
    assert grown(before, after, "wego_deliveries_total") == {
        key("wego_deliveries_total", platform="telegram", status="sent"): 1.0
    }


async def test_handler_failures_and_database_errors_by_kind(tmp_path: Path, app: App, client: Client) -> None:
    async def boom(ctx: Context) -> Reply:
        """Fails on purpose."""
        raise RuntimeError("broken on purpose")

    app.router.command("boom")(boom)
    await ChatDriver(app, "alice").send("/language de")
    before, _text = await scrape(client)
    await ChatDriver(app, "alice").send("/boom")
    # The same database opened read-only: the write is refused once, and not retried.
    url = f"sqlite+aiosqlite:///file:{app.settings.data_dir / 'wego.sqlite3'}?mode=ro&uri=true"
    read_only = await build_app(make_settings(tmp_path, database_url=url))
    try:
        await ChatDriver(read_only, "alice").send("/language en")
    finally:
        await read_only.close()
    after, _text = await scrape(client)
    assert grown(before, after, "wego_handler_failures_total") == {
        key("wego_handler_failures_total", platform="console", route="/boom"): 1.0
    }
    assert grown(before, after, "wego_db_errors_total") == {key("wego_db_errors_total", kind="readonly"): 1.0}


async def test_clock_ticks_are_timed_and_a_failed_tick_is_counted(
    app: App, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = SchedulerHandle(app, {})
    before, _text = await scrape(client)
    await handle.tick()

    async def broken(*args: object) -> int:
        raise RuntimeError("scan failed on purpose")

    monkeypatch.setattr(jobs, "expire_offers", broken)
    await handle.tick()
    after, _text = await scrape(client)
    changed = grown(before, after, "wego_tick")
    assert changed[key("wego_tick_seconds_count")] == 2.0
    assert changed[key("wego_tick_failures_total")] == 1.0
    assert changed[key("wego_tick_seconds_sum")] > 0


async def test_metrics_are_not_served_through_a_reverse_proxy_nor_when_turned_off(app: App, client: Client) -> None:
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        response = await client.get("/metrics", headers={header: "203.0.113.7"})
        assert response.status == 404
        assert "wego_" not in await response.text()
    off = await build_app(make_settings(app.settings.data_dir.parent / "off", metrics_enabled=False))
    try:
        async with TestClient(TestServer(build_web_app(off))) as off_client:
            assert (await off_client.get("/metrics")).status == 404
            assert (await off_client.get("/health")).status == 200
    finally:
        await off.close()


def test_commands_that_serve_no_metrics_do_not_load_the_client_library(tmp_path: Path) -> None:
    code = (
        "import sys, json\n"
        "from bot.cli import main\n"
        "main(['ask', 'how do I contact the secretariat'])\n"
        "main(['chat', '--user', 'zoe'])\n"
        "print('LOADED', json.dumps('prometheus_client' in sys.modules))\n"
    )
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        input="/help\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED " + json.dumps(False)


async def test_the_readme_names_only_metrics_that_exist_and_its_yaml_parses(client: Client) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Metrics and logs") : readme.index("## Editing the program")]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    scrape_config, rules = (yaml.safe_load(block) for block in blocks)
    assert scrape_config["scrape_configs"][0]["job_name"] == "wego-bot"
    assert [rule["alert"] for rule in rules["groups"][0]["rules"]] == ["WegoOutboxStuck", "WegoErrorRate"]
    _values, text = await scrape(client)
    exposed = set(re.findall(r"^# TYPE (\w+) ", text, re.M))
    named = set(re.findall(r"\bwego_\w+", section))
    assert named
    for name in sorted(named):
        assert name in exposed or name.removesuffix("_total") in exposed, name
