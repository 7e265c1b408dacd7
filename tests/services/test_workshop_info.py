"""The workshop use cases hand the chat a read-only copy (bot/domain/workshop_info.py), never the stored row."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshop_input import WorkshopFields
from bot.domain.workshops import NoticeKind, display_status
from bot.services import signups, workshop_admin, workshops
from bot.services.seats import Notice
from storage.models import User, Workshop
from storage.uow import Storage

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def _setup(storage: Storage, capacity: int = 1) -> tuple[int, list[int]]:
    fields = WorkshopFields(
        city="Milan", timezone="Europe/Rome", capacity=capacity, start_local="2026-03-20 15:00", venue="Via Roma 1"
    )
    async with storage.unit_of_work() as uow:
        created = await workshop_admin.create_workshop(uow, fields, NOW, default_title="Champions")
        people = [User(display_name=name) for name in ("anna", "ben")]
        uow.session.add_all(people)
        await uow.session.flush()
        result = created.id, [p.id for p in people]
        await uow.commit()
        return result


async def test_a_copy_has_every_field_of_the_row_and_cannot_be_changed(storage: Storage) -> None:
    wid, _people = await _setup(storage)
    async with storage.unit_of_work() as uow:
        row = await uow.session.get_one(Workshop, wid)
        info = WorkshopInfo.of(row)
        assert [(f.name, getattr(info, f.name)) for f in dataclasses.fields(info)] == [
            (f.name, getattr(row, f.name)) for f in dataclasses.fields(info)
        ]
        assert (info.city, info.venue, info.title, info.capacity) == ("Milan", "Via Roma 1", "Champions", 1)
        assert info.starts_at == datetime(2026, 3, 20, 14, 0, tzinfo=UTC)
        with pytest.raises(dataclasses.FrozenInstanceError):
            info.city = "Rome"  # type: ignore[misc]
        # The rules read it as they read the row.
        seats = (await workshops.views(uow, [row], NOW))[0].seats
        assert display_status(info, seats, NOW) == display_status(row, seats, NOW)
        await uow.commit()


async def test_sign_up_page_cancel_and_the_seat_offer_hand_out_copies(storage: Storage) -> None:
    wid, (anna, ben) = await _setup(storage)
    told: list[Notice] = []

    async def notify(notice: Notice) -> None:
        told.append(notice)

    async with storage.unit_of_work() as uow:
        opened = await signups.open_for(uow, wid, anna, NOW)
        done = await signups.sign_up(uow, wid, anna, NOW, notify=notify, offer_hours=48)
        await signups.sign_up(uow, wid, ben, NOW, notify=notify, offer_hours=48)
        page = await workshops.workshop_page(uow, wid, anna, NOW, notify=notify, offer_hours=48)
        assert page.mine is not None
        _reg, cancelled = await signups.cancel(uow, done.registration.id, anna, NOW, notify=notify, offer_hours=48)
        row = await uow.session.get_one(Workshop, wid)
    expected = WorkshopInfo.of(row)
    handed = [opened, done.workshop, page.view.workshop, page.mine.workshop, cancelled]
    assert [type(w) for w in handed] == [WorkshopInfo] * 5
    assert handed == [expected] * 5
    assert [(n.kind, n.user_id, type(n.workshop)) for n in told] == [(NoticeKind.OFFERED, ben, WorkshopInfo)]


async def test_a_new_date_is_in_the_copy_the_notice_and_the_answer_carry(storage: Storage) -> None:
    wid, (anna, _ben) = await _setup(storage, capacity=2)
    told: list[Notice] = []

    async def notify(notice: Notice) -> None:
        told.append(notice)

    async with storage.unit_of_work() as uow:
        await signups.sign_up(uow, wid, anna, NOW, notify=notify, offer_hours=48)
        moved = await workshop_admin.set_date(uow, wid, "2026-03-27 15:00", NOW, notify=notify, offer_hours=48)
    assert type(moved) is WorkshopInfo
    assert moved.starts_at == datetime(2026, 3, 27, 14, 0, tzinfo=UTC)
    assert [(n.kind, n.user_id, n.workshop) for n in told] == [(NoticeKind.RESCHEDULED, anna, moved)]
