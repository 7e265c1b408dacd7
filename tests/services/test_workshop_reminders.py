"""Workshop reminders (bot/services/workshop_reminders.py): the due slot once per confirmed place, worded by the
writer handed in, in the recipient's zone."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from bot.domain.messages import Reply
from bot.domain.workshops import RegistrationStatus
from bot.services import workshop_reminders
from storage.models import Delivery, Registration, User, Workshop
from storage.uow import Storage
from tests.services.conftest import NOW, add_person

SLOTS = [("2h", timedelta(hours=2)), ("1d", timedelta(days=1))]
# 22:00-08:00: NOW (09:00 UTC) is 10:00 in Rome and 18:00 in Seoul, outside quiet hours in both.
QUIET = (time(22, 0), time(8, 0))


def _write(workshop: Workshop, zone: str, language: str) -> Reply:
    return Reply(f"{workshop.title} in {zone}, written in {language}")


async def _queue(storage: Storage) -> int:
    async with storage.unit_of_work() as uow:
        return await workshop_reminders.queue_due(
            uow, SLOTS, _write, now=NOW, quiet=QUIET, default_zone="Europe/Rome", default_locale="en"
        )


async def test_the_due_slot_is_queued_once_to_confirmed_places_only(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        workshop = Workshop(
            city="Milan",
            title="Champions",
            starts_at=NOW + timedelta(hours=20),
            timezone="Europe/Rome",
            capacity=10,
            checkin_code="secret",
            created_at=NOW,
        )
        uow.session.add(workshop)
        await uow.session.flush()
        people = {name: await add_person(uow, name) for name in ("anna", "ben", "carl", "dora")}
        anna = await uow.session.get_one(User, people["anna"])
        anna.timezone, anna.locale = "Asia/Seoul", "ko"
        for name, status, registered in (
            ("anna", RegistrationStatus.CONFIRMED, NOW - timedelta(days=5)),
            ("ben", RegistrationStatus.WAITLISTED, NOW - timedelta(days=5)),
            # Signed up after the one-day slot had passed: that slot is not theirs.
            ("carl", RegistrationStatus.CONFIRMED, NOW - timedelta(hours=1)),
            ("dora", RegistrationStatus.CANCELLED, NOW - timedelta(days=5)),
        ):
            uow.session.add(
                Registration(workshop_id=workshop.id, user_id=people[name], status=status, registered_at=registered)
            )
        await uow.commit()
    assert await _queue(storage) == 1
    assert await _queue(storage) == 0
    async with storage.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(Delivery))).all()
    assert [(d.user_id, d.kind, d.text) for d in rows] == [
        (people["anna"], "workshop", "Champions in Asia/Seoul, written in ko")
    ]


async def test_no_slots_queue_nothing(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        assert (
            await workshop_reminders.queue_due(
                uow, [], _write, now=NOW, quiet=QUIET, default_zone="Europe/Rome", default_locale="en"
            )
            == 0
        )
