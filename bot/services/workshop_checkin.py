"""Check-in: a participant's code at the venue, and staff marking attendance by hand. Attendance is a record
(the workshop certificate rests on it), so both only ever add it."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshop_refusals import NoConfirmedSeat
from bot.domain.workshops import (
    RegistrationStatus,
    WorkshopStatus,
    checkin_code_for,
    checkin_window,
    count_wrong_code,
    normalize_code,
    paused,
)
from bot.services.unit_of_work import UnitOfWork, commits
from bot.services.workshops import find_workshop
from storage import registrations as regs
from storage import workshops as store
from storage.models import Registration, Workshop

# Sessions from yesterday on: older ones are over, and their codes are as wrong as any other.
CODES_LOOKBACK = timedelta(days=2)


class CheckInOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    WRONG_CODE = "wrong_code"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    NO_SEAT = "no_seat"
    NOT_YET = "not_yet"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class CheckIn:
    """What a check-in attempt came to. Only a right code learns anything about a workshop."""

    outcome: CheckInOutcome
    workshop: WorkshopInfo | None = None
    # NOT_YET: when check-in opens; PAUSED: when the pause ends; WRONG_CODE: set when this code began a pause.
    at: datetime | None = None


@commits
async def check_in(uow: UnitOfWork, code: str, user_id: int, now: datetime) -> CheckIn:
    """Record attendance for the code shown at the venue today, within the check-in window.

    Every wrong code gets the same outcome, whatever the window, and counts towards a pause; a paused person's
    codes are not looked at. Nothing is raised: a wrong code's count must be committed, not rolled back.
    """
    session = uow.session
    # One person's attempts in turn (PostgreSQL; SQLite serializes writers): concurrent guesses each count.
    await regs.lock_user(session, user_id)
    attempts = await regs.wrong_codes(session, user_id)
    pause = paused(attempts, now)
    if pause is not None:
        return CheckIn(CheckInOutcome.PAUSED, at=pause)
    workshop = await _workshop_with_code(uow, code, user_id, now)
    if workshop is None:
        counted = count_wrong_code(attempts, now)
        await regs.save_wrong_codes(session, user_id, counted)
        return CheckIn(CheckInOutcome.WRONG_CODE, at=counted.paused_until)
    if attempts is not None:
        # The right code: this person is not guessing.
        await regs.forget_wrong_codes(session, user_id)
    found = WorkshopInfo.of(workshop)
    if workshop.status == WorkshopStatus.CANCELLED:
        return CheckIn(CheckInOutcome.CANCELLED, found)
    registration = await regs.registration_of(session, workshop.id, user_id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return CheckIn(CheckInOutcome.NO_SEAT, found)
    window = checkin_window(workshop)
    assert window is not None  # a workshop with a code has a date
    if now < window[0]:
        return CheckIn(CheckInOutcome.NOT_YET, found, at=window[0])
    if now >= window[1]:
        return CheckIn(CheckInOutcome.OVER, found)
    if registration.attended_at is None:
        registration.attended_at = now
    return CheckIn(CheckInOutcome.CHECKED_IN, found)


async def _workshop_with_code(uow: UnitOfWork, typed: str, user_id: int, now: datetime) -> Workshop | None:
    code = normalize_code(typed)
    if code is None:
        return None
    recent = await store.recent_dated(uow.session, now - CODES_LOOKBACK)
    matches = [w for w in recent if hmac.compare_digest(checkin_code_for(w) or "", code)]
    # Two sessions sharing a code (one in a billion): the one this person has a seat at.
    for workshop in matches:
        registration = await regs.registration_of(uow.session, workshop.id, user_id)
        if registration is not None and registration.status == RegistrationStatus.CONFIRMED:
            return workshop
    return matches[0] if matches else None


@commits
async def mark_attended(
    uow: UnitOfWork, workshop_id: int | None, user_id: int | None, now: datetime, *, typed_user: str = ""
) -> tuple[WorkshopInfo, Registration]:
    """Staff mark a participant as attended (by hand, at the venue). Only a confirmed seat can attend.

    `user_id` None is a participant number out of range: no row can have it, so it is refused like anyone without
    a seat, quoting `typed_user`."""
    workshop = await find_workshop(uow, workshop_id)
    registration = None if user_id is None else await regs.registration_of(uow.session, workshop.id, user_id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise NoConfirmedSeat(workshop.id, typed_user or str(user_id))
    if registration.attended_at is None:
        registration.attended_at = now
    return WorkshopInfo.of(workshop), registration
