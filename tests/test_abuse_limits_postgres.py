"""The limits and stores of issue 14 on PostgreSQL, where events of one person really run at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build_app
from bot.services.telegram_updates import accept
from storage.models import FailedAttempt, Question, TelegramUpdate
from storage.telegram_updates import claim_next, interrupt_unfinished, mark_done
from tests.conftest import make_settings
from tests.helpers import ChatDriver


async def test_wrong_link_codes_and_team_questions_sent_at_once_stay_under_the_limits(
    tmp_path: Path, postgres_url: str
) -> None:
    app = await build_app(make_settings(tmp_path, database_url=postgres_url, team_questions_per_day=3))
    try:
        assert app.storage is not None
        mallory = ChatDriver(app, "mallory", platform="telegram")
        await mallory.send("/start")
        # Each send is its own event and transaction: 20 guesses at once, as a script would send them.
        drivers = [ChatDriver(app, "mallory", platform="telegram") for _ in range(20)]
        await asyncio.gather(*(d.send(f"/link 2222222{n % 10}") for n, d in enumerate(drivers)))
        refused = [d.text for d in drivers if d.text.startswith("Too many wrong link codes")]
        assert len(refused) == 15
        drivers = [ChatDriver(app, "mallory", platform="telegram") for _ in range(10)]
        await asyncio.gather(*(d.send(f"/team Question {n}?") for n, d in enumerate(drivers)))
        async with app.storage.unit_of_work() as uow:
            assert await uow.session.scalar(select(func.count()).select_from(FailedAttempt)) == 5
            assert await uow.session.scalar(select(func.count()).select_from(Question)) == 3
    finally:
        await app.close()


async def test_the_webhook_store_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    app = await build_app(make_settings(tmp_path, database_url=postgres_url))
    try:
        storage = app.storage
        assert storage is not None
        now = datetime(2026, 3, 2, tzinfo=UTC)
        stored = await asyncio.gather(*(accept(storage, 3_000_000_000 + n % 3, "{}", now) for n in range(9)))
        assert sorted(stored) == [False] * 6 + [True] * 3
        async with storage.unit_of_work() as uow:
            first = await claim_next(uow.session, now)
            second = await claim_next(uow.session, now)
            await uow.commit()
        assert first is not None and second is not None
        async with storage.unit_of_work() as uow:
            await mark_done(uow.session, first[0], now)
            await uow.commit()
        async with storage.unit_of_work() as uow:
            # Claimed in arrival order, which concurrent requests decide: the ids are read back from the rows.
            by_row = dict((await uow.session.execute(select(TelegramUpdate.id, TelegramUpdate.update_id))).all())
            done_id, handling_id = by_row[first[0]], by_row[second[0]]
            assert await interrupt_unfinished(uow.session, now) == [handling_id]
            await uow.commit()
            statuses = dict((await uow.session.execute(select(TelegramUpdate.update_id, TelegramUpdate.status))).all())
        [pending_id] = {3_000_000_000, 3_000_000_001, 3_000_000_002} - {done_id, handling_id}
        assert statuses == {done_id: "done", handling_id: "interrupted", pending_id: "pending"}
    finally:
        await app.close()
