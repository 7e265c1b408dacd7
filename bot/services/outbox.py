"""Messages for participants, worded in the recipient's language and queued in the caller's transaction.

Storage keeps the rows (storage/outbox.py); the wording happens here, at the moment the row is written, because
the delivery worker sends stored text and never translates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain.messages import Action, Button, Reply
from bot.services.unit_of_work import commits
from storage.models import Delivery, User
from storage.outbox import add_delivery, mark_sent, pending_for
from storage.users import UserRepository, language_of

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.services.unit_of_work import UnitOfWork


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
    build: Callable[[str], Reply],
    *,
    kind: str,
    ref_id: int | None,
    not_before: datetime,
    default_locale: str = "en",
    account_id: int | None = None,
) -> Delivery | None:
    """Queue a message for a participant in their language: `build` is handed the language (language_of) and
    words the message in it. `account_id` pins it to one of their accounts (otherwise it goes to the account they
    used last that can be reached). None for a deleted person."""
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        return None
    reply = build(language_of(user, default_locale))
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


@commits
async def take_waiting(uow: UnitOfWork, platform: str, platform_user_id: str, now: datetime) -> list[Reply]:
    """The messages queued for this person and due, marked sent: for a door that shows them itself when the person
    next writes (the terminal) instead of through the delivery worker. Nothing for an unknown person.

    They count as delivered at the caller's commit: a fault before it leaves them pending, shown once, later."""
    account = await UserRepository(uow.session).account(platform, platform_user_id)
    if account is None:
        return []
    pending = await pending_for(uow.session, account.user_id, now)
    await mark_sent(uow.session, [delivery.id for delivery in pending], now)
    return [Reply(delivery.text, buttons=buttons_from_json(delivery.buttons)) for delivery in pending]
