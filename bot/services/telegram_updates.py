"""The Telegram webhook's durable inbox as use cases: keep an update, claim the next, mark it done, tidy up.

The why (store before acknowledging, handle at most once) is told in bot/adapters/telegram/inbox.py; the rows and
their guarded claim are storage/telegram_updates.py's. Each function runs in the caller's unit of work except
`accept`, which must have committed before Telegram is answered."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from bot.services.unit_of_work import commits

# The module, not its functions: a test swaps `store` for one that fails like a locked database.
from storage import telegram_updates as rows

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork, UnitsOfWork


async def accept(storage: UnitsOfWork, update_id: int, payload: str, now: datetime) -> bool:
    """Keep one update, committed when this returns; False when it was kept already (Telegram sent it again)."""
    try:
        async with storage.unit_of_work() as uow:
            kept = await rows.store(uow.session, update_id, payload, now)
            await uow.commit()
            return kept
    except IntegrityError:
        # The same update posted twice at once: the other request stored it.
        return False


@commits
async def interrupt_unfinished(uow: UnitOfWork, now: datetime) -> list[int]:
    """The update ids a crash left in hand: marked interrupted, never handled again (at most once)."""
    return await rows.interrupt_unfinished(uow.session, now)


@commits
async def claim_next(
    uow: UnitOfWork, now: datetime, chat_of: Callable[[str], Hashable | None] | None = None
) -> tuple[int, str] | None:
    """The oldest pending update (its row id and payload), now in hand; None when there is none. With `chat_of`
    (the chat a payload belongs to), only one of a chat none of whose updates is in hand anywhere."""
    return await rows.claim_next(uow.session, now, chat_of=chat_of)


@commits
async def mark_done(uow: UnitOfWork, row_id: int, now: datetime) -> None:
    await rows.mark_done(uow.session, row_id, now)


@commits
async def purge(uow: UnitOfWork, before: datetime) -> int:
    """Delete the updates done before `before`; returns how many."""
    return await rows.purge(uow.session, before)
