"""Workshop rules: statuses, seats, the sign-up / waiting-list / offer decisions and the check-in window.

Pure functions over plain values (a workshop is anything with the attributes of `WorkshopFacts`), no database
and no wording: a refusal is an exception from `bot.domain.workshop_refusals` carrying its data, and the chat or
the CLI words it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.workshop_refusals import (
    AlreadyRegistered,
    AttendedCannotCancel,
    OfferGone,
    OfferLapsed,
    RegistrationClosed,
    WorkshopCancelled,
    WorkshopOver,
)


class RegistrationStatus(StrEnum):
    """registrations.status (the stored values)."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    # Promoted from the waiting list: holds the seat until offer_expires_at, then it passes on.
    OFFERED = "offered"
    # Signed up while the date is to be announced; confirmed in registration order when staff set the date.
    PREREGISTERED = "preregistered"
    CANCELLED = "cancelled"


SEAT_HOLDERS = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED})
ACTIVE = frozenset(
    {
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.OFFERED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PREREGISTERED,
    }
)
# The two queues whose members have a number: the waiting list and the pre-registrations.
QUEUES = (RegistrationStatus.WAITLISTED, RegistrationStatus.PREREGISTERED)


class WorkshopStatus(StrEnum):
    """workshops.status (the stored values); whether a workshop is full or past is computed, not stored."""

    SCHEDULED = "scheduled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class DisplayStatus(StrEnum):
    """A workshop as people see it now."""

    TBA = "tba"
    OPEN = "open"
    FULL = "full"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    PAST = "past"


# Statuses in which the workshop's page offers a sign-up button (sign up, pre-register, join the waiting list).
JOINABLE = frozenset({DisplayStatus.OPEN, DisplayStatus.TBA, DisplayStatus.FULL})


class NoticeKind(StrEnum):
    """What the people a change affects are told (delivery kinds are `workshop.<kind>`)."""

    OFFERED = "offered"  # promoted from the waiting list: confirm before offer_expires_at
    OFFER_EXPIRED = "offer_expired"  # did not confirm in time: the seat passed on
    DATE_CONFIRMED = "date_confirmed"  # the date was announced and the pre-registration is confirmed
    DATE_WAITLISTED = "date_waitlisted"  # the date was announced; the person waits at `position`
    RESCHEDULED = "rescheduled"
    WORKSHOP_CANCELLED = "workshop_cancelled"


class WorkshopFacts(Protocol):
    """What the rules read of a workshop (the stored row has these attributes)."""

    @property
    def id(self) -> int: ...
    @property
    def city(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def starts_at(self) -> datetime | None: ...
    @property
    def duration_minutes(self) -> int: ...
    @property
    def timezone(self) -> str: ...
    @property
    def registration_opens_at(self) -> datetime | None: ...
    @property
    def registration_closes_at(self) -> datetime | None: ...
    @property
    def checkin_code(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Seats:
    capacity: int
    confirmed: int = 0
    offered: int = 0
    waiting: int = 0
    preregistered: int = 0
    attended: int = 0

    @property
    def taken(self) -> int:
        return self.confirmed + self.offered

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def registered(self) -> int:
        """Everyone with a place or a number: the people told when the workshop changes."""
        return self.taken + self.waiting + self.preregistered


# ---------------------------------------------------------------------------------------------- time


def ends_at(workshop: WorkshopFacts) -> datetime | None:
    return workshop.starts_at + timedelta(minutes=workshop.duration_minutes) if workshop.starts_at else None


def is_past(workshop: WorkshopFacts, now: datetime) -> bool:
    return workshop.starts_at is not None and workshop.starts_at <= now


def registration_closed(workshop: WorkshopFacts, now: datetime) -> bool:
    if workshop.status == WorkshopStatus.CLOSED:
        return True
    if workshop.registration_opens_at is not None and now < workshop.registration_opens_at:
        return True
    return workshop.registration_closes_at is not None and now >= workshop.registration_closes_at


def display_status(workshop: WorkshopFacts, seats: Seats, now: datetime) -> DisplayStatus:
    if workshop.status == WorkshopStatus.CANCELLED:
        return DisplayStatus.CANCELLED
    if is_past(workshop, now):
        return DisplayStatus.PAST
    if registration_closed(workshop, now):
        return DisplayStatus.CLOSED
    if workshop.starts_at is None:
        return DisplayStatus.TBA
    return DisplayStatus.FULL if seats.free == 0 else DisplayStatus.OPEN


# ------------------------------------------------------------------------------------------ decisions


def refuse_if_cancelled(workshop: WorkshopFacts) -> None:
    if workshop.status == WorkshopStatus.CANCELLED:
        raise WorkshopCancelled(workshop.id, workshop.city)


def refuse_unless_open(workshop: WorkshopFacts, now: datetime) -> None:
    """Sign-ups are refused for a cancelled, past or closed workshop (a button may be older than the change)."""
    refuse_if_cancelled(workshop)
    if is_past(workshop, now):
        raise WorkshopOver(workshop.id, workshop.city)
    if registration_closed(workshop, now):
        raise RegistrationClosed(workshop.id, workshop.city)


def refuse_if_registered(workshop_id: int, registration_id: int | None, status: str | None) -> None:
    """One active place per person and workshop: a second sign-up (an old button, a double press) is refused."""
    if registration_id is not None and status is not None and status != RegistrationStatus.CANCELLED:
        raise AlreadyRegistered(workshop_id, registration_id, RegistrationStatus(status))


def place_for(workshop: WorkshopFacts, seats: Seats) -> RegistrationStatus:
    """Where a new sign-up goes: pre-registered while the date is to be announced, else a seat or the queue."""
    if workshop.starts_at is None:
        return RegistrationStatus.PREREGISTERED
    return RegistrationStatus.CONFIRMED if seats.free > 0 else RegistrationStatus.WAITLISTED


def queue_time(now: datetime, last: datetime | None, *, reused_row: bool) -> datetime:
    """The registered_at of a new sign-up, so that the queue (registered_at, then id) follows lock order.

    `now` was read before the lock (and other processes' clocks differ), so a later lock holder can carry an
    earlier time: it would slip ahead of people already told their number. Never earlier than the last sign-up
    keeps each number told once; a reused row keeps its old (smaller) id, so a tie would not put it last.
    """
    if last is None or now > last:
        return now
    return last + timedelta(microseconds=1) if reused_row else last


def refuse_unless_cancellable(attended_at: datetime | None, workshop: WorkshopFacts, now: datetime) -> None:
    """Attendance is a record (certificates rest on it): a workshop attended or over is not cancelled afterwards."""
    if attended_at is not None:
        raise AttendedCannotCancel(workshop.id)
    if is_past(workshop, now):
        raise WorkshopOver(workshop.id, workshop.city)


def accept_offer_decision(
    registration_id: int, status: str, offer_expires_at: datetime | None, workshop: WorkshopFacts, now: datetime
) -> bool:
    """Whether confirming the offer changes anything (False: the seat is already confirmed); refusals raise.

    A lapsed offer is refused without writing: the expiry and the offer to the next person belong to a
    transaction that commits (the clock's tick, or the next read of the seats), not to this refusal.
    """
    if status == RegistrationStatus.CONFIRMED:
        return False
    if status == RegistrationStatus.OFFERED and offer_expires_at is not None and offer_expires_at <= now:
        raise OfferLapsed(registration_id)
    if status != RegistrationStatus.OFFERED:
        raise OfferGone(registration_id)
    # Closing registration does not take back offers already made; cancellation and the start do.
    refuse_if_cancelled(workshop)
    if is_past(workshop, now):
        raise WorkshopOver(workshop.id, workshop.city)
    return True


def can_promote(workshop: WorkshopFacts, now: datetime) -> bool:
    """Free seats go to the waiting list only at a dated, upcoming, not cancelled workshop."""
    return workshop.status != WorkshopStatus.CANCELLED and workshop.starts_at is not None and not is_past(workshop, now)


def offer_deadline(workshop: WorkshopFacts, now: datetime, offer_hours: int) -> datetime:
    """The offer cannot outlive the start: nobody should confirm a seat at a workshop already under way."""
    assert workshop.starts_at is not None
    return min(now + timedelta(hours=offer_hours), workshop.starts_at)


K = TypeVar("K", bound=Hashable)


def queue_numbers(queue: Iterable[tuple[K, str]]) -> dict[K, int]:
    """The number of each person waiting or pre-registered, given everyone in queue order (registered_at, id).

    The one way a waiting-list number is computed: for the person's own page, the staff list, the export and the
    notice sent when a date is announced.
    """
    counters = dict.fromkeys(QUEUES, 0)
    numbers: dict[K, int] = {}
    for key, status in queue:
        if status in counters:
            counters[RegistrationStatus(status)] += 1
            numbers[key] = counters[RegistrationStatus(status)]
    return numbers


def split_preregistrations(free: int, preregistered: Sequence[K]) -> tuple[list[K], list[K]]:
    """When the date is announced: pre-registrations in order take the free seats, the rest join the queue."""
    free = max(free, 0)
    return list(preregistered[:free]), list(preregistered[free:])


# A typed year of birth answers the question only this long after it was asked: a number sent later is
# something else (a lecture, a code), not a year.
BIRTH_YEAR_QUESTION_OPEN = timedelta(hours=1)


def question_open(asked_at: datetime, now: datetime) -> bool:
    return asked_at > now - BIRTH_YEAR_QUESTION_OPEN


# --------------------------------------------------------------------------------------------- check-in

# Check-in opens an hour before the start, for people who arrive early, and closes when the workshop ends.
CHECKIN_OPENS_BEFORE = timedelta(hours=1)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read off a screen or a poster
CHECKIN_CODE_LENGTH = 6
# Wrong codes a person may send within WRONG_CODES_WINDOW before check-in pauses for them for CHECKIN_PAUSE:
# about 30 guesses an hour at most, against a billion codes that change with every session.
MAX_WRONG_CODES = 5
WRONG_CODES_WINDOW = timedelta(hours=1)
CHECKIN_PAUSE = timedelta(minutes=10)


def new_checkin_secret() -> str:
    """A workshop's check-in secret (stored in workshops.checkin_code, never shown): the key of its session codes."""
    return secrets.token_hex(16)


def session_code(secret: str, day: date) -> str:
    """The code for one venue-local day: an HMAC of the day under the workshop's secret, in poster letters."""
    digest = hmac.new(secret.encode(), f"checkin:{day.isoformat()}".encode(), hashlib.sha256).digest()
    return "".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in digest[:CHECKIN_CODE_LENGTH])


def session_day(workshop: WorkshopFacts) -> date | None:
    """The venue-local date of the session: its code is that day's code, so a code from another day is refused."""
    return workshop.starts_at.astimezone(ZoneInfo(workshop.timezone)).date() if workshop.starts_at else None


def checkin_code_for(workshop: WorkshopFacts) -> str | None:
    """The code to show at the venue (staff see it in /ws_list and the CLI); None until the date is set.

    workshops.checkin_code holds the secret the session codes derive from, never shown itself."""
    day = session_day(workshop)
    return session_code(workshop.checkin_code, day) if day is not None else None


def normalize_code(code: str) -> str | None:
    """The code as typed, in poster letters; None when it cannot be any session's code."""
    code = code.strip().upper()
    return code if len(code) == CHECKIN_CODE_LENGTH and code.isascii() else None


def checkin_window(workshop: WorkshopFacts) -> tuple[datetime, datetime] | None:
    end = ends_at(workshop)
    if workshop.starts_at is None or end is None:
        return None
    return workshop.starts_at - CHECKIN_OPENS_BEFORE, end


@dataclass(frozen=True, slots=True)
class WrongCodes:
    """One person's recent wrong codes."""

    failures: int
    first_failure_at: datetime | None
    paused_until: datetime | None


def count_wrong_code(before: WrongCodes | None, now: datetime) -> WrongCodes:
    """The count after one more wrong code; a pause starts at the MAX_WRONG_CODES-th within the window."""
    failures, first = (before.failures, before.first_failure_at) if before is not None else (0, None)
    if first is None or first <= now - WRONG_CODES_WINDOW or (before is not None and before.paused_until is not None):
        # A new series: the last one is old, or its pause is over.
        failures, first = 0, now
    failures += 1
    return WrongCodes(failures, first, now + CHECKIN_PAUSE if failures >= MAX_WRONG_CODES else None)


def paused(attempts: WrongCodes | None, now: datetime) -> datetime | None:
    """When a pause in force ends; None when the person may try a code."""
    if attempts is not None and attempts.paused_until is not None and attempts.paused_until > now:
        return attempts.paused_until
    return None
