"""Study reminders and notification choices as use cases."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.domain import reminders as rules
from bot.services import reminders as service
from bot.services.reminders import ZoneSource
from storage.models import User
from storage.uow import Storage
from tests.services.conftest import NOW, add_person

# NOW is Monday 2 March 2026, 09:00 UTC.


async def _add(storage: Storage, user_id: int, *, locale: str = "en", venue: str | None = None):
    async with storage.unit_of_work() as uow:
        return await service.add_study_reminder(
            uow, user_id, [1, 4], time(19, 0), now=NOW, zone="Europe/London", venue_zone=venue, locale=locale
        )


async def test_a_reminder_is_due_at_its_local_time_in_the_persons_zone(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        (await uow.session.get_one(User, alice)).timezone = "Europe/London"
        await uow.commit()
    added = await _add(storage, alice)
    assert (added.zone, added.zone_source) == ("Europe/London", ZoneSource.CHOSEN)
    assert (added.reminder.weekdays, added.reminder.at_local, added.reminder.paused) == ((1, 4), "19:00", False)
    assert added.reminder.next_due_at == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)


async def test_a_good_guess_is_kept_as_the_zone_and_a_stand_in_is_said(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        luca = await add_person(uow, "luca", locale="it")
        sam = await add_person(uow, "sam")
    guessed = await _add(storage, luca, locale="it")
    stand_in = await _add(storage, sam)
    assert (guessed.zone, guessed.zone_source) == ("Europe/Rome", ZoneSource.GUESSED)
    assert guessed.reminder.next_due_at == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert (stand_in.zone, stand_in.zone_source) == ("Europe/London", ZoneSource.STAND_IN)
    async with storage.unit_of_work() as uow:
        zones = [(await uow.session.get_one(User, user)).timezone for user in (luca, sam)]
    assert zones == ["Europe/Rome", None]


async def test_at_most_ten_reminders(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    for _ in range(rules.MAX_STUDY_REMINDERS):
        await _add(storage, alice)
    with pytest.raises(rules.TooManyReminders) as refused:
        await _add(storage, alice)
    assert refused.value.limit == 10


async def test_only_ones_own_reminder_can_be_paused_resumed_or_removed(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        bob = await add_person(uow, "bob")
    reminder_id = (await _add(storage, alice)).reminder.id
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.NoSuchReminder) as refused:
            await service.pause_reminder(uow, bob, reminder_id)
        assert refused.value.reminder_id == reminder_id
        assert (await service.pause_reminder(uow, alice, reminder_id)).paused
        resumed = await service.resume_reminder(uow, alice, reminder_id, zone="Asia/Seoul", now=NOW)
        # Monday 19:00 in Seoul is 10:00 UTC, still ahead of 09:00 UTC.
        assert (resumed.paused, resumed.next_due_at) == (False, datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
        await service.remove_reminder(uow, alice, reminder_id)
        assert await service.study_reminders(uow, alice) == []


async def test_a_new_zone_moves_reminders_to_their_local_time_there(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    await _add(storage, alice)
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.UnknownTimeZone):
            await service.set_time_zone(uow, alice, "Mars/Olympus", now=NOW)
        assert await service.set_time_zone(uow, alice, "America/New_York", now=NOW) == 1
        (reminder,) = await service.study_reminders(uow, alice)
    assert reminder.next_due_at == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


async def test_notification_choices_start_on_and_refuse_unknown_kinds(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        assert await service.notification_choices(uow, alice) == {"workshop": True, "study": True, "nudge": True}
        assert await service.set_notification(uow, alice, "nudge", False) == {
            "workshop": True,
            "study": True,
            "nudge": False,
        }
        with pytest.raises(rules.UnknownNotificationKind):
            await service.set_notification(uow, alice, "spam", True)
