"""Workshops and registrations: capacity, waiting list, offers, check-in. Shared by handlers, CLI and scheduler.

The capacity invariant is held by the database, not by Python alone: every change that reads the seat count
first locks the workshop row (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite already serializes writers with
BEGIN IMMEDIATE, so the lock is a no-op there), and `UNIQUE(workshop_id, user_id)` forbids a second place.

Refusals raise `UserError` with a message in the current locale; changes that others must hear about are
handed to a `Notify` callback as `Notice` records, so the caller decides how to word and deliver them.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from bot.content import Content
    from storage.uow import Storage

from bot.core.errors import UserError
from bot.core.replies import esc
from bot.core.text import is_number, parse_id
from bot.domain.dates import MAX_YEARS_AHEAD, BadMoment, venue_moment
from bot.domain.zone_names import check_zone as find_zone
from bot.i18n import _, format_date, ngettext
from storage.models import BirthYearPrompt, Certificate, CheckinAttempts, Registration, User, Workshop

# Registration statuses (registrations.status).
CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
# Promoted from the waiting list: holds the seat until offer_expires_at, then it passes on.
OFFERED = "offered"
# Signed up while the date is to be announced; confirmed in registration order when staff set the date.
PREREGISTERED = "preregistered"
CANCELLED = "cancelled"
SEAT_HOLDERS = (CONFIRMED, OFFERED)
ACTIVE = (CONFIRMED, OFFERED, WAITLISTED, PREREGISTERED)

# Workshop statuses as shown (workshops.status stores only scheduled | closed | cancelled).
DisplayStatus = Literal["tba", "open", "full", "closed", "cancelled", "past"]

# Check-in opens an hour before the start, for people who arrive early, and closes when the workshop ends.
CHECKIN_OPENS_BEFORE = timedelta(hours=1)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read off a screen or a poster
CHECKIN_CODE_LENGTH = 6
# Wrong codes a person may send within WRONG_CODES_WINDOW before check-in pauses for them for CHECKIN_PAUSE:
# about 30 guesses an hour at most, against a billion codes that change with every session.
MAX_WRONG_CODES = 5
WRONG_CODES_WINDOW = timedelta(hours=1)
CHECKIN_PAUSE = timedelta(minutes=10)


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


NoticeKind = Literal[
    "offered",  # promoted from the waiting list: confirm before offer_expires_at
    "offer_expired",  # did not confirm in time: the seat passed on
    "date_confirmed",  # the date was announced and the pre-registration is confirmed
    "date_waitlisted",  # the date was announced; the person is on the waiting list at `position`
    "rescheduled",  # the date changed
    "workshop_cancelled",
]


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    user_id: int
    workshop: Workshop
    registration: Registration
    position: int | None = None


Notify = Callable[[Notice], Awaitable[None]]


def new_checkin_secret() -> str:
    """A workshop's check-in secret (stored in workshops.checkin_code, never shown): the key of its session codes."""
    return secrets.token_hex(16)


def session_code(secret: str, day: date) -> str:
    """The code for one venue-local day: an HMAC of the day under the workshop's secret, in poster letters."""
    digest = hmac.new(secret.encode(), f"checkin:{day.isoformat()}".encode(), hashlib.sha256).digest()
    return "".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in digest[:CHECKIN_CODE_LENGTH])


def session_day(workshop: Workshop) -> date | None:
    """The venue-local date of the session: its code is that day's code, so a code from another day is refused."""
    return workshop.starts_at.astimezone(ZoneInfo(workshop.timezone)).date() if workshop.starts_at else None


def checkin_code_for(workshop: Workshop) -> str | None:
    """The code to show at the venue (staff see it in /ws_list and the CLI); None until the date is set."""
    day = session_day(workshop)
    return session_code(workshop.checkin_code, day) if day is not None else None


# ---------------------------------------------------------------------------------------------- reading


async def get_workshop(session: AsyncSession, workshop_id: int) -> Workshop | None:
    return await session.get(Workshop, workshop_id)


async def lock_workshop(session: AsyncSession, workshop_id: int) -> Workshop | None:
    """The workshop row, locked until commit on PostgreSQL, so seat counts read after it cannot go stale."""
    return await session.scalar(
        select(Workshop).where(Workshop.id == workshop_id).with_for_update().execution_options(populate_existing=True)
    )


async def workshop_or_refuse(session: AsyncSession, raw_id: str, *, lock: bool = False) -> Workshop:
    workshop_id = parse_id(raw_id)
    workshop = None
    if workshop_id is not None:
        workshop = await (lock_workshop(session, workshop_id) if lock else get_workshop(session, workshop_id))
    if workshop is None:
        raise UserError(_("There is no workshop with that number. Send /workshops to see them."))
    return workshop


async def list_workshops(session: AsyncSession) -> list[Workshop]:
    result = await session.scalars(select(Workshop))
    # Dated workshops first, soonest first; then those still to be announced, by city.
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(result, key=lambda w: (w.starts_at or far, w.city, w.id))


async def seat_counts(session: AsyncSession, workshops: Sequence[Workshop]) -> dict[int, Seats]:
    ids = [w.id for w in workshops]
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        rows = await session.execute(
            select(Registration.workshop_id, Registration.status, func.count())
            .where(Registration.workshop_id.in_(ids))
            .group_by(Registration.workshop_id, Registration.status)
        )
        for workshop_id, status, count in rows:
            counts[workshop_id][status] = count
        attended = await session.execute(
            select(Registration.workshop_id, func.count())
            .where(Registration.workshop_id.in_(ids), Registration.attended_at.is_not(None))
            .group_by(Registration.workshop_id)
        )
        for workshop_id, count in attended:
            counts[workshop_id]["attended"] = count
    return {
        w.id: Seats(
            capacity=w.capacity,
            confirmed=counts[w.id].get(CONFIRMED, 0),
            offered=counts[w.id].get(OFFERED, 0),
            waiting=counts[w.id].get(WAITLISTED, 0),
            preregistered=counts[w.id].get(PREREGISTERED, 0),
            attended=counts[w.id].get("attended", 0),
        )
        for w in workshops
    }


def ends_at(workshop: Workshop) -> datetime | None:
    return workshop.starts_at + timedelta(minutes=workshop.duration_minutes) if workshop.starts_at else None


def is_past(workshop: Workshop, now: datetime) -> bool:
    return workshop.starts_at is not None and workshop.starts_at <= now


def registration_closed(workshop: Workshop, now: datetime) -> bool:
    if workshop.status == "closed":
        return True
    if workshop.registration_opens_at is not None and now < workshop.registration_opens_at:
        return True
    return workshop.registration_closes_at is not None and now >= workshop.registration_closes_at


def display_status(workshop: Workshop, seats: Seats, now: datetime) -> DisplayStatus:
    if workshop.status == "cancelled":
        return "cancelled"
    if is_past(workshop, now):
        return "past"
    if registration_closed(workshop, now):
        return "closed"
    if workshop.starts_at is None:
        return "tba"
    return "full" if seats.free == 0 else "open"


async def waitlist_position(session: AsyncSession, registration: Registration) -> int:
    """1-based place in the queue, in order of registration."""
    ahead = await session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.workshop_id == registration.workshop_id,
            Registration.status == registration.status,
            (Registration.registered_at < registration.registered_at)
            | ((Registration.registered_at == registration.registered_at) & (Registration.id < registration.id)),
        )
    )
    return int(ahead or 0) + 1


async def _queue(session: AsyncSession, workshop_id: int, status: str) -> list[Registration]:
    result = await session.scalars(
        select(Registration)
        .where(Registration.workshop_id == workshop_id, Registration.status == status)
        .order_by(Registration.registered_at, Registration.id)
    )
    return list(result)


async def registration_of(session: AsyncSession, workshop_id: int, user_id: int) -> Registration | None:
    return await session.scalar(
        select(Registration).where(Registration.workshop_id == workshop_id, Registration.user_id == user_id)
    )


async def registrations_of_user(session: AsyncSession, user_id: int) -> list[tuple[Registration, Workshop]]:
    rows = await session.execute(
        select(Registration, Workshop)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(Registration.user_id == user_id, Registration.status.in_(ACTIVE))
        .order_by(Registration.registered_at, Registration.id)
    )
    return [(row[0], row[1]) for row in rows]


async def registrants(session: AsyncSession, workshop_id: int) -> list[tuple[Registration, User]]:
    """Everyone registered, seat holders first, then the waiting list and pre-registrations, each in order."""
    order = {CONFIRMED: 0, OFFERED: 1, PREREGISTERED: 2, WAITLISTED: 3, CANCELLED: 4}
    rows = await session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(Registration.workshop_id == workshop_id)
        .order_by(Registration.registered_at, Registration.id)
    )
    pairs = [(row[0], row[1]) for row in rows]
    return sorted(pairs, key=lambda pair: order.get(pair[0].status, 9))


# --------------------------------------------------------------------------------------------- sign-up


class AlreadyRegistered(UserError):
    def __init__(self, message: str, registration: Registration) -> None:
        super().__init__(message)
        self.registration = registration


def refuse_if_cancelled(workshop: Workshop) -> None:
    if workshop.status == "cancelled":
        raise UserError(_("The workshop in {city} has been cancelled.").format(city=esc(workshop.city)))


def refuse_unless_open(workshop: Workshop, now: datetime) -> None:
    """Refuse sign-ups for a cancelled, past or closed workshop (a button may be older than the change)."""
    refuse_if_cancelled(workshop)
    if is_past(workshop, now):
        raise UserError(_("The workshop in {city} has already taken place.").format(city=esc(workshop.city)))
    if registration_closed(workshop, now):
        raise UserError(_("Registration for the workshop in {city} is closed.").format(city=esc(workshop.city)))


async def sign_up(
    session: AsyncSession,
    workshop_id: int,
    user_id: int,
    now: datetime,
    *,
    notify: Notify,
    offer_hours: int,
) -> Registration:
    """Register the user: confirmed while seats are free, else on the waiting list; pre-registered while TBA."""
    workshop = await lock_workshop(session, workshop_id)
    if workshop is None:
        raise UserError(_("There is no workshop with that number. Send /workshops to see them."))
    refuse_unless_open(workshop, now)
    await expire_offers(session, now, notify=notify, offer_hours=offer_hours, workshop_id=workshop.id)
    existing = await registration_of(session, workshop.id, user_id)
    if existing is not None and existing.status != CANCELLED:
        raise AlreadyRegistered(_("You are already registered for this workshop."), existing)
    seats = (await seat_counts(session, [workshop]))[workshop.id]
    status = PREREGISTERED if workshop.starts_at is None else (CONFIRMED if seats.free > 0 else WAITLISTED)
    # The queue is ordered by registered_at, then id. `now` was read before the lock (and other processes' clocks
    # differ), so a later lock holder can carry an earlier time: it would slip ahead of people already told their
    # position. Never earlier than the last sign-up keeps the queue in lock order, so each position is told once.
    last = await session.scalar(
        select(Registration.registered_at)
        .where(Registration.workshop_id == workshop.id)
        .order_by(Registration.registered_at.desc())
        .limit(1)
    )
    if last is not None and now <= last:
        # A reused row keeps its old (smaller) id, so a tie would not put it last.
        now = last + timedelta(microseconds=1) if existing is not None else last
    if existing is not None:
        # Signing up again after cancelling: same row (one per person), back of the queue.
        registration = existing
        registration.status = status
        registration.registered_at = now
        registration.cancelled_at = None
        registration.offer_expires_at = None
        registration.consent_at = now
        await session.flush()
        return registration
    registration = Registration(
        workshop_id=workshop.id, user_id=user_id, status=status, registered_at=now, consent_at=now
    )
    try:
        async with session.begin_nested():
            session.add(registration)
    except IntegrityError:
        # Only reachable if a concurrent press slipped past the row lock; the unique constraint still holds.
        raise UserError(_("You are already registered for this workshop.")) from None
    return registration


async def own_registration(session: AsyncSession, raw_id: str, user_id: int) -> Registration:
    reg_id = parse_id(raw_id)
    registration = await session.get(Registration, reg_id) if reg_id is not None else None
    # Someone else's registration gets the same answer as a missing one: ids are not a way to probe.
    if registration is None or registration.user_id != user_id or registration.status == CANCELLED:
        raise UserError(_("I can't find that sign-up among yours. Send /mysignups to see them."))
    return registration


async def cancel_registration(
    session: AsyncSession, raw_id: str, user_id: int, now: datetime, *, notify: Notify, offer_hours: int
) -> tuple[Registration, Workshop]:
    registration = await own_registration(session, raw_id, user_id)
    workshop = await lock_workshop(session, registration.workshop_id)
    assert workshop is not None  # the foreign key guarantees it
    refuse_unless_cancellable(registration, workshop, now)
    held_seat = registration.status in SEAT_HOLDERS
    registration.status = CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    await session.flush()
    if held_seat:
        await promote(session, workshop, now, notify=notify, offer_hours=offer_hours)
    return registration, workshop


def refuse_unless_cancellable(registration: Registration, workshop: Workshop, now: datetime) -> None:
    """Attendance is a record (certificates rest on it): a workshop attended or over is not cancelled afterwards."""
    if registration.attended_at is not None:
        raise UserError(_("You attended this workshop, so the registration cannot be cancelled."))
    if is_past(workshop, now):
        raise UserError(_("The workshop in {city} has already taken place.").format(city=esc(workshop.city)))


async def accept_offer(
    session: AsyncSession, raw_id: str, user_id: int, now: datetime
) -> tuple[Registration, Workshop]:
    registration = await own_registration(session, raw_id, user_id)
    workshop = await lock_workshop(session, registration.workshop_id)
    assert workshop is not None
    await session.refresh(registration)
    if registration.status == CONFIRMED:
        return registration, workshop
    if (
        registration.status == OFFERED
        and registration.offer_expires_at is not None
        and registration.offer_expires_at <= now
    ):
        # Refused without writing: the expiry and the offer to the next person belong to a transaction that commits
        # (the clock's tick, or the next read of the seats), not to this one, which the refusal rolls back.
        raise UserError(_("That seat offer has expired; the seat passes to the next person on the waiting list."))
    if registration.status != OFFERED:
        raise UserError(
            _("That seat offer has expired and the seat went to the next person. You are no longer registered.")
        )
    refuse_unless_open_for_offer(workshop, now)
    registration.status = CONFIRMED
    registration.offer_expires_at = None
    return registration, workshop


def refuse_unless_open_for_offer(workshop: Workshop, now: datetime) -> None:
    # Closing registration does not take back offers already made; cancellation and the start do.
    refuse_if_cancelled(workshop)
    if is_past(workshop, now):
        raise UserError(_("The workshop in {city} has already taken place.").format(city=esc(workshop.city)))


async def promote(
    session: AsyncSession, workshop: Workshop, now: datetime, *, notify: Notify, offer_hours: int
) -> list[Registration]:
    """Offer every free seat to the head of the waiting list. The caller holds the workshop lock."""
    if workshop.status == "cancelled" or workshop.starts_at is None or is_past(workshop, now):
        return []
    seats = (await seat_counts(session, [workshop]))[workshop.id]
    queue = await _queue(session, workshop.id, WAITLISTED)
    offered = []
    # The offer cannot outlive the start: nobody should confirm a seat at a workshop already under way.
    expires = min(now + timedelta(hours=offer_hours), workshop.starts_at)
    for registration in queue[: seats.free]:
        registration.status = OFFERED
        registration.offer_expires_at = expires
        offered.append(registration)
        await notify(Notice("offered", registration.user_id, workshop, registration))
    await session.flush()
    return offered


async def expire_offers(
    session: AsyncSession,
    now: datetime,
    *,
    notify: Notify,
    offer_hours: int,
    workshop_id: int | None = None,
) -> list[Registration]:
    """Offers not confirmed in time lapse; each seat passes to the next person waiting. Safe to call often."""
    query = select(Registration.workshop_id).where(Registration.status == OFFERED, Registration.offer_expires_at <= now)
    if workshop_id is not None:
        query = query.where(Registration.workshop_id == workshop_id)
    workshop_ids = sorted(set(await session.scalars(query.distinct())))
    expired: list[Registration] = []
    for wid in workshop_ids:  # in id order, so two callers lock rows in the same order
        workshop = await lock_workshop(session, wid)
        assert workshop is not None
        lapsed = await session.scalars(
            select(Registration).where(
                Registration.workshop_id == wid,
                Registration.status == OFFERED,
                Registration.offer_expires_at <= now,
            )
        )
        for registration in lapsed:
            registration.status = CANCELLED
            registration.cancelled_at = now
            expired.append(registration)
            await notify(Notice("offer_expired", registration.user_id, workshop, registration))
        await session.flush()
        await promote(session, workshop, now, notify=notify, offer_hours=offer_hours)
    return expired


async def release_seats(
    session: AsyncSession, workshop_ids: Iterable[int], now: datetime, *, notify: Notify, offer_hours: int
) -> None:
    """Offer seats freed outside a person's own cancel (account merge, data deletion) to those waiting."""
    for workshop_id in sorted(set(workshop_ids)):  # id order, so concurrent callers lock alike
        workshop = await lock_workshop(session, workshop_id)
        if workshop is not None:
            await promote(session, workshop, now, notify=notify, offer_hours=offer_hours)


async def cancel_all_for_user(
    session: AsyncSession, user_id: int, now: datetime, *, notify: Notify, offer_hours: int
) -> list[Registration]:
    """Cancel every active registration of one person; each seat they held goes to the next person waiting."""
    active = list(
        await session.scalars(
            select(Registration)
            .where(Registration.user_id == user_id, Registration.status.in_(ACTIVE))
            .order_by(Registration.workshop_id)
        )
    )
    for workshop_id in sorted({r.workshop_id for r in active}):
        await lock_workshop(session, workshop_id)
    freed = [r.workshop_id for r in active if r.status in SEAT_HOLDERS]
    for registration in active:
        registration.status = CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
    await session.flush()
    await release_seats(session, freed, now, notify=notify, offer_hours=offer_hours)
    return active


# ------------------------------------------------------------------------------------------ year of birth

# A typed year answers the question only this long after it was asked.
BIRTH_YEAR_PROMPT_TTL = timedelta(hours=1)


async def birth_year_in_use(session: AsyncSession, user_id: int) -> bool:
    """Whether a record rests on the person's year of birth: an attendance counted or a workshop record issued.

    From then on the year is evidence for the age rule, and only the Secretariat changes it.
    """
    attended = await session.scalar(
        select(Registration.id).where(Registration.user_id == user_id, Registration.attended_at.is_not(None)).limit(1)
    )
    if attended is not None:
        return True
    record = await session.scalar(
        select(Certificate.id).where(Certificate.user_id == user_id, Certificate.kind == "workshop").limit(1)
    )
    return record is not None


async def set_birth_year(session: AsyncSession, user_id: int, year: int) -> bool:
    """Add or correct the year of birth; False (nothing changed) once a record rests on it."""
    # The user's row lock (PostgreSQL) orders this against a record being issued at the same moment.
    user = await session.scalar(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    )
    assert user is not None
    if user.birth_year != year and await birth_year_in_use(session, user_id):
        return False
    user.birth_year = year
    await forget_birth_year_prompt(session, user_id)
    return True


async def ask_birth_year(session: AsyncSession, user_id: int, workshop_id: int | None, now: datetime) -> None:
    """Remember that the question was asked, so a year typed next answers it."""
    prompt = await session.get(BirthYearPrompt, user_id)
    if prompt is None:
        session.add(BirthYearPrompt(user_id=user_id, workshop_id=workshop_id, asked_at=now))
    else:
        prompt.workshop_id, prompt.asked_at = workshop_id, now
    await session.flush()


async def open_birth_year_prompt(session: AsyncSession, user_id: int, now: datetime) -> BirthYearPrompt | None:
    prompt = await session.get(BirthYearPrompt, user_id)
    return prompt if prompt is not None and prompt.asked_at > now - BIRTH_YEAR_PROMPT_TTL else None


async def forget_birth_year_prompt(session: AsyncSession, user_id: int) -> None:
    prompt = await session.get(BirthYearPrompt, user_id)
    if prompt is not None:
        await session.delete(prompt)
        await session.flush()


# ---------------------------------------------------------------------------------------------- check-in


def checkin_window(workshop: Workshop) -> tuple[datetime, datetime] | None:
    end = ends_at(workshop)
    if workshop.starts_at is None or end is None:
        return None
    return workshop.starts_at - CHECKIN_OPENS_BEFORE, end


CheckInKind = Literal["checked_in", "wrong_code", "paused", "cancelled", "no_seat", "not_yet", "over"]


@dataclass(frozen=True, slots=True)
class CheckIn:
    """What a check-in attempt came to. Only a right code learns anything about a workshop."""

    kind: CheckInKind
    workshop: Workshop | None = None
    # not_yet: when check-in opens; paused: when the pause ends; wrong_code: set when this wrong code began a pause.
    at: datetime | None = None


async def check_in(session: AsyncSession, code: str, user_id: int, now: datetime) -> CheckIn:
    """Record attendance for the code shown at the venue today, within the check-in window.

    Every wrong code gets the same outcome, whatever the window, and counts towards a pause; a paused person's
    codes are not looked at. The caller commits a wrong_code outcome (it is not a refusal to roll back).
    """
    # One person's attempts in turn (PostgreSQL; SQLite serializes writers): concurrent guesses each count.
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    attempts = await session.get(CheckinAttempts, user_id, populate_existing=True)
    if attempts is not None and attempts.paused_until is not None and attempts.paused_until > now:
        return CheckIn("paused", at=attempts.paused_until)
    workshop = await _workshop_with_code(session, code.strip().upper(), user_id, now)
    if workshop is None:
        return CheckIn("wrong_code", at=await _count_wrong_code(session, attempts, user_id, now))
    if attempts is not None:
        # The right code: this person is not guessing.
        await session.delete(attempts)
    if workshop.status == "cancelled":
        return CheckIn("cancelled", workshop)
    registration = await registration_of(session, workshop.id, user_id)
    if registration is None or registration.status != CONFIRMED:
        return CheckIn("no_seat", workshop)
    window = checkin_window(workshop)
    assert window is not None  # a workshop with a code has a date
    if now < window[0]:
        return CheckIn("not_yet", workshop, at=window[0])
    if now >= window[1]:
        return CheckIn("over", workshop)
    if registration.attended_at is None:
        registration.attended_at = now
    return CheckIn("checked_in", workshop)


async def _workshop_with_code(session: AsyncSession, code: str, user_id: int, now: datetime) -> Workshop | None:
    if len(code) != CHECKIN_CODE_LENGTH or not code.isascii():
        return None
    # Sessions from yesterday on: older ones are over, and their codes are as wrong as any other.
    recent = await session.scalars(
        select(Workshop).where(Workshop.starts_at.is_not(None), Workshop.starts_at >= now - timedelta(days=2))
    )
    matches = [w for w in recent if hmac.compare_digest(checkin_code_for(w) or "", code)]
    for workshop in matches:
        registration = await registration_of(session, workshop.id, user_id)
        if registration is not None and registration.status == CONFIRMED:
            return workshop
    return matches[0] if matches else None


async def _count_wrong_code(
    session: AsyncSession, attempts: CheckinAttempts | None, user_id: int, now: datetime
) -> datetime | None:
    """Count one wrong code; returns when the pause it started ends, if it started one."""
    if attempts is None:
        attempts = CheckinAttempts(user_id=user_id, failures=0)
        session.add(attempts)
    stale = attempts.first_failure_at is None or attempts.first_failure_at <= now - WRONG_CODES_WINDOW
    if stale or attempts.paused_until is not None:
        # A new series: the last one is old, or its pause is over.
        attempts.failures, attempts.first_failure_at, attempts.paused_until = 0, now, None
    attempts.failures += 1
    if attempts.failures >= MAX_WRONG_CODES:
        attempts.paused_until = now + CHECKIN_PAUSE
    await session.flush()
    return attempts.paused_until


def no_seat(user: object) -> UserError:
    """The refusal for marking someone without a confirmed seat; also for a participant number out of range."""
    return UserError(
        _("Participant {user} has no confirmed seat at this workshop; only confirmed people can attend.").format(
            user=esc(str(user)[:20])
        )
    )


async def mark_attended(session: AsyncSession, workshop: Workshop, user_id: int, now: datetime) -> Registration:
    registration = await registration_of(session, workshop.id, user_id)
    if registration is None or registration.status != CONFIRMED:
        raise no_seat(user_id)
    if registration.attended_at is None:
        registration.attended_at = now
    return registration


# ---------------------------------------------------------------------------------------- staff changes


@dataclass(slots=True)
class WorkshopFields:
    """Parsed staff input; None leaves a field as it is."""

    city: str | None = None
    title: str | None = None
    venue: str | None = None
    timezone: str | None = None
    start_local: str | None = None  # "YYYY-MM-DD HH:MM" in the workshop's zone, or "tba"
    duration_minutes: int | None = None
    capacity: int | None = None
    opens_local: str | None = None  # "YYYY-MM-DD HH:MM", or "none"
    closes_local: str | None = None


FIELD_NAMES = ("city", "title", "venue", "zone", "start", "duration", "capacity", "opens", "closes")


def parse_fields(pairs: Iterable[tuple[str, str]]) -> WorkshopFields:
    fields = WorkshopFields()
    for key, value in pairs:
        key, value = key.strip().lower(), value.strip()
        if key in ("city", "title", "venue"):
            limit = 100 if key == "city" else 300
            if key != "venue" and not value:
                raise UserError(_("The {field} cannot be empty.").format(field=esc(key)))
            setattr(fields, key, value[:limit])
        elif key in ("zone", "timezone"):
            fields.timezone = check_zone(value)
        elif key in ("start", "date"):
            fields.start_local = value
        elif key in ("duration", "capacity"):
            number = int(value) if is_number(value) else -1
            if not 1 <= number <= (10000 if key == "capacity" else 24 * 60):
                raise UserError(_("The {field} must be a whole number above zero.").format(field=esc(key)))
            if key == "capacity":
                fields.capacity = number
            else:
                fields.duration_minutes = number
        elif key == "opens":
            fields.opens_local = value
        elif key == "closes":
            fields.closes_local = value
        else:
            raise UserError(
                _("I don't know the field “{field}”. Use: {fields}.").format(
                    field=esc(key[:30]), fields=", ".join(FIELD_NAMES)
                )
            )
    return fields


def check_zone(value: str) -> str:
    """The staff tools' zone field (chat and CLI): the IANA name, or a refusal naming zones when it is a folder."""
    zone = find_zone(value)
    if isinstance(zone, ZoneInfo):
        return value.strip()
    if zone.is_folder:
        raise UserError(
            _("“{zone}” is a group of time zones, not one. Use a full name, for example: {zones}.").format(
                zone=esc(zone.name), zones=", ".join(zone.suggestions[:6])
            )
        )
    raise UserError(
        _("“{zone}” is not a time zone I know. Use an IANA name such as Europe/Rome.").format(zone=esc(value[:64]))
    )


def parse_local(text: str, zone: str, *, now: datetime, past_ok: bool = False) -> datetime:
    """A wall-clock time at the venue ("2026-03-29 10:00") as a UTC moment: the one reading of a staff date, for
    workshops and broadcasts, in chat and CLI. A time the clocks skip is refused, and so is one outside the window
    (bot.domain.dates): in the past unless `past_ok`, or more than a few years ahead."""
    try:
        naive = datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")
    except ValueError:
        raise UserError(
            _("I could not read the time “{text}”. Write it as YYYY-MM-DD HH:MM, e.g. 2026-05-14 15:00.").format(
                text=esc(text[:40])
            )
        ) from None
    moment = venue_moment(naive, ZoneInfo(zone), now, past_ok=past_ok)
    if not isinstance(moment, BadMoment):
        return moment
    if moment.reason == "skipped":
        raise UserError(
            _("{time} does not exist in {zone} (the clocks jump forward then). Choose another time.").format(
                time=esc(text[:40]), zone=esc(zone)
            )
        )
    if moment.reason == "past":
        raise UserError(_("That time is in the past."))
    if moment.reason == "too_early":
        raise UserError(
            _("{time} is too long ago. Choose a time after {earliest}.").format(
                time=esc(text[:40]), earliest=format_date(moment.earliest, zone)
            )
        )
    raise UserError(
        ngettext(
            "{time} is too far ahead: dates can be at most {n} year from now, until {latest}.",
            "{time} is too far ahead: dates can be at most {n} years from now, until {latest}.",
            MAX_YEARS_AHEAD,
        ).format(time=esc(text[:40]), n=MAX_YEARS_AHEAD, latest=format_date(moment.latest, zone))
    )


def _optional_local(text: str, zone: str, now: datetime) -> datetime | None:
    # Registration may well have opened already: a past time is fine here, within the window.
    return None if text.strip().lower() in ("none", "-", "") else parse_local(text, zone, now=now, past_ok=True)


async def create_workshop(session: AsyncSession, fields: WorkshopFields, now: datetime) -> Workshop:
    if not fields.city or not fields.timezone or fields.capacity is None:
        raise UserError(_("A new workshop needs at least a city, a time zone (zone=) and a capacity."))
    zone = fields.timezone
    start = fields.start_local
    workshop = Workshop(
        city=fields.city,
        title=fields.title or "",
        venue=fields.venue or "",
        timezone=zone,
        starts_at=parse_local(start, zone, now=now) if start and start.lower() != "tba" else None,
        duration_minutes=fields.duration_minutes or 180,
        capacity=fields.capacity,
        registration_opens_at=_optional_local(fields.opens_local or "", zone, now),
        registration_closes_at=_optional_local(fields.closes_local or "", zone, now),
        status="scheduled",
        checkin_code=new_checkin_secret(),
        staff_edited=True,
        created_at=now,
        updated_at=now,
    )
    session.add(workshop)
    await session.flush()
    return workshop


async def edit_workshop(
    session: AsyncSession, raw_id: str, fields: WorkshopFields, now: datetime, *, notify: Notify, offer_hours: int
) -> Workshop:
    workshop = await workshop_or_refuse(session, raw_id, lock=True)
    refuse_if_cancelled(workshop)
    seats = (await seat_counts(session, [workshop]))[workshop.id]
    if fields.capacity is not None and fields.capacity < seats.taken:
        raise UserError(
            ngettext(
                "{n} person already holds a seat; the capacity cannot go below that.",
                "{n} people already hold seats; the capacity cannot go below that.",
                seats.taken,
            ).format(n=seats.taken)
        )
    for name in ("city", "title", "venue", "duration_minutes", "capacity"):
        value = getattr(fields, name)
        if value is not None:
            setattr(workshop, name, value)
    if fields.timezone is not None and fields.timezone != workshop.timezone:
        old = ZoneInfo(workshop.timezone)
        # A zone fix keeps the venue's wall-clock time: that is what staff typed in the first place.
        if workshop.starts_at is not None:
            local = workshop.starts_at.astimezone(old).strftime("%Y-%m-%d %H:%M")
            # A workshop already held keeps its (past) date; only the zone is corrected.
            workshop.starts_at = parse_local(local, fields.timezone, now=now, past_ok=True)
        workshop.timezone = fields.timezone
    if fields.opens_local is not None:
        workshop.registration_opens_at = _optional_local(fields.opens_local, workshop.timezone, now)
    if fields.closes_local is not None:
        workshop.registration_closes_at = _optional_local(fields.closes_local, workshop.timezone, now)
    workshop.staff_edited = True
    workshop.updated_at = now
    await session.flush()
    if fields.start_local is not None:
        await set_date(session, str(workshop.id), fields.start_local, now, notify=notify, offer_hours=offer_hours)
    if fields.capacity is not None:
        await promote(session, workshop, now, notify=notify, offer_hours=offer_hours)
    return workshop


async def set_date(
    session: AsyncSession, raw_id: str, local: str, now: datetime, *, notify: Notify, offer_hours: int
) -> Workshop:
    """Announce (or move) the date; pre-registrations are confirmed in order up to capacity, the rest wait."""
    workshop = await workshop_or_refuse(session, raw_id, lock=True)
    refuse_if_cancelled(workshop)
    starts_at = parse_local(local, workshop.timezone, now=now)
    was_tba = workshop.starts_at is None
    workshop.starts_at = starts_at
    workshop.staff_edited = True
    workshop.updated_at = now
    await session.flush()
    if not was_tba:
        active = await session.scalars(
            select(Registration)
            .where(Registration.workshop_id == workshop.id, Registration.status.in_(ACTIVE))
            .order_by(Registration.registered_at, Registration.id)
        )
        for registration in active:
            await notify(Notice("rescheduled", registration.user_id, workshop, registration))
        return workshop
    seats = (await seat_counts(session, [workshop]))[workshop.id]
    free = seats.free
    position = seats.waiting
    for registration in await _queue(session, workshop.id, PREREGISTERED):
        if free > 0:
            registration.status = CONFIRMED
            free -= 1
            await notify(Notice("date_confirmed", registration.user_id, workshop, registration))
        else:
            registration.status = WAITLISTED
            position += 1
            await notify(Notice("date_waitlisted", registration.user_id, workshop, registration, position))
    await session.flush()
    return workshop


async def set_registration_open(session: AsyncSession, raw_id: str, open_: bool, now: datetime) -> Workshop:
    workshop = await workshop_or_refuse(session, raw_id, lock=True)
    refuse_if_cancelled(workshop)
    workshop.status = "scheduled" if open_ else "closed"
    workshop.staff_edited = True
    workshop.updated_at = now
    return workshop


async def cancel_workshop(session: AsyncSession, raw_id: str, now: datetime, *, notify: Notify) -> list[int]:
    """Cancel the workshop and every registration; returns the ids of the people told."""
    workshop = await workshop_or_refuse(session, raw_id, lock=True)
    refuse_if_cancelled(workshop)
    workshop.status = "cancelled"
    workshop.staff_edited = True
    workshop.updated_at = now
    told = []
    active = await session.scalars(
        select(Registration)
        .where(Registration.workshop_id == workshop.id, Registration.status.in_(ACTIVE))
        .order_by(Registration.registered_at, Registration.id)
    )
    for registration in active:
        registration.status = CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
        told.append(registration.user_id)
        await notify(Notice("workshop_cancelled", registration.user_id, workshop, registration))
    await session.flush()
    return told


@dataclass(frozen=True, slots=True)
class CityCount:
    city: str
    registered: int
    waiting: int
    attended: int


async def counts_per_city(session: AsyncSession) -> list[CityCount]:
    """Registered (seat holders and pre-registrations), waiting and attended, summed per city."""
    workshops = [w for w in await list_workshops(session) if w.status != "cancelled"]
    seats = await seat_counts(session, workshops)
    totals: dict[str, list[int]] = {}
    for w in workshops:
        s = seats[w.id]
        row = totals.setdefault(w.city, [0, 0, 0])
        row[0] += s.confirmed + s.offered + s.preregistered
        row[1] += s.waiting
        row[2] += s.attended
    return [CityCount(city, *values) for city, values in sorted(totals.items())]


CSV_HEADER = (
    "workshop_id",
    "city",
    "starts_at_local",
    "timezone",
    "user_id",
    "name",
    "status",
    "position",
    "registered_at_utc",
    "birth_year",
    "attended_at_utc",
)


async def export_csv(session: AsyncSession, workshop_ids: Sequence[int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for wid in workshop_ids:
        workshop = await get_workshop(session, wid)
        if workshop is None:
            continue
        local = (
            workshop.starts_at.astimezone(ZoneInfo(workshop.timezone)).strftime("%Y-%m-%d %H:%M")
            if workshop.starts_at
            else ""
        )
        positions = {WAITLISTED: 0, PREREGISTERED: 0}
        for reg, user in await registrants(session, wid):
            position = ""
            if reg.status in positions:
                positions[reg.status] += 1
                position = str(positions[reg.status])
            writer.writerow(
                (
                    workshop.id,
                    workshop.city,
                    local,
                    workshop.timezone,
                    user.id,
                    _csv_safe(user.full_name or user.display_name),
                    reg.status,
                    position,
                    reg.registered_at.isoformat(),
                    user.birth_year or "",
                    reg.attended_at.isoformat() if reg.attended_at else "",
                )
            )
    return out.getvalue()


def _csv_safe(value: str) -> str:
    # A name starting with = + - @ would run as a formula when staff open the file in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# ---------------------------------------------------------------------------------------------- seeding


@dataclass(frozen=True, slots=True)
class Seed:
    slug: str
    city: str
    title: str
    timezone: str
    capacity: int
    duration_minutes: int


async def seed_workshops(session: AsyncSession, seeds: Sequence[Seed], now: datetime) -> int:
    """Create workshops from content by slug; update those staff never touched. Returns how many were new."""
    existing = {
        w.slug: w for w in await session.scalars(select(Workshop).where(Workshop.slug.in_([s.slug for s in seeds])))
    }
    created = 0
    for seed in seeds:
        workshop = existing.get(seed.slug)
        if workshop is None:
            session.add(
                Workshop(
                    slug=seed.slug,
                    city=seed.city,
                    title=seed.title,
                    venue="",
                    starts_at=None,
                    timezone=seed.timezone,
                    duration_minutes=seed.duration_minutes,
                    capacity=seed.capacity,
                    status="scheduled",
                    checkin_code=new_checkin_secret(),
                    staff_edited=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            created += 1
        elif not workshop.staff_edited:
            workshop.city, workshop.title, workshop.timezone = seed.city, seed.title, seed.timezone
            workshop.capacity, workshop.duration_minutes = seed.capacity, seed.duration_minutes
    await session.flush()
    return created


def seeds_of(content: Content) -> list[Seed]:
    file = content.workshops
    return [
        Seed(
            slug=w.slug,
            city=w.city,
            title=file.title,
            timezone=w.timezone,
            capacity=w.capacity or file.default_capacity,
            duration_minutes=w.duration_minutes or file.default_duration_minutes,
        )
        for w in file.workshops
    ]


async def seed_from_content(storage: Storage, content: Content) -> int:
    """Run at start: idempotent, and it never overwrites a workshop staff have edited."""
    async with storage.unit_of_work() as uow:
        return await seed_workshops(uow.session, seeds_of(content), datetime.now(UTC))
