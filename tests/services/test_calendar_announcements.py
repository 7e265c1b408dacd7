"""What the platform calendar mirrors of the workshops, and which started broadcasts wait for their public post."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.statuses import BroadcastStatus
from bot.domain.workshops import WorkshopStatus
from bot.services import announcements, calendar
from storage.models import Broadcast, Workshop
from storage.uow import Storage
from tests.services.conftest import NOW


def _workshop(city: str, starts: timedelta | None, status: WorkshopStatus = WorkshopStatus.SCHEDULED) -> Workshop:
    return Workshop(
        city=city,
        title="Champions",
        venue="Town hall" if city == "Milan" else "",
        starts_at=NOW + starts if starts is not None else None,
        timezone="Europe/Rome",
        capacity=10,
        status=status,
        checkin_code="secret",
        created_at=NOW,
        updated_at=NOW,
    )


async def test_the_calendar_mirrors_future_and_cancelled_workshops_and_notices_a_change(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        rows = [
            _workshop("Milan", timedelta(days=3)),
            _workshop("Seoul", timedelta(days=-3)),
            _workshop("Paris", None),
            _workshop("Lyon", timedelta(days=-1), WorkshopStatus.CANCELLED),
        ]
        uow.session.add_all(rows)
        await uow.session.flush()
        milan, _seoul, _paris, lyon = (row.id for row in rows)
        await uow.commit()
    async with storage.unit_of_work() as uow:
        assert await calendar.workshops_to_mirror(uow, NOW) == [milan, lyon]
        assert await calendar.entry(uow, milan) == calendar.CalendarEntry(
            milan, "Milan", "Champions", "Town hall", NOW + timedelta(days=3), 180, WorkshopStatus.SCHEDULED
        )
        assert await calendar.entry(uow, 999) is None
        before = await calendar.fingerprint(uow)
        assert await calendar.fingerprint(uow) == before
    async with storage.unit_of_work() as uow:
        row = await uow.session.get_one(Workshop, milan)
        row.status = WorkshopStatus.CANCELLED
        await uow.commit()
    async with storage.unit_of_work() as uow:
        assert await calendar.fingerprint(uow) != before
        changed = await calendar.entry(uow, milan)
        assert changed is not None and changed.status is WorkshopStatus.CANCELLED


async def test_started_broadcasts_wait_for_their_public_post_once_and_only_for_a_day(storage: Storage) -> None:
    def broadcast(status: BroadcastStatus, started: timedelta | None, platform: str | None = None) -> Broadcast:
        return Broadcast(
            audience={"platform": platform} if platform else {},
            texts={"en": f"{status} text", "it": "testo"},
            default_language="en",
            status=status,
            started_at=NOW - started if started is not None else None,
            created_at=NOW,
        )

    async with storage.unit_of_work() as uow:
        rows = [
            broadcast(BroadcastStatus.SENDING, timedelta(hours=1), "discord"),
            broadcast(BroadcastStatus.DONE, timedelta(hours=2)),
            broadcast(BroadcastStatus.DONE, timedelta(days=2)),
            broadcast(BroadcastStatus.SCHEDULED, None),
            broadcast(BroadcastStatus.CANCELLED, timedelta(hours=1)),
        ]
        uow.session.add_all(rows)
        await uow.session.flush()
        sending, done = rows[0].id, rows[1].id
        await uow.commit()
    async with storage.unit_of_work() as uow:
        assert await announcements.waiting(uow, NOW) == [
            announcements.Announcement(sending, "discord", "en", "sending text"),
            announcements.Announcement(done, None, "en", "done text"),
        ]
        await announcements.mark_announced(uow, sending, NOW)
    async with storage.unit_of_work() as uow:
        assert [item.broadcast_id for item in await announcements.waiting(uow, NOW)] == [done]
        assert await uow.session.scalar(select(Broadcast.announced_at).where(Broadcast.id == sending)) == NOW
