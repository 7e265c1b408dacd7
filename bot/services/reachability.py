"""Whether messages sent later (answers, offers, reminders) can reach a person, as their platform tells us.

The rule itself (which accounts, the once-only notice) is storage/reachability.py's; these are the use cases the
core and the adapters call: a person writing in private, a platform's report outside any conversation turn, and
the notice once told."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services.dbfaults import with_retries

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.uow import Storage


async def writing_in_private(session: AsyncSession, account_id: int) -> None:
    """They are talking to us in private, so we can answer them there (a Telegram user who blocked the bot cannot
    write to it in private without unblocking it)."""
    from storage.reachability import set_reachable

    await set_reachable(session, account_ids=[account_id], reachable=True)


async def notice_given(session: AsyncSession, account_id: int) -> None:
    """They have been told why notices cannot reach them: not again."""
    from storage.reachability import notice_given as given

    await given(session, account_id)


async def platform_reported(
    storage: Storage | None, platform: str, platform_user_id: str, *, reachable: bool, told: bool = False
) -> None:
    """What a platform said outside a conversation turn (Telegram's "blocked"/"unblocked", a refused reply or
    direct message), in a short transaction of its own, retried on a lock; a failure is logged, never raised.
    `told`: the person already saw why (so they are not told again later)."""
    if storage is None or not platform_user_id:
        return
    from storage.reachability import set_reachable

    async def record() -> None:
        async with storage.unit_of_work() as uow:
            await set_reachable(
                uow.session,
                platform=platform,
                platform_user_id=platform_user_id,
                reachable=reachable,
                # The person did not see it fail: tell them once, next time they use the bot.
                tell=not reachable and not told,
            )

    await with_retries(record, what=f"reachability of a {platform} account")
