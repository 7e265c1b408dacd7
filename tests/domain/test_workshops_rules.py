"""The workshop rules as pure functions: statuses, seats, the sign-up / offer decisions, queue numbers, the
check-in window and code, and the staff input they read. No database, no wording."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.workshop_input import optional_venue_time, start_time, venue_time, zone_name
from bot.domain.workshop_refusals import (
    AlreadyRegistered,
    AttendedCannotCancel,
    BadTime,
    BadZone,
    OfferGone,
    OfferLapsed,
    RegistrationClosed,
    WorkshopCancelled,
    WorkshopOver,
)
from bot.domain.workshops import (
    BIRTH_YEAR_QUESTION_OPEN,
    CHECKIN_PAUSE,
    MAX_WRONG_CODES,
    DisplayStatus,
    RegistrationStatus,
    Seats,
    WrongCodes,
    accept_offer_decision,
    checkin_code_for,
    checkin_window,
    count_wrong_code,
    display_status,
    normalize_code,
    offer_deadline,
    paused,
    place_for,
    question_open,
    queue_numbers,
    queue_time,
    refuse_if_registered,
    refuse_unless_cancellable,
    refuse_unless_open,
    session_code,
    split_preregistrations,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@dataclass(frozen=True)
class W:
    """A workshop as the rules read it."""

    id: int = 7
    city: str = "Milan"
    status: str = "scheduled"
    starts_at: datetime | None = START
    duration_minutes: int = 120
    timezone: str = "Europe/Rome"
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    checkin_code: str = "0123456789abcdef"


def test_statuses_keep_the_stored_values() -> None:
    assert [s.value for s in RegistrationStatus] == ["confirmed", "waitlisted", "offered", "preregistered", "cancelled"]
    assert RegistrationStatus("offered") is RegistrationStatus.OFFERED
    assert RegistrationStatus.CONFIRMED == "confirmed"


@pytest.mark.parametrize(
    ("workshop", "seats", "expected"),
    [
        (W(), Seats(capacity=2, confirmed=1), DisplayStatus.OPEN),
        (W(), Seats(capacity=2, confirmed=1, offered=1), DisplayStatus.FULL),
        (W(starts_at=None), Seats(capacity=2), DisplayStatus.TBA),
        (W(status="closed"), Seats(capacity=2), DisplayStatus.CLOSED),
        (W(registration_opens_at=NOW + timedelta(minutes=1)), Seats(capacity=2), DisplayStatus.CLOSED),
        (W(registration_closes_at=NOW), Seats(capacity=2), DisplayStatus.CLOSED),
        (W(starts_at=NOW), Seats(capacity=2), DisplayStatus.PAST),
        (W(status="cancelled", starts_at=NOW), Seats(capacity=2), DisplayStatus.CANCELLED),
    ],
)
def test_display_status(workshop: W, seats: Seats, expected: DisplayStatus) -> None:
    assert display_status(workshop, seats, NOW) is expected


def test_seats_count_offers_as_taken_and_never_go_below_zero() -> None:
    seats = Seats(capacity=3, confirmed=2, offered=1, waiting=4, preregistered=1)
    assert (seats.taken, seats.free, seats.registered) == (3, 0, 8)
    assert Seats(capacity=1, confirmed=3).free == 0


def test_a_new_sign_up_goes_to_a_seat_the_queue_or_the_pre_registrations() -> None:
    assert place_for(W(), Seats(capacity=1)) is RegistrationStatus.CONFIRMED
    assert place_for(W(), Seats(capacity=1, offered=1)) is RegistrationStatus.WAITLISTED
    assert place_for(W(starts_at=None), Seats(capacity=5)) is RegistrationStatus.PREREGISTERED


def test_sign_up_refusals_carry_the_workshop() -> None:
    with pytest.raises(WorkshopCancelled) as cancelled:
        refuse_unless_open(W(status="cancelled"), NOW)
    assert (cancelled.value.workshop_id, cancelled.value.city) == (7, "Milan")
    with pytest.raises(WorkshopOver):
        refuse_unless_open(W(starts_at=NOW - timedelta(seconds=1)), NOW)
    with pytest.raises(RegistrationClosed):
        refuse_unless_open(W(status="closed"), NOW)
    refuse_unless_open(W(), NOW)


def test_one_active_registration_per_person() -> None:
    refuse_if_registered(7, None, None)
    refuse_if_registered(7, 3, "cancelled")  # signing up again after cancelling
    with pytest.raises(AlreadyRegistered) as already:
        refuse_if_registered(7, 3, "waitlisted")
    assert (already.value.workshop_id, already.value.registration_id) == (7, 3)
    assert already.value.status is RegistrationStatus.WAITLISTED


def test_the_queue_follows_lock_order() -> None:
    last = NOW + timedelta(seconds=5)
    assert queue_time(NOW + timedelta(seconds=6), last, reused_row=False) == NOW + timedelta(seconds=6)
    assert queue_time(NOW, last, reused_row=False) == last  # a tie: the larger id comes last
    assert queue_time(NOW, last, reused_row=True) == last + timedelta(microseconds=1)
    assert queue_time(NOW, None, reused_row=True) == NOW


def test_queue_numbers_count_each_queue_in_order() -> None:
    queue = [(1, "confirmed"), (2, "waitlisted"), (3, "preregistered"), (4, "cancelled"), (5, "waitlisted")]
    assert queue_numbers(queue) == {2: 1, 3: 1, 5: 2}


def test_pre_registrations_take_the_free_seats_in_order() -> None:
    assert split_preregistrations(2, ["a", "b", "c"]) == (["a", "b"], ["c"])
    assert split_preregistrations(0, ["a"]) == ([], ["a"])
    assert split_preregistrations(-1, ["a"]) == ([], ["a"])


def test_an_offer_lasts_its_hours_but_never_past_the_start() -> None:
    assert offer_deadline(W(), NOW, 48) == NOW + timedelta(hours=48)
    assert offer_deadline(W(starts_at=NOW + timedelta(hours=3)), NOW, 48) == NOW + timedelta(hours=3)


def test_confirming_an_offer() -> None:
    later = NOW + timedelta(hours=1)
    assert accept_offer_decision(3, "offered", later, W(), NOW) is True
    assert accept_offer_decision(3, "confirmed", None, W(), NOW) is False  # pressed twice
    with pytest.raises(OfferLapsed):
        accept_offer_decision(3, "offered", NOW, W(), NOW)
    with pytest.raises(OfferGone):
        accept_offer_decision(3, "cancelled", None, W(), NOW)
    # Closing registration does not take back an offer; cancelling the workshop does.
    assert accept_offer_decision(3, "offered", later, W(status="closed"), NOW) is True
    with pytest.raises(WorkshopCancelled):
        accept_offer_decision(3, "offered", later, W(status="cancelled"), NOW)


def test_attendance_and_the_start_end_cancelling() -> None:
    with pytest.raises(AttendedCannotCancel):
        refuse_unless_cancellable(NOW, W(), NOW)
    with pytest.raises(WorkshopOver):
        refuse_unless_cancellable(None, W(starts_at=NOW), NOW)
    refuse_unless_cancellable(None, W(), NOW)


def test_check_in_window_and_session_code() -> None:
    assert checkin_window(W()) == (START - timedelta(hours=1), START + timedelta(minutes=120))
    assert checkin_window(W(starts_at=None)) is None
    code = checkin_code_for(W())
    # The venue's day (Rome), not UTC's: a 00:30 start in Rome is the previous day in UTC.
    assert code == session_code("0123456789abcdef", date(2026, 3, 10))
    late = W(starts_at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    assert checkin_code_for(late) == session_code("0123456789abcdef", date(2026, 3, 10))
    assert checkin_code_for(W(starts_at=None)) is None
    assert code is not None and len(code) == 6 and not set(code) & set("01OI")
    assert normalize_code(f" {code.lower()} ") == code
    assert normalize_code("ABC") is None and normalize_code("ÄBCDEF") is None


def test_wrong_codes_pause_check_in_after_the_limit() -> None:
    codes: WrongCodes | None = None
    for _ in range(MAX_WRONG_CODES - 1):
        codes = count_wrong_code(codes, NOW)
        assert codes.paused_until is None
    codes = count_wrong_code(codes, NOW)
    assert (codes.failures, codes.paused_until) == (MAX_WRONG_CODES, NOW + CHECKIN_PAUSE)
    assert paused(codes, NOW) == NOW + CHECKIN_PAUSE
    assert paused(codes, NOW + CHECKIN_PAUSE) is None
    # After the pause a new series begins.
    assert count_wrong_code(codes, NOW + CHECKIN_PAUSE) == WrongCodes(1, NOW + CHECKIN_PAUSE, None)
    # An old series is forgotten after the window.
    old = WrongCodes(3, NOW - timedelta(hours=2), None)
    assert count_wrong_code(old, NOW) == WrongCodes(1, NOW, None)
    assert count_wrong_code(replace(old, first_failure_at=NOW), NOW).failures == 4


def test_venue_times_and_zones() -> None:
    assert venue_time("2026-03-29 10:00", "Europe/Rome", now=NOW) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    with pytest.raises(BadTime) as skipped:
        venue_time("2026-03-29 02:30", "Europe/Rome", now=NOW)
    assert (skipped.value.reason, skipped.value.zone) == ("skipped", "Europe/Rome")
    with pytest.raises(BadTime) as unreadable:
        venue_time("tomorrow", "Europe/Rome", now=NOW)
    assert unreadable.value.reason == "unreadable"
    with pytest.raises(BadTime) as past:
        venue_time("2026-02-01 10:00", "Europe/Rome", now=NOW)
    assert past.value.reason == "past"
    assert optional_venue_time("2026-02-01 10:00", "Europe/Rome", NOW) == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    assert optional_venue_time("none", "Europe/Rome", NOW) is None
    assert start_time("TBA", "Europe/Rome", NOW) is None
    with pytest.raises(BadTime) as far:
        venue_time("2099-01-01 10:00", "Europe/Rome", now=NOW)
    assert far.value.reason == "too_late" and far.value.latest == datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
    assert zone_name(" Asia/Seoul ") == "Asia/Seoul"
    with pytest.raises(BadZone) as folder:
        zone_name("Europe")
    assert folder.value.text == "Europe"
    assert folder.value.suggestions[:3] == ("Europe/Berlin", "Europe/Budapest", "Europe/Paris")
    with pytest.raises(BadZone) as unknown:
        zone_name("Mars/Olympus")
    assert not unknown.value.is_folder


def test_a_typed_year_answers_only_a_recent_question() -> None:
    assert question_open(NOW - BIRTH_YEAR_QUESTION_OPEN + timedelta(seconds=1), NOW)
    assert not question_open(NOW - BIRTH_YEAR_QUESTION_OPEN, NOW)
