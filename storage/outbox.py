"""The outbox: messages for participants, written in the same transaction as the change that caused them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from bot.domain.statuses import DeliveryStatus
from storage.models import Delivery
from storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def add_delivery(
    session: AsyncSession,
    *,
    user_id: int,
    kind: str,
    ref_id: int | None,
    text: str,
    buttons: list[Any],
    not_before: datetime,
    account_id: int | None = None,
) -> Delivery:
    """One outbox row with its text already worded (bot/services/outbox.py words it in the recipient's language)."""
    delivery = Delivery(
        user_id=user_id,
        account_id=account_id,
        kind=kind,
        ref_id=ref_id,
        text=text,
        buttons=buttons,
        not_before=not_before,
        # A message held for later (quiet hours) is still created now, not at the time it may go out.
        created_at=min(not_before, utcnow()),
    )
    session.add(delivery)
    return delivery


async def pending_for(session: AsyncSession, user_id: int, now: datetime) -> list[Delivery]:
    result = await session.scalars(
        select(Delivery)
        .where(Delivery.user_id == user_id, Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= now)
        .order_by(Delivery.id)
    )
    return list(result)


async def mark_sent(session: AsyncSession, delivery_ids: Sequence[int], now: datetime) -> None:
    if delivery_ids:
        await session.execute(
            update(Delivery).where(Delivery.id.in_(delivery_ids)).values(status=DeliveryStatus.SENT, sent_at=now)
        )


async def requeue_undelivered(
    session: AsyncSession, user_id: int, kinds: Sequence[str], *, since: datetime, now: datetime
) -> int:
    """Messages of these kinds that could not reach the person since `since` go out again (they can be reached
    again); returns how many."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.user_id == user_id,
            Delivery.status == DeliveryStatus.UNREACHABLE,
            Delivery.kind.in_(list(kinds)),
            Delivery.sent_at >= since,
        )
        .values(status=DeliveryStatus.PENDING, not_before=now, sent_at=None, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
