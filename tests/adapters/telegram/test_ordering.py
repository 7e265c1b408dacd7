"""python-telegram-bot with our update processor: chats side by side, one chat's updates in order, and a flood
wait that holds only its own chat."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import ContextTypes, TypeHandler

from bot.adapters.telegram.adapter import with_retries
from bot.adapters.telegram.ordering import ChatOrderedProcessor, order_key, order_key_of_payload
from bot.app import App, build_app
from tests.adapters.telegram.fakeapi import TOKEN, FakeBotApi, fake_bot_api


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with fake_bot_api() as server:
        yield server


def message(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    person = {"id": chat_id, "is_bot": False, "first_name": "P"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": person,
            "chat": {"id": chat_id, "type": "private"},
            "date": 1772442000,
            "text": text,
        },
    }


class Seen:
    def __init__(self) -> None:
        self.events: list[tuple[str, int, str]] = []
        self.running = 0
        self.peak = 0


async def run_updates(
    api: FakeBotApi, processor: ChatOrderedProcessor, payloads: list[dict[str, Any]], handler: Any
) -> None:
    from telegram.ext import Application

    application = (
        Application.builder().token(TOKEN).base_url(f"http://127.0.0.1:{api.port}/bot").concurrent_updates(processor)
    ).build()
    application.add_handler(TypeHandler(Update, handler))
    await application.initialize()
    await application.start()
    try:
        for payload in payloads:
            await application.update_queue.put(Update.de_json(payload, application.bot))
        await asyncio.wait_for(application.update_queue.join(), timeout=20)
    finally:
        await application.stop()
        await application.shutdown()


async def test_updates_of_one_chat_in_order_chats_side_by_side(api: FakeBotApi) -> None:
    rng = random.Random(7)
    chats = [1000 + n for n in range(12)]
    payloads = [message(update_id, rng.choice(chats), f"m{update_id}") for update_id in range(1, 241)]
    seen = Seen()

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.message is not None
        seen.running += 1
        seen.peak = max(seen.peak, seen.running)
        seen.events.append(("start", update.effective_chat.id, update.update_id))
        # Random handling times: without the processor's line a later update would often finish first.
        await asyncio.sleep(rng.uniform(0, 0.01))
        seen.events.append(("end", update.effective_chat.id, update.update_id))
        seen.running -= 1

    processor = ChatOrderedProcessor(concurrency=5, backlog=64)
    await run_updates(api, processor, payloads, handle)
    for chat in chats:
        sent = [p["update_id"] for p in payloads if p["message"]["chat"]["id"] == chat]
        # Strictly one after another: each update of the chat starts only after the previous one ended.
        lane = [(kind, update_id) for kind, chat_id, update_id in seen.events if chat_id == chat]
        assert lane == [(kind, update_id) for update_id in sent for kind in ("start", "end")], chat
    assert len(seen.events) == 2 * 240
    assert seen.peak == 5
    assert processor.runner.waiting_keys == 0


async def test_a_flood_wait_holds_only_its_own_chat(api: FakeBotApi) -> None:
    flooded_chat = 2001
    payloads = [message(1, flooded_chat, "first"), message(2, flooded_chat, "second")]
    payloads += [message(10 + n, 3000 + n, "other") for n in range(6)]
    finished: dict[int, float] = {}
    started: dict[int, float] = {}
    tries = {"count": 0}
    loop = asyncio.get_running_loop()

    async def send_once_flooded() -> str:
        tries["count"] += 1
        if tries["count"] == 1:
            raise RetryAfter(1)
        return "sent"

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        started[update.update_id] = loop.time()
        if update.update_id == 1:
            assert await with_retries(send_once_flooded) == "sent"
        else:
            await asyncio.sleep(0.01)
        finished[update.update_id] = loop.time()

    # One running slot: the other chats are answered only because the flood wait lends it out.
    processor = ChatOrderedProcessor(concurrency=1, backlog=16)
    begin = loop.time()
    await run_updates(api, processor, payloads, handle)
    assert tries["count"] == 2
    assert finished[1] - begin >= 1.0
    others = [update_id for update_id in finished if update_id >= 10]
    assert len(others) == 6
    assert all(finished[update_id] < finished[1] for update_id in others)
    # The same chat's next update waited for the flood wait to end.
    assert started[2] >= finished[1]


def test_order_key_is_the_chat_or_else_the_person() -> None:
    update = Update.de_json(message(5, 4242, "hi"), None)
    assert order_key(update) == ("chat", 4242)
    inline_press = Update.de_json(
        {
            "update_id": 6,
            "callback_query": {
                "id": "cb1",
                "from": {"id": 77, "is_bot": False, "first_name": "P"},
                "chat_instance": "x",
                "inline_message_id": "im1",
                "data": "menu",
            },
        },
        None,
    )
    assert order_key(inline_press) == ("user", 77)
    assert order_key(object()) is None


async def test_stored_webhook_updates_run_side_by_side_in_order_per_chat(app: App) -> None:
    from bot.adapters.telegram.inbox import UpdateInbox
    from bot.core.ordering import OrderedRunner

    assert app.storage is not None
    rng = random.Random(5)
    runner = OrderedRunner(4)
    seen = Seen()

    async def handle(data: dict[str, Any]) -> None:
        chat = data["message"]["chat"]["id"]
        seen.running += 1
        seen.peak = max(seen.peak, seen.running)
        seen.events.append(("start", chat, data["update_id"]))
        await asyncio.sleep(rng.uniform(0, 0.01))
        seen.events.append(("end", chat, data["update_id"]))
        seen.running -= 1

    async def process(data: dict[str, Any]) -> None:
        # As the door does: each chat's place in line is taken in the order the rows were claimed.
        await runner.run(data["message"]["chat"]["id"], handle(data))

    inbox = UpdateInbox(app.storage, process, in_flight=4)
    payloads = [message(update_id, 500 + rng.randrange(5), "hi") for update_id in range(1, 61)]
    for payload in payloads:
        assert await inbox.accept(payload["update_id"], payload)
    await inbox.start()
    try:
        for _ in range(500):
            if len(seen.events) == 120:
                break
            await asyncio.sleep(0.02)
    finally:
        await inbox.stop()
    for chat in {p["message"]["chat"]["id"] for p in payloads}:
        sent = [p["update_id"] for p in payloads if p["message"]["chat"]["id"] == chat]
        lane = [(kind, update_id) for kind, chat_id, update_id in seen.events if chat_id == chat]
        assert lane == [(kind, update_id) for update_id in sent for kind in ("start", "end")], chat
    assert seen.peak > 1


def test_the_stores_chat_key_is_ptbs() -> None:
    person = {"id": 77, "is_bot": False, "first_name": "P"}
    chat = {"id": -1009, "type": "supergroup", "title": "G"}
    payloads: list[dict[str, Any]] = [
        message(1, 4242, "hi"),
        {"update_id": 2, "edited_message": {**message(2, 4243, "x")["message"], "edit_date": 1772442001}},
        {
            "update_id": 3,
            "callback_query": {
                "id": "c",
                "from": person,
                "chat_instance": "i",
                "data": "menu",
                "message": {"message_id": 5, "date": 1772442000, "chat": chat},
            },
        },
        {"update_id": 4, "callback_query": {"id": "c", "from": person, "chat_instance": "i", "inline_message_id": "m"}},
        {"update_id": 5, "inline_query": {"id": "q", "from": person, "query": "", "offset": ""}},
        {
            "update_id": 6,
            "my_chat_member": {
                "chat": chat,
                "from": person,
                "date": 1772442000,
                "old_chat_member": {"status": "member", "user": person},
                "new_chat_member": {"status": "kicked", "user": person, "until_date": 0},
            },
        },
        {
            "update_id": 7,
            "poll_answer": {"poll_id": "p", "option_ids": [0], "option_persistent_ids": ["a"], "user": person},
        },
    ]
    for payload in payloads:
        assert order_key_of_payload(json.dumps(payload)) == order_key(Update.de_json(payload, None)), payload
    assert [order_key_of_payload(json.dumps(p)) for p in payloads] == [
        ("chat", 4242),
        ("chat", 4243),
        ("chat", -1009),
        ("user", 77),
        ("user", 77),
        ("chat", -1009),
        ("user", 77),
    ]
    assert order_key_of_payload("not json") is None


async def test_two_webhook_workers_on_one_database_keep_each_chats_order(tmp_path: Path, postgres_url: str) -> None:
    from bot.adapters.telegram.inbox import UpdateInbox
    from bot.core.ordering import OrderedRunner
    from storage.uow import Storage
    from tests.conftest import make_settings

    app = await build_app(make_settings(tmp_path, database_url=postgres_url))  # the schema
    await app.close()
    rng = random.Random(9)
    seen = Seen()
    workers: list[UpdateInbox] = []
    storages = [Storage(postgres_url) for _ in range(2)]
    handled_by: dict[int, int] = {}

    def worker(number: int, storage: Storage) -> UpdateInbox:
        runner = OrderedRunner(4)

        async def handle(data: dict[str, Any]) -> None:
            chat = data["message"]["chat"]["id"]
            handled_by[data["update_id"]] = number
            seen.events.append(("start", chat, data["update_id"]))
            await asyncio.sleep(rng.uniform(0, 0.02))
            seen.events.append(("end", chat, data["update_id"]))

        async def process(data: dict[str, Any]) -> None:
            await runner.run(data["message"]["chat"]["id"], handle(data))

        return UpdateInbox(storage, process, in_flight=4)

    workers = [worker(number, storage) for number, storage in enumerate(storages)]
    payloads = [message(update_id, 800 + rng.randrange(4), "hi") for update_id in range(1, 81)]
    try:
        # Both running before the first update arrives, as behind a load balancer: started after the updates
        # were stored, the first worker could take all 80 before the second began on a loaded machine.
        await asyncio.gather(*(inbox.start() for inbox in workers))
        for payload in payloads:
            assert await workers[payload["update_id"] % 2].accept(payload["update_id"], payload)
        for _ in range(1000):
            if len(seen.events) == 160:
                break
            await asyncio.sleep(0.02)
        for inbox in workers:
            await inbox.stop()
    finally:
        for storage in storages:
            await storage.close()
    for chat in {p["message"]["chat"]["id"] for p in payloads}:
        sent = [p["update_id"] for p in payloads if p["message"]["chat"]["id"] == chat]
        lane = [(kind, update_id) for kind, chat_id, update_id in seen.events if chat_id == chat]
        # Across both workers: each update of the chat starts only after the one before it ended.
        assert lane == [(kind, update_id) for update_id in sent for kind in ("start", "end")], chat
    assert set(handled_by.values()) == {0, 1}
