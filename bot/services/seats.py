"""Seats moving between people: offers to the waiting list, lapsed offers, seats freed by a cancellation, and
the notices each change sends. Called by the participant and staff use cases, by account merging and data
deletion, and by the clock; every caller holds one unit of work and passes its session.

A notice is written here as an outbox row, in the recipient's language and zone; its wording is the chat
layer's (`NoticeWriter`, handlers/workshop_views.py), handed in by whoever builds the `Notify`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.messages import Reply
from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshops import (
    SEAT_HOLDERS,
    NoticeKind,
    RegistrationStatus,
    can_promote,
    offer_deadline,
)
from bot.services.unit_of_work import UnitOfWork, commits
from storage import registrations as regs
from storage import workshops as store
from storage.models import Registration, User, Workshop


@dataclass(frozen=True, slots=True)
class Notice:
    """One person told of a change: `position` is their waiting-list number for DATE_WAITLISTED."""

    kind: NoticeKind
    user_id: int
    workshop: WorkshopInfo
    registration: Registration
    position: int | None = None


Notify = Callable[[Notice], Awaitable[None]]
# The message for a notice: the second argument is the recipient's zone, the last their language.
NoticeWriter = Callable[[Notice, str, str], Reply]


def outbox_notify(
    session: AsyncSession, write: NoticeWriter, now: datetime, *, default_language: str, default_timezone: str
) -> Notify:
    """A `Notify` that queues each notice in the outbox, sent after the unit of work commits."""
    from bot.services.outbox import enqueue_for_user
    from storage.users import person_zone_name

    async def notify(notice: Notice) -> None:
        user = await session.get(User, notice.user_id)
        zone = await person_zone_name(session, user, default_timezone, default_language)
        await enqueue_for_user(
            session,
            notice.user_id,
            lambda language: write(notice, zone, language),
            kind=f"workshop.{notice.kind}",
            ref_id=notice.registration.id,
            not_before=now,
            default_locale=default_language,
        )

    return notify


async def promote(
    session: AsyncSession, workshop: Workshop, now: datetime, *, notify: Notify, offer_hours: int
) -> list[Registration]:
    """Offer every free seat to the head of the waiting list. The caller holds the workshop lock."""
    if not can_promote(workshop, now):
        return []
    seats = await store.seats_of(session, workshop)
    queue = await regs.in_status(session, workshop.id, [RegistrationStatus.WAITLISTED])
    expires = offer_deadline(workshop, now, offer_hours)
    offered = queue[: seats.free]
    for registration in offered:
        registration.status = RegistrationStatus.OFFERED
        registration.offer_expires_at = expires
        await notify(Notice(NoticeKind.OFFERED, registration.user_id, WorkshopInfo.of(workshop), registration))
    await session.flush()
    return offered


async def expire_offers(
    session: AsyncSession, now: datetime, *, notify: Notify, offer_hours: int, workshop_id: int | None = None
) -> list[Registration]:
    """Offers not confirmed in time lapse; each seat passes to the next person waiting. Safe to call often."""
    expired: list[Registration] = []
    for wid in await regs.workshops_with_lapsed_offers(session, now, workshop_id):
        # In id order, so two callers lock rows in the same order.
        workshop = await store.lock_workshop(session, wid)
        assert workshop is not None  # the registration's foreign key guarantees it
        for registration in await regs.in_status(session, wid, [RegistrationStatus.OFFERED], before=now):
            registration.status = RegistrationStatus.CANCELLED
            registration.cancelled_at = now
            expired.append(registration)
            await notify(
                Notice(NoticeKind.OFFER_EXPIRED, registration.user_id, WorkshopInfo.of(workshop), registration)
            )
        await session.flush()
        await promote(session, workshop, now, notify=notify, offer_hours=offer_hours)
    return expired


@commits
async def expire_lapsed(uow: UnitOfWork, now: datetime, *, notify: Notify, offer_hours: int) -> int:
    """The clock's sweep: lapsed offers pass on even when nobody uses the bot. Returns how many lapsed."""
    return len(await expire_offers(uow.session, now, notify=notify, offer_hours=offer_hours))


async def release_seats(
    session: AsyncSession, workshop_ids: Iterable[int], now: datetime, *, notify: Notify, offer_hours: int
) -> None:
    """Offer seats freed outside a person's own cancel (account merge, data deletion) to those waiting."""
    for workshop_id in sorted(set(workshop_ids)):  # id order, so concurrent callers lock alike
        workshop = await store.lock_workshop(session, workshop_id)
        if workshop is not None:
            await promote(session, workshop, now, notify=notify, offer_hours=offer_hours)


def cancel_registration_row(registration: Registration, now: datetime) -> bool:
    """Mark one registration cancelled; True when it held a seat (which then passes on)."""
    held_seat = registration.status in SEAT_HOLDERS
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    return held_seat


async def cancel_all_for_user(
    session: AsyncSession, user_id: int, now: datetime, *, notify: Notify, offer_hours: int
) -> list[Registration]:
    """Cancel every active registration of one person; each seat they held goes to the next person waiting."""
    active = await regs.active_of_user(session, user_id)
    for workshop_id in sorted({r.workshop_id for r in active}):
        await store.lock_workshop(session, workshop_id)
    freed = [r.workshop_id for r in active if cancel_registration_row(r, now)]
    await session.flush()
    await release_seats(session, freed, now, notify=notify, offer_hours=offer_hours)
    return active
