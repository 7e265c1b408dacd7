"""`wego-bot run` with a Telegram token: starts polling, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

from bot.runner import run
from tests.adapters.telegram.fakeapi import TOKEN, fake_bot_api
from tests.conftest import make_settings

FIXTURES = Path(__file__).parent / "fixtures"


async def test_sigterm_stops_polling_and_closes(tmp_path: Path) -> None:
    async with fake_bot_api() as api:
        api.updates.append(json.loads((FIXTURES / "private_start.json").read_text(encoding="utf-8")))
        settings = make_settings(tmp_path, telegram_token=TOKEN, telegram_base_url=f"http://127.0.0.1:{api.port}/bot")
        running = asyncio.create_task(run(settings, console_user="nobody"))
        for _ in range(250):
            if api.called("sendMessage"):
                break
            await asyncio.sleep(0.02)
        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(running, timeout=15) == 0
        assert [call["chat_id"] for call in api.called("sendMessage")] == [111111111]
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
