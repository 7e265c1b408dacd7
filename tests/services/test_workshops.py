"""The workshop use cases on an in-memory SQLite unit of work: typed results, refusals and the notices they
send, never wording. (The chat scenarios in tests/test_workshops*.py check what people read.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.domain.workshop_input import WorkshopFields
from bot.domain.workshop_refusals import (
    AlreadyRegistered,
    BadTime,
    CapacityBelowTaken,
    MissingFields,
    NoConfirmedSeat,
    NoSuchRegistration,
    NoSuchWorkshop,
    OfferLapsed,
    RegistrationClosed,
    WorkshopCancelled,
)
from bot.domain.workshops import CHECKIN_PAUSE, MAX_WRONG_CODES, NoticeKind, RegistrationStatus, checkin_code_for
from bot.services import signups, workshop_admin, workshop_reports
from bot.services.seats import Notice, expire_offers
from bot.services.signups import YearOutcome
from bot.services.workshop_checkin import CheckInOutcome, check_in, mark_attended
from storage.models import Registration, User, Workshop
from storage.uow import Storage

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OFFER_HOURS = 48


class Told:
    """A Notify that records who was told what."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []

    async def __call__(self, notice: Notice) -> None:
        self.notices.append(notice)

    @property
    def seen(self) -> list[tuple[NoticeKind, int, int | None]]:
        return [(n.kind, n.user_id, n.position) for n in self.notices]


async def _people(storage: Storage, *names: str, birth_year: int | None = None) -> list[int]:
    async with storage.unit_of_work() as uow:
        users = [User(display_name=name, full_name=name, birth_year=birth_year) for name in names]
        uow.session.add_all(users)
        await uow.session.flush()
        result = [u.id for u in users]
        await uow.commit()
        return result


async def _workshop(storage: Storage, *, capacity: int = 1, start: str = "2026-03-20 15:00", **more: object) -> int:
    fields = WorkshopFields(city="Milan", timezone="Europe/Rome", capacity=capacity, start_local=start)
    for name, value in more.items():
        setattr(fields, name, value)
    async with storage.unit_of_work() as uow:
        return (await workshop_admin.create_workshop(uow, fields, NOW, default_title="Champions")).id


async def _sign_up(
    storage: Storage, workshop_id: int, user_id: int, told: Told, at: datetime = NOW, *, year: int | None = None
) -> signups.SignedUp:
    async with storage.unit_of_work() as uow:
        return await signups.sign_up(
            uow, workshop_id, user_id, at, notify=told, offer_hours=OFFER_HOURS, birth_year=year
        )


async def _statuses(storage: Storage, workshop_id: int) -> list[tuple[int, str]]:
    async with storage.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Registration.user_id, Registration.status)
            .where(Registration.workshop_id == workshop_id)
            .order_by(Registration.id)
        )
        return [(row[0], row[1]) for row in rows]


async def _birth_year(storage: Storage, user_id: int) -> int | None:
    async with storage.unit_of_work() as uow:
        return (await uow.session.get_one(User, user_id)).birth_year


async def test_sign_up_gives_seats_then_queue_numbers(storage: Storage) -> None:
    wid = await _workshop(storage, capacity=1)
    alice, bob, carol = await _people(storage, "alice", "bob", "carol")
    told = Told()
    first = await _sign_up(storage, wid, alice, told, year=1999)
    second = await _sign_up(storage, wid, bob, told)
    third = await _sign_up(storage, wid, carol, told)
    assert (first.registration.status, first.number, first.year) == ("confirmed", None, YearOutcome.SAVED)
    assert (second.registration.status, second.number, second.year) == ("waitlisted", 1, YearOutcome.NOT_GIVEN)
    assert (third.registration.status, third.number) == ("waitlisted", 2)
    assert await _birth_year(storage, alice) == 1999
    assert told.notices == []


async def test_an_old_year_button_changes_nothing_for_someone_already_registered(storage: Storage) -> None:
    """The review's bug: the reply said "already registered", and the year was rewritten all the same."""
    wid = await _workshop(storage)
    [known] = await _people(storage, "known", birth_year=1990)
    [skipped] = await _people(storage, "skipped")
    told = Told()
    signed = await _sign_up(storage, wid, known, told, year=1990)
    assert signed.year == YearOutcome.KNOWN
    await _sign_up(storage, wid, skipped, told)
    for user_id, status in ((known, RegistrationStatus.CONFIRMED), (skipped, RegistrationStatus.WAITLISTED)):
        with pytest.raises(AlreadyRegistered) as already:
            await _sign_up(storage, wid, user_id, told, year=2001)
        assert (already.value.workshop_id, already.value.status) == (wid, status)
    assert (await _birth_year(storage, known), await _birth_year(storage, skipped)) == (1990, None)
    assert await _statuses(storage, wid) == [(known, "confirmed"), (skipped, "waitlisted")]


async def test_open_for_is_the_one_check_before_the_questions(storage: Storage) -> None:
    wid = await _workshop(storage, capacity=5)
    [alice] = await _people(storage, "alice")
    async with storage.unit_of_work() as uow:
        assert (await signups.open_for(uow, wid, alice, NOW)).id == wid
    await _sign_up(storage, wid, alice, Told())
    async with storage.unit_of_work() as uow:
        with pytest.raises(AlreadyRegistered):
            await signups.open_for(uow, wid, alice, NOW)
        with pytest.raises(NoSuchWorkshop):
            await signups.open_for(uow, wid + 1, alice, NOW)
    async with storage.unit_of_work() as uow:
        await workshop_admin.set_registration_open(uow, wid, False, NOW)
    [bob] = await _people(storage, "bob")
    with pytest.raises(RegistrationClosed) as closed:
        await _sign_up(storage, wid, bob, Told())
    assert (closed.value.workshop_id, closed.value.city) == (wid, "Milan")


async def test_a_cancelled_seat_is_offered_confirmed_or_lapses_to_the_next(storage: Storage) -> None:
    wid = await _workshop(storage, capacity=1)
    alice, bob, carol = await _people(storage, "alice", "bob", "carol")
    told = Told()
    mine = await _sign_up(storage, wid, alice, told)
    for minutes, person in ((1, bob), (2, carol)):
        await _sign_up(storage, wid, person, told, NOW + timedelta(minutes=minutes))
    later = NOW + timedelta(hours=1)
    async with storage.unit_of_work() as uow:
        await signups.cancel(uow, mine.registration.id, alice, later, notify=told, offer_hours=OFFER_HOURS)
    assert told.seen == [(NoticeKind.OFFERED, bob, None)]
    assert told.notices[0].registration.offer_expires_at == later + timedelta(hours=OFFER_HOURS)
    offer_id = told.notices[0].registration.id
    # bob lets it lapse: confirming late is refused, the clock passes the seat to carol.
    lapsed = later + timedelta(hours=OFFER_HOURS)
    async with storage.unit_of_work() as uow:
        with pytest.raises(OfferLapsed):
            await signups.confirm_offer(uow, offer_id, bob, lapsed)
    async with storage.unit_of_work() as uow:
        expired = await expire_offers(uow.session, lapsed, notify=told, offer_hours=OFFER_HOURS)
        await uow.commit()
    assert [r.user_id for r in expired] == [bob]
    assert told.seen[1:] == [(NoticeKind.OFFER_EXPIRED, bob, None), (NoticeKind.OFFERED, carol, None)]
    async with storage.unit_of_work() as uow:
        registration, _w = await signups.confirm_offer(uow, told.notices[2].registration.id, carol, lapsed)
    assert registration.status == "confirmed"
    assert await _statuses(storage, wid) == [(alice, "cancelled"), (bob, "cancelled"), (carol, "confirmed")]
    # Someone else's registration id is as unknown as a missing one.
    async with storage.unit_of_work() as uow:
        with pytest.raises(NoSuchRegistration):
            await signups.cancel(uow, registration.id, alice, lapsed, notify=told, offer_hours=OFFER_HOURS)


async def test_setting_the_date_confirms_pre_registrations_in_order(storage: Storage) -> None:
    wid = await _workshop(storage, capacity=2, start="tba")
    people = await _people(storage, "p1", "p2", "p3", "p4")
    told = Told()
    for minutes, person in enumerate(people):
        signed = await _sign_up(storage, wid, person, told, NOW + timedelta(minutes=minutes))
        assert (signed.registration.status, signed.number) == ("preregistered", minutes + 1)
    async with storage.unit_of_work() as uow:
        await workshop_admin.set_date(uow, wid, "2026-05-14 15:00", NOW, notify=told, offer_hours=OFFER_HOURS)
    p1, p2, p3, p4 = people
    assert told.seen == [
        (NoticeKind.DATE_CONFIRMED, p1, None),
        (NoticeKind.DATE_CONFIRMED, p2, None),
        (NoticeKind.DATE_WAITLISTED, p3, 1),
        (NoticeKind.DATE_WAITLISTED, p4, 2),
    ]
    async with storage.unit_of_work() as uow:
        await workshop_admin.set_date(uow, wid, "2026-05-15 15:00", NOW, notify=told, offer_hours=OFFER_HOURS)
    assert [kind for kind, _user, _n in told.seen[4:]] == [NoticeKind.RESCHEDULED] * 4
    async with storage.unit_of_work() as uow:
        registrants = await workshop_reports.registrants(uow, wid)
    assert [(r.user.id, r.registration.status, r.number) for r in registrants] == [
        (p1, "confirmed", None),
        (p2, "confirmed", None),
        (p3, "waitlisted", 1),
        (p4, "waitlisted", 2),
    ]


async def test_staff_refusals_leave_the_workshop_as_it_was(storage: Storage) -> None:
    wid = await _workshop(storage, capacity=2)
    alice, bob = await _people(storage, "alice", "bob")
    told = Told()
    for person in (alice, bob):
        await _sign_up(storage, wid, person, told)
    with pytest.raises(CapacityBelowTaken) as below:
        async with storage.unit_of_work() as uow:
            await workshop_admin.edit_workshop(
                uow, wid, WorkshopFields(capacity=1, venue="Hall"), NOW, notify=told, offer_hours=OFFER_HOURS
            )
    assert below.value.taken == 2
    with pytest.raises(BadTime):
        async with storage.unit_of_work() as uow:
            await workshop_admin.edit_workshop(
                uow, wid, WorkshopFields(venue="Hall", closes_local="someday"), NOW, notify=told, offer_hours=1
            )
    async with storage.unit_of_work() as uow:
        workshop = await uow.session.get_one(Workshop, wid)
        assert (workshop.capacity, workshop.venue, workshop.registration_closes_at) == (2, "", None)
        with pytest.raises(MissingFields) as missing:
            await workshop_admin.create_workshop(uow, WorkshopFields(city="Rome"), NOW, default_title="x")
    assert missing.value.missing == ("zone", "capacity")


async def test_cancelling_a_workshop_tells_everyone_and_closes_it_for_good(storage: Storage) -> None:
    wid = await _workshop(storage, capacity=1)
    alice, bob = await _people(storage, "alice", "bob")
    told = Told()
    for person in (alice, bob):
        await _sign_up(storage, wid, person, told)
    async with storage.unit_of_work() as uow:
        preview = await workshop_admin.cancel_preview(uow, wid)
        assert preview.seats.registered == 2
        assert await workshop_admin.cancel_workshop(uow, wid, NOW, notify=told) == [alice, bob]
    assert told.seen == [(NoticeKind.WORKSHOP_CANCELLED, alice, None), (NoticeKind.WORKSHOP_CANCELLED, bob, None)]
    assert await _statuses(storage, wid) == [(alice, "cancelled"), (bob, "cancelled")]
    async with storage.unit_of_work() as uow:
        with pytest.raises(WorkshopCancelled):
            await workshop_admin.set_date(uow, wid, "2026-05-14 15:00", NOW, notify=told, offer_hours=1)


async def test_check_in_outcomes_and_the_pause(storage: Storage) -> None:
    wid = await _workshop(storage, capacity=1, start="2026-03-20 15:00", duration_minutes=120)  # 14:00 UTC
    alice, bob = await _people(storage, "alice", "bob")
    await _sign_up(storage, wid, alice, Told())
    await _sign_up(storage, wid, bob, Told())
    async with storage.unit_of_work() as uow:
        code = checkin_code_for(await uow.session.get_one(Workshop, wid))
    assert code is not None
    early = datetime(2026, 3, 20, 12, 30, tzinfo=UTC)
    results = []
    for user_id, at in ((alice, early), (alice, early + timedelta(hours=1)), (bob, early + timedelta(hours=1))):
        async with storage.unit_of_work() as uow:
            results.append(await check_in(uow, code.lower(), user_id, at))
    assert [(r.outcome, r.at) for r in results] == [
        (CheckInOutcome.NOT_YET, datetime(2026, 3, 20, 13, 0, tzinfo=UTC)),
        (CheckInOutcome.CHECKED_IN, None),
        (CheckInOutcome.NO_SEAT, None),
    ]
    # Wrong codes are counted (committed), and the last one starts the pause.
    wrong = []
    for _ in range(MAX_WRONG_CODES):
        async with storage.unit_of_work() as uow:
            wrong.append(await check_in(uow, "ZZZZZZ", bob, early))
    assert [r.outcome for r in wrong] == [CheckInOutcome.WRONG_CODE] * MAX_WRONG_CODES
    assert [r.at for r in wrong] == [None] * (MAX_WRONG_CODES - 1) + [early + CHECKIN_PAUSE]
    async with storage.unit_of_work() as uow:
        assert (await check_in(uow, code, bob, early)).outcome == CheckInOutcome.PAUSED
    # Staff may mark only a confirmed seat.
    async with storage.unit_of_work() as uow:
        with pytest.raises(NoConfirmedSeat) as no_seat:
            await mark_attended(uow, wid, bob, early, typed_user=str(bob))
        assert no_seat.value.user == str(bob)
        _w, registration = await mark_attended(uow, wid, alice, early + timedelta(hours=2))
        assert registration.attended_at == early + timedelta(hours=1)  # the first record stands


async def test_export_numbers_the_queue_and_defuses_formulas(storage: Storage) -> None:
    wid = await _workshop(storage, capacity=1)
    [alice] = await _people(storage, "=alice", birth_year=1995)
    [bob] = await _people(storage, "bob", birth_year=1991)
    [carol] = await _people(storage, "carol")
    async with storage.unit_of_work() as uow:
        (await uow.session.get_one(User, carol)).full_name = None
        await uow.commit()
    for person in (alice, bob, carol):
        await _sign_up(storage, wid, person, Told())
    async with storage.unit_of_work() as uow:
        export = await workshop_reports.export_registrants(uow, [wid], age_limit=35)
        counts = await workshop_reports.counts_per_city(uow)
    lines = export.csv.splitlines()
    assert (export.workshops, export.rows, len(lines)) == (1, 3, 4)
    assert lines[0] == (
        "workshop_id,city,starts_at_local,timezone,user_id,record_name,display_name,status,waiting_position,"
        "registered_at_utc,attended_at_utc,birth_year,under_35"
    )
    # The name on records beside the platform name; the 2026 workshop: 31 is under 35, 35 is for staff to check.
    assert lines[1].split(",")[4:] == [
        str(alice),
        "'=alice",
        "'=alice",
        "confirmed",
        "",
        NOW.isoformat(),
        "",
        "1995",
        "under",
    ]
    assert lines[2].split(",")[4:] == [
        str(bob),
        "bob",
        "bob",
        "waitlisted",
        "1",
        NOW.isoformat(),
        "",
        "1991",
        "unclear",
    ]
    assert lines[3].split(",")[4:] == [str(carol), "", "carol", "waitlisted", "2", NOW.isoformat(), "", "", ""]
    assert [(c.city, c.registered, c.waiting, c.attended) for c in counts] == [("Milan", 1, 2, 0)]
