"""One participant on several platforms: one-time link codes and merging two users into one."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.certificates.codes import ALPHABET
from bot.domain.workshops import RegistrationStatus
from storage.attempts import AttemptLimit
from storage.models import (
    Account,
    Certificate,
    Delivery,
    LectureProgress,
    LinkCode,
    NotificationPrefs,
    Question,
    Registration,
    SentReminder,
    StudyReminder,
    User,
)

LINK_CODE_LENGTH = 8
LINK_CODE_TTL = timedelta(minutes=10)
# Wrong codes a person may send before they must wait: a guesser gets 5 tries per 15 minutes, not thousands.
LINK_ATTEMPTS = AttemptLimit("link", failures=5, window=timedelta(minutes=15))
# A better status keeps its place when both users registered for the same workshop.
_STATUS_RANK: dict[str, int] = {
    RegistrationStatus.CONFIRMED: 0,
    RegistrationStatus.OFFERED: 1,
    RegistrationStatus.WAITLISTED: 2,
    RegistrationStatus.PREREGISTERED: 2,
    RegistrationStatus.CANCELLED: 3,
}


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalize_link_code(text: str) -> str:
    return "".join(text.split()).replace("-", "").upper()


async def create_link_code(session: AsyncSession, user_id: int, now: datetime) -> str:
    """A fresh code for the user; their earlier unused codes stop working."""
    await session.execute(delete(LinkCode).where(LinkCode.user_id == user_id, LinkCode.used_at.is_(None)))
    # 8 symbols of 32 = 40 bits, alive 10 minutes, single use: guessing is hopeless.
    code = "".join(secrets.choice(ALPHABET) for _ in range(LINK_CODE_LENGTH))
    session.add(LinkCode(user_id=user_id, code_hash=_hash(code), created_at=now, expires_at=now + LINK_CODE_TTL))
    await session.flush()
    return code


class LinkRefused(Exception):
    """The code cannot be used: `reason` is unknown | used | expired | same."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def redeem_link_code(session: AsyncSession, text: str, user_id: int, now: datetime) -> int:
    """Use a code sent by `user_id`; returns the id of the user who asked for it. Raises LinkRefused."""
    code = normalize_link_code(text)
    if len(code) != LINK_CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise LinkRefused("unknown")
    row = await session.scalar(select(LinkCode).where(LinkCode.code_hash == _hash(code)).with_for_update())
    if row is None:
        raise LinkRefused("unknown")
    if row.used_at is not None:
        raise LinkRefused("used")
    if row.expires_at <= now:
        raise LinkRefused("expired")
    if row.user_id == user_id:
        raise LinkRefused("same")
    owner = await session.get(User, row.user_id)
    if owner is None or owner.deleted_at is not None:
        raise LinkRefused("unknown")
    row.used_at = now
    return row.user_id


@dataclass(frozen=True, slots=True)
class MergeSummary:
    lectures_added: int
    # Workshops where the merge gave up a seat (both accounts held one): the caller offers it on.
    freed_workshops: list[int]
    registrations_moved: int
    registrations_merged: int
    certificates_moved: int
    accounts_moved: int


async def _merge_sent_reminders(session: AsyncSession, keep_id: int, drop_id: int) -> None:
    """Reminder slots already handled on either side stay handled: nobody gets the same reminder twice."""
    kept = {
        (r.kind, r.ref_id, r.slot)
        for r in await session.scalars(select(SentReminder).where(SentReminder.user_id == keep_id))
    }
    for row in await session.scalars(select(SentReminder).where(SentReminder.user_id == drop_id)):
        if (row.kind, row.ref_id, row.slot) in kept:
            await session.delete(row)
        else:
            row.user_id = keep_id


async def _merge_notification_prefs(session: AsyncSession, keep_id: int, drop_id: int) -> None:
    """A kind of reminder turned off on either account stays off: an opt-out is never lost by linking."""
    theirs = await session.get(NotificationPrefs, drop_id)
    if theirs is None:
        return
    mine = await session.get(NotificationPrefs, keep_id)
    if mine is None:
        mine = NotificationPrefs(user_id=keep_id, workshop=theirs.workshop, study=theirs.study, nudge=theirs.nudge)
        session.add(mine)
    else:
        mine.workshop = mine.workshop and theirs.workshop
        mine.study = mine.study and theirs.study
        mine.nudge = mine.nudge and theirs.nudge
    if theirs.last_nudge_at and (mine.last_nudge_at is None or theirs.last_nudge_at > mine.last_nudge_at):
        mine.last_nudge_at = theirs.last_nudge_at
    await session.delete(theirs)
    await session.flush()


def _better(a: Registration, b: Registration) -> Registration:
    """The registration that keeps its place: the better status, then the earlier registration."""
    return min(a, b, key=lambda r: (_STATUS_RANK.get(r.status, 9), r.registered_at, r.id))


async def merge_users(session: AsyncSession, keep_id: int, drop_id: int, now: datetime) -> MergeSummary:
    """Move everything of user `drop_id` to `keep_id`, without loss; `drop_id` is left soft-deleted.

    Progress is the union (the earlier completion time wins). A workshop both registered for keeps the better
    place (confirmed before waitlisted, then the earlier sign-up) and the check-in of either; the other
    registration stays with the dropped user, cancelled, because (workshop, user) is unique.
    """
    if keep_id == drop_id:
        raise ValueError("cannot merge a user into itself")
    keep = await session.get_one(User, keep_id)
    drop = await session.get_one(User, drop_id)
    # Once an attendance or a workshop record rests on the kept person's year of birth (or on its absence), it is
    # evidence for the age rule: linking must not supply one that /mysignups would refuse.
    from storage.registrations import birth_year_in_use

    keep_year_fixed = await birth_year_in_use(session, keep_id)

    kept_progress = {
        p.lecture_key: p
        for p in await session.scalars(select(LectureProgress).where(LectureProgress.user_id == keep_id))
    }
    added = 0
    for progress in list(await session.scalars(select(LectureProgress).where(LectureProgress.user_id == drop_id))):
        mine = kept_progress.get(progress.lecture_key)
        if mine is None:
            progress.user_id = keep_id
            added += 1
        else:
            mine.completed_at = min(mine.completed_at, progress.completed_at)
            await session.delete(progress)
    await session.flush()

    kept_regs = {
        r.workshop_id: r for r in await session.scalars(select(Registration).where(Registration.user_id == keep_id))
    }
    moved = merged = 0
    freed: list[int] = []
    for theirs in list(await session.scalars(select(Registration).where(Registration.user_id == drop_id))):
        kept = kept_regs.get(theirs.workshop_id)
        if kept is None:
            theirs.user_id = keep_id
            moved += 1
            continue
        merged += 1
        winner = _better(kept, theirs)
        attended = [r.attended_at for r in (kept, theirs) if r.attended_at is not None]
        consent = [r.consent_at for r in (kept, theirs) if r.consent_at is not None]
        if winner is theirs:
            # Copy the better place onto the kept user's row; the unique (workshop, user) row stays where it is.
            kept.status = theirs.status
            kept.registered_at = theirs.registered_at
            kept.offer_expires_at = theirs.offer_expires_at
            kept.cancelled_at = theirs.cancelled_at
        kept.attended_at = min(attended) if attended else None
        kept.consent_at = min(consent) if consent else None
        if theirs.status in ("confirmed", "offered") and kept.status in ("confirmed", "offered"):
            freed.append(theirs.workshop_id)
        if theirs.status != "cancelled":
            theirs.status = "cancelled"
            theirs.cancelled_at = now
        theirs.offer_expires_at = None
    await session.flush()

    certificates = await session.execute(
        update(Certificate).where(Certificate.user_id == drop_id).values(user_id=keep_id)
    )
    accounts = await session.execute(update(Account).where(Account.user_id == drop_id).values(user_id=keep_id))
    await session.execute(update(Delivery).where(Delivery.user_id == drop_id).values(user_id=keep_id))
    await session.execute(delete(LinkCode).where(LinkCode.user_id == drop_id))
    # Questions for the team (so a staff answer still reaches the person) and study reminders go along.
    await session.execute(update(Question).where(Question.user_id == drop_id).values(user_id=keep_id))
    await session.execute(update(StudyReminder).where(StudyReminder.user_id == drop_id).values(user_id=keep_id))
    await _merge_sent_reminders(session, keep_id, drop_id)
    await _merge_notification_prefs(session, keep_id, drop_id)

    for field in ("full_name", "birth_year", "locale", "timezone"):
        if field == "birth_year" and keep_year_fixed:
            continue
        if getattr(keep, field) is None and getattr(drop, field) is not None:
            setattr(keep, field, getattr(drop, field))
    drop.full_name = None
    drop.birth_year = None
    drop.display_name = ""
    drop.deleted_at = now
    await session.flush()
    # Bulk updates bypass the identity map: forget stale copies of the moved rows.
    session.expire_all()
    return MergeSummary(
        lectures_added=added,
        freed_workshops=freed,
        registrations_moved=moved,
        registrations_merged=merged,
        certificates_moved=getattr(certificates, "rowcount", 0) or 0,
        accounts_moved=getattr(accounts, "rowcount", 0) or 0,
    )
