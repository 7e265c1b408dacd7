"""Certificate eligibility, reminder timing and the delete confirmation, as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.certificates import WorkshopVerdict, course_record_due, workshop_eligibility, workshop_year
from bot.domain.privacy import CONFIRM_WINDOW, confirmation_stamp, confirmation_valid
from bot.domain.progress import CourseProgress
from bot.domain.reminders import UnknownTimeZone, first_due, next_due, stored_weekdays

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("birth_year", "verdict", "age"),
    [
        (1992, WorkshopVerdict.QUALIFIES, 34),
        (1991, WorkshopVerdict.UNCLEAR, 35),
        (1990, WorkshopVerdict.TOO_OLD, 36),
        (None, WorkshopVerdict.BIRTH_YEAR_MISSING, None),
    ],
)
def test_workshop_eligibility_by_the_age_rule(
    birth_year: int | None, verdict: WorkshopVerdict, age: int | None
) -> None:
    eligibility = workshop_eligibility(2026, birth_year, 35)
    assert (eligibility.verdict, eligibility.age, eligibility.limit) == (verdict, age, 35)


def test_the_workshop_year_is_the_venues() -> None:
    new_year_in_rome = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert workshop_year(new_year_in_rome, None, "Europe/Rome") == 2027
    assert workshop_year(None, new_year_in_rome, "UTC") == 2026


def test_the_course_record_needs_every_lecture_and_a_name() -> None:
    complete = CourseProgress(frozenset({"1.1"}), (), 1, None)
    incomplete = CourseProgress(frozenset(), (), 1, "1.1")
    assert course_record_due(complete, "Ada")
    assert not course_record_due(complete, None)
    assert not course_record_due(complete, "")
    assert not course_record_due(incomplete, "Ada")


def test_a_weekly_reminder_keeps_its_local_time_across_daylight_saving() -> None:
    assert stored_weekdays([1, 4]) == "1,4"
    # Thursday 19:00 in Rome: 18:00 UTC in winter; after 29 March, 17:00 UTC.
    assert next_due("1,4", "19:00", "Europe/Rome", NOW) == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert next_due("1,4", "19:00", "Europe/Rome", NOW + timedelta(weeks=4)) == datetime(2026, 3, 30, 17, 0, tzinfo=UTC)
    assert next_due("1,4", "19:00", "Not/AZone", NOW) is None
    assert next_due("", "19:00", "Europe/Rome", NOW) is None


def test_a_first_due_time_needs_a_real_zone() -> None:
    assert first_due([1], time(8, 0), "Asia/Seoul", NOW) == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    with pytest.raises(UnknownTimeZone) as refused:
        first_due([1], time(8, 0), "Mars/Olympus", NOW)
    assert refused.value.zone == "Mars/Olympus"


def test_the_delete_confirmation_counts_for_ten_minutes_only() -> None:
    stamp = confirmation_stamp(NOW)
    assert confirmation_valid(stamp, NOW)
    assert confirmation_valid(stamp, NOW + CONFIRM_WINDOW)
    assert not confirmation_valid(stamp, NOW + CONFIRM_WINDOW + timedelta(seconds=1))
    assert not confirmation_valid(stamp, NOW - timedelta(seconds=1))
    assert not confirmation_valid(None, NOW)
