"""The Telegram webhook's store: an update is a row before Telegram hears "ok", and is handled from the row.

pending → handling (claimed with a guarded update) → done; see bot/adapters/telegram/inbox.py for why.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, or_, select, update

from bot.domain.statuses import UpdateStatus
from storage.models import TelegramUpdate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# How long an update being handled holds back the later updates of its chat (past it, its worker is presumed dead).
HANDLING_HOLDS_FOR = timedelta(minutes=5)
# Pending updates looked at per claim for one whose chat is free; a backlog deeper than this in busy chats waits.
LOOKAHEAD = 64


async def store(session: AsyncSession, update_id: int, payload: str, now: datetime) -> bool:
    """Add one update; False when it was stored already (Telegram sent it again). The same update posted twice at
    once fails the commit with IntegrityError: the other request stored it."""
    known = await session.scalar(select(TelegramUpdate.id).where(TelegramUpdate.update_id == update_id))
    if known is not None:
        return False
    session.add(TelegramUpdate(update_id=update_id, payload=payload, status=UpdateStatus.PENDING, received_at=now))
    return True


async def interrupt_unfinished(session: AsyncSession, now: datetime) -> list[int]:
    """Updates a crashed process was handling: marked interrupted, never handled again (at most once)."""
    rows = await session.scalars(
        update(TelegramUpdate)
        .where(TelegramUpdate.status == UpdateStatus.HANDLING)
        .values(status=UpdateStatus.INTERRUPTED, payload="", done_at=now)
        .returning(TelegramUpdate.update_id)
    )
    return sorted(rows)


async def claim_next(
    session: AsyncSession, now: datetime, chat_of: Callable[[str], Hashable | None] | None = None
) -> tuple[int, str] | None:
    """The oldest pending update, claimed (id and payload); None when there is none.

    With `chat_of` (the chat a payload belongs to), the oldest pending update of a chat none of whose updates is
    being handled, by this process or another: so several webhook workers on one database keep each chat's order.
    An update left "handling" longer than HANDLING_HOLDS_FOR (its worker died) no longer holds its chat back.
    """
    while True:
        if chat_of is None:
            found = (await session.execute(_oldest_pending.limit(1))).first()
        else:
            found = await _oldest_free(session, now, chat_of)
        if found is None:
            return None
        # Guarded: a row another worker took meanwhile is not taken twice.
        claimed = await session.execute(
            update(TelegramUpdate)
            .where(TelegramUpdate.id == found.id, TelegramUpdate.status == UpdateStatus.PENDING)
            .values(status=UpdateStatus.HANDLING, claimed_at=now)
        )
        if getattr(claimed, "rowcount", 0) == 1:
            return found.id, found.payload


_oldest_pending = (
    select(TelegramUpdate.id, TelegramUpdate.payload)
    .where(TelegramUpdate.status == UpdateStatus.PENDING)
    .order_by(TelegramUpdate.id)
)


async def _oldest_free(session: AsyncSession, now: datetime, chat_of: Callable[[str], Hashable | None]) -> Any:
    # One statement, so one snapshot: the rows being handled and the pending ones are seen at the same moment
    # (two statements could miss a row that went from pending to handling in between).
    rows = (
        await session.execute(
            select(TelegramUpdate.id, TelegramUpdate.payload, TelegramUpdate.status)
            .where(
                or_(
                    TelegramUpdate.status == UpdateStatus.PENDING,
                    and_(
                        TelegramUpdate.status == UpdateStatus.HANDLING,
                        TelegramUpdate.claimed_at > now - HANDLING_HOLDS_FOR,
                    ),
                )
            )
            .order_by(TelegramUpdate.id)
            .limit(LOOKAHEAD)
        )
    ).all()
    busy = {chat_of(row.payload) for row in rows if row.status == UpdateStatus.HANDLING}
    for row in rows:
        if row.status != UpdateStatus.PENDING:
            continue
        chat = chat_of(row.payload)
        if chat is None or chat not in busy:
            return row
    # Every pending row in sight waits for its chat: nothing to claim now (a finished update wakes the worker).
    return None


async def mark_done(session: AsyncSession, row_id: int, now: datetime) -> None:
    """Handled: the payload (personal data) goes; the id stays a while to recognise a resent update."""
    await session.execute(
        update(TelegramUpdate)
        .where(TelegramUpdate.id == row_id)
        .values(status=UpdateStatus.DONE, payload="", done_at=now)
    )


async def purge(session: AsyncSession, before: datetime) -> int:
    """Forget finished updates older than `before` (Telegram does not resend anything that old)."""
    result = await session.execute(
        delete(TelegramUpdate).where(
            TelegramUpdate.status.in_((UpdateStatus.DONE, UpdateStatus.INTERRUPTED)), TelegramUpdate.done_at < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
