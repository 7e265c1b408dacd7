"""Who gets which certificate record: the online course record once every lecture is marked, a workshop record for
an attendee the age rule lets through (bot/certificates/rules.py states that rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.certificates.rules import AgeRule, age_rule
from bot.domain.progress import CourseProgress


class RecordKind(StrEnum):
    COURSE = "course"
    WORKSHOP = "workshop"


class WorkshopVerdict(StrEnum):
    QUALIFIES = "qualifies"
    # No year of birth: it is asked at workshop sign-up.
    BIRTH_YEAR_MISSING = "birth_year_missing"
    # The workshop's year minus the year of birth equals the limit: only the birthday can tell (staff check it).
    UNCLEAR = "unclear"
    TOO_OLD = "too_old"


def course_record_due(progress: CourseProgress, name: str | None) -> bool:
    """A course record is issued once every current lecture is marked and the person set the name it shows."""
    return progress.complete and bool(name)


def workshop_year(starts_at: datetime | None, attended_at: datetime | None, zone: str) -> int:
    """The year the age rule counts in: the workshop's own, in its zone (a check-in stands in for a missing date)."""
    moment = starts_at or attended_at
    assert moment is not None, "an attended registration has a check-in time"
    return moment.astimezone(ZoneInfo(zone)).year


@dataclass(frozen=True, slots=True)
class WorkshopEligibility:
    verdict: WorkshopVerdict
    year: int
    birth_year: int | None
    limit: int

    @property
    def age(self) -> int | None:
        """The age the rule looks at (workshop year − year of birth), when the year of birth is known."""
        return None if self.birth_year is None else self.year - self.birth_year


def workshop_eligibility(year: int, birth_year: int | None, limit: int) -> WorkshopEligibility:
    if birth_year is None:
        return WorkshopEligibility(WorkshopVerdict.BIRTH_YEAR_MISSING, year, None, limit)
    verdict = {
        AgeRule.UNDER: WorkshopVerdict.QUALIFIES,
        AgeRule.UNCLEAR: WorkshopVerdict.UNCLEAR,
        AgeRule.NOT_UNDER: WorkshopVerdict.TOO_OLD,
    }[age_rule(year, birth_year, limit)]
    return WorkshopEligibility(verdict, year, birth_year, limit)


class RecordRefused(Exception):
    """A record operation that cannot go through; the subclass and its fields say why."""


@dataclass(eq=False)
class NotACode(RecordRefused):
    """The text cannot be a record code at all (`reason` as the code check said it)."""

    reason: str


@dataclass(eq=False)
class NoSuchRecord(RecordRefused):
    code: str
