"""A tiny `wego-bot run` for the restart test: the real clock and worker, a Messenger that appends to a file.

Usage: python -m tests.restart_entry OUT_FILE SEND_DELAY — settings come from the environment. Exits 0 once no
broadcast is left sending and no delivery is pending.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build_app
from bot.core.ports import SendOutcome
from bot.core.replies import Reply
from bot.settings import Settings
from scheduler.clock import start_scheduler
from storage.models import Broadcast, Delivery


class FileMessenger:
    platform = "telegram"

    def __init__(self, path: Path, delay: float) -> None:
        self.path, self.delay = path, delay

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        await asyncio.sleep(self.delay)
        # Written and flushed to disk before "sent" is returned: a kill after this line is a message delivered
        # but not yet marked, which is exactly the in-flight case.
        with self.path.open("a") as handle:
            handle.write(f"{chat_id}\t{reply.text.splitlines()[-1]}\n")
            handle.flush()
            os.fsync(handle.fileno())
        return SendOutcome("sent")


async def main(out: Path, delay: float) -> int:
    app = await build_app(Settings())
    handle = await start_scheduler(app, {"telegram": FileMessenger(out, delay)})
    assert app.storage is not None
    try:
        while True:
            await asyncio.sleep(0.1)
            async with app.storage.unit_of_work() as uow:
                busy = await uow.session.scalar(
                    select(func.count()).select_from(Broadcast).where(Broadcast.status.in_(("scheduled", "sending")))
                )
                waiting = await uow.session.scalar(
                    select(func.count()).select_from(Delivery).where(Delivery.status.in_(("pending", "sending")))
                )
            if not busy and not waiting:
                return 0
    finally:
        await handle.stop()
        await app.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2]))))
