"""The outbox: messages for participants, written in the same transaction as the change that caused them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action
from bot.core.replies import Button, Reply
from bot.i18n import use_locale
from storage.models import Delivery, User
from storage.types import utcnow
from storage.users import language_of


def buttons_to_json(rows: Sequence[Sequence[Button]]) -> list[Any]:
    return [
        [{"label": b.label, "action": b.action.encode() if b.action else None, "url": b.url} for b in row]
        for row in rows
    ]


def buttons_from_json(rows: list[Any]) -> list[list[Button]]:
    return [
        [Button(b["label"], Action.decode(b["action"]) if b.get("action") else None, b.get("url")) for b in row]
        for row in rows
    ]


async def enqueue_for_user(
    session: AsyncSession,
    user_id: int,
    build: Callable[[], Reply],
    *,
    kind: str,
    ref_id: int | None,
    not_before: datetime,
    default_locale: str = "en",
    account_id: int | None = None,
) -> Delivery | None:
    """Queue a message for a participant in their language; `account_id` pins it to one of their accounts
    (otherwise it goes to the account they used last that can be reached)."""
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        return None
    with use_locale(language_of(user, default_locale)):
        reply = build()
    delivery = Delivery(
        user_id=user_id,
        account_id=account_id,
        kind=kind,
        ref_id=ref_id,
        text=reply.text,
        buttons=buttons_to_json(reply.buttons),
        not_before=not_before,
        # A message held for later (quiet hours) is still created now, not at the time it may go out.
        created_at=min(not_before, utcnow()),
    )
    session.add(delivery)
    return delivery


async def pending_for(session: AsyncSession, user_id: int, now: datetime) -> list[Delivery]:
    result = await session.scalars(
        select(Delivery)
        .where(Delivery.user_id == user_id, Delivery.status == "pending", Delivery.not_before <= now)
        .order_by(Delivery.id)
    )
    return list(result)


async def mark_sent(session: AsyncSession, delivery_ids: Sequence[int], now: datetime) -> None:
    if delivery_ids:
        await session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids)).values(status="sent", sent_at=now))


async def requeue_undelivered(
    session: AsyncSession, user_id: int, kinds: Sequence[str], *, since: datetime, now: datetime
) -> int:
    """Messages of these kinds that could not reach the person since `since` go out again (they can be reached
    again); returns how many."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.user_id == user_id,
            Delivery.status == "unreachable",
            Delivery.kind.in_(list(kinds)),
            Delivery.sent_at >= since,
        )
        .values(status="pending", not_before=now, sent_at=None, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
