"""What the clock keeps a job for (bot/services/timers.py): study reminders and scheduled broadcasts with their
times, and the overdue study reminders, read on an in-memory SQLite unit of work."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.statuses import BroadcastStatus
from bot.services.timers import Timer, broadcast_timers, overdue_study, study_timers
from storage.models import Broadcast, StudyReminder
from storage.uow import Storage
from tests.services.conftest import NOW, add_person


async def _rows(storage: Storage) -> tuple[dict[str, int], dict[str, int]]:
    async with storage.unit_of_work() as uow:
        anna = await add_person(uow, "anna")
        studies = {
            "due": StudyReminder(user_id=anna, weekdays="mon", at_local="19:00", next_due_at=NOW - timedelta(hours=1)),
            "later": StudyReminder(user_id=anna, weekdays="tue", at_local="19:00", next_due_at=NOW + timedelta(days=1)),
            "paused": StudyReminder(
                user_id=anna, weekdays="wed", at_local="19:00", paused=True, next_due_at=NOW - timedelta(hours=2)
            ),
            "undated": StudyReminder(user_id=anna, weekdays="thu", at_local="19:00", next_due_at=None),
        }
        casts = {
            status: Broadcast(
                audience={},
                texts={"en": "hi"},
                default_language="en",
                status=status,
                scheduled_at=NOW + timedelta(hours=3) if status == BroadcastStatus.SCHEDULED else None,
                created_at=NOW,
            )
            for status in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)
        }
        uow.session.add_all([*studies.values(), *casts.values()])
        await uow.session.flush()
        result = {k: v.id for k, v in studies.items()}, {k: v.id for k, v in casts.items()}
        await uow.commit()
        return result


async def test_the_active_study_reminders_all_or_those_asked_for(storage: Storage) -> None:
    studies, _casts = await _rows(storage)
    async with storage.unit_of_work() as uow:
        every = await study_timers(uow)
        asked = await study_timers(uow, {studies["later"], studies["paused"]})
        none = await study_timers(uow, set())
    assert every == [
        Timer(studies["due"], NOW - timedelta(hours=1)),
        Timer(studies["later"], NOW + timedelta(days=1)),
    ]
    assert asked == [Timer(studies["later"], NOW + timedelta(days=1))]
    assert none == []


async def test_only_scheduled_broadcasts_wait_for_their_time(storage: Storage) -> None:
    _studies, casts = await _rows(storage)
    async with storage.unit_of_work() as uow:
        assert await broadcast_timers(uow) == [Timer(casts[BroadcastStatus.SCHEDULED], NOW + timedelta(hours=3))]


async def test_overdue_study_is_due_by_now_and_not_paused(storage: Storage) -> None:
    studies, _casts = await _rows(storage)
    async with storage.unit_of_work() as uow:
        assert await overdue_study(uow, NOW) == [studies["due"]]
        assert sorted(await overdue_study(uow, NOW + timedelta(days=2))) == [studies["due"], studies["later"]]
        assert await overdue_study(uow, NOW - timedelta(hours=2)) == []
