"""The participant's own data: everything stored about them, and deleting it while keeping anonymous counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.certificates.codes import group
from bot.services.seats import Notify, cancel_all_for_user
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
    Workshop,
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Everything stored about one user, as JSON-ready data."""
    user = await session.get_one(User, user_id)
    accounts = await session.scalars(select(Account).where(Account.user_id == user_id).order_by(Account.id))
    progress = await session.scalars(
        select(LectureProgress).where(LectureProgress.user_id == user_id).order_by(LectureProgress.lecture_key)
    )
    registrations = await session.execute(
        select(Registration, Workshop)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(Registration.user_id == user_id)
        .order_by(Registration.id)
    )
    certificates = await session.scalars(
        select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.id)
    )
    deliveries = await session.scalars(select(Delivery).where(Delivery.user_id == user_id).order_by(Delivery.id))
    return {
        "user": {
            "id": user.id,
            "name": user.full_name,
            "display_name": user.display_name,
            "language": user.locale,
            "platform_language": user.locale_hint,
            "timezone": user.timezone,
            "birth_year": user.birth_year,
            "created_at": _iso(user.created_at),
        },
        "accounts": [
            {
                "platform": a.platform,
                "platform_user_id": a.platform_user_id,
                "chat_id": a.chat_id,
                "reachable": a.reachable,
                "created_at": _iso(a.created_at),
                "last_seen_at": _iso(a.last_seen_at),
            }
            for a in accounts
        ],
        "lecture_progress": [{"lecture": p.lecture_key, "completed_at": _iso(p.completed_at)} for p in progress],
        "registrations": [
            {
                "workshop": {"id": w.id, "title": w.title, "city": w.city, "starts_at": _iso(w.starts_at)},
                "status": r.status,
                "registered_at": _iso(r.registered_at),
                "offer_expires_at": _iso(r.offer_expires_at),
                "cancelled_at": _iso(r.cancelled_at),
                "attended_at": _iso(r.attended_at),
                "consent_at": _iso(r.consent_at),
            }
            for r, w in registrations
        ],
        "certificates": [
            {
                "kind": c.kind,
                "workshop_id": c.workshop_id,
                "code": group(c.code) if c.code else None,
                "name": c.name,
                "issued_at": _iso(c.issued_at),
                "revoked_at": _iso(c.revoked_at),
            }
            for c in certificates
        ],
        "deliveries": [
            {
                "kind": d.kind,
                "text": d.text,
                "status": d.status,
                "created_at": _iso(d.created_at),
                "sent_at": _iso(d.sent_at),
            }
            for d in deliveries
        ],
        "questions": [
            {
                "text": q.text,
                "language": q.language,
                "asked_at": _iso(q.asked_at or q.created_at),
                "answer": q.answer,
                "answered_at": _iso(q.answered_at),
            }
            for q in await session.scalars(select(Question).where(Question.user_id == user_id).order_by(Question.id))
        ],
        "study_reminders": [
            {"weekdays": r.weekdays, "time": r.at_local, "paused": r.paused}
            for r in await session.scalars(
                select(StudyReminder).where(StudyReminder.user_id == user_id).order_by(StudyReminder.id)
            )
        ],
        "notifications": (
            {"workshop": prefs.workshop, "study": prefs.study, "nudge": prefs.nudge}
            if (prefs := await session.get(NotificationPrefs, user_id)) is not None
            else {"workshop": True, "study": True, "nudge": True}
        ),
    }


async def delete_user_data(
    session: AsyncSession, user_id: int, now: datetime, *, notify: Notify, offer_hours: int
) -> list[Registration]:
    """Delete the user's personal data; returns the registrations it cancelled.

    The user row stays (personal fields cleared, `deleted_at` set) with its cancelled registrations and nameless
    certificate records, so counts of participants, sign-ups and records stay right without naming anyone.
    A record of a deleted user no longer verifies.
    """
    user = await session.get_one(User, user_id)
    # The same path as a person cancelling: each freed seat is offered to the next one waiting.
    cancelled = await cancel_all_for_user(session, user_id, now, notify=notify, offer_hours=offer_hours)
    for registration in await session.scalars(select(Registration).where(Registration.user_id == user_id)):
        registration.consent_at = None
    for record in await session.scalars(select(Certificate).where(Certificate.user_id == user_id)):
        record.name = ""
    await session.execute(delete(LectureProgress).where(LectureProgress.user_id == user_id))
    await session.execute(delete(LinkCode).where(LinkCode.user_id == user_id))
    # Their words, and an answer could no longer reach them; a question saved as FAQ lives on in the FAQ file.
    await session.execute(delete(Question).where(Question.user_id == user_id))
    await session.execute(delete(Delivery).where(Delivery.user_id == user_id))
    await session.execute(delete(StudyReminder).where(StudyReminder.user_id == user_id))
    await session.execute(delete(NotificationPrefs).where(NotificationPrefs.user_id == user_id))
    await session.execute(delete(SentReminder).where(SentReminder.user_id == user_id))
    await session.execute(delete(Account).where(Account.user_id == user_id))
    user.full_name = None
    user.display_name = ""
    user.birth_year = None
    user.locale = None
    user.locale_hint = None
    user.timezone = None
    user.deleted_at = now
    await session.flush()
    session.expire_all()
    return cancelled
