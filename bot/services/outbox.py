"""Messages for participants, worded in the recipient's language and queued in the caller's transaction.

Storage keeps the rows (storage/outbox.py); the wording happens here, at the moment the row is written, because
the delivery worker sends stored text and never translates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain.messages import Action, Button, Reply
from bot.i18n import use_locale
from storage.models import Delivery, User
from storage.outbox import add_delivery
from storage.users import language_of

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


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
    (otherwise it goes to the account they used last that can be reached). None for a deleted person."""
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        return None
    with use_locale(language_of(user, default_locale)):
        reply = build()
    return add_delivery(
        session,
        user_id=user_id,
        account_id=account_id,
        kind=kind,
        ref_id=ref_id,
        text=reply.text,
        buttons=buttons_to_json(reply.buttons),
        not_before=not_before,
    )
