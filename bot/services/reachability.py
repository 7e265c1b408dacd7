"""Whether messages sent later (answers, offers, reminders) can reach a person, as their platform tells us.

The rule itself (which accounts, the once-only notice) is storage/reachability.py's; these are the use cases the
core and the adapters call: a person writing in private, a platform's report outside any conversation turn, and
the notice once told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.messages import Reply
from bot.services.dbfaults import with_retries
from bot.services.unit_of_work import commits

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.services.unit_of_work import UnitOfWork, UnitsOfWork


async def writing_in_private(session: AsyncSession, account_id: int) -> None:
    """They are talking to us in private, so we can answer them there (a Telegram user who blocked the bot cannot
    write to it in private without unblocking it)."""
    from storage.reachability import set_reachable

    await set_reachable(session, account_ids=[account_id], reachable=True)


async def notice_given(uow: UnitOfWork, account_id: int) -> None:
    """They have been told why notices cannot reach them: not again."""
    from storage.reachability import notice_given as given

    await given(uow.session, account_id)
    await uow.commit()


async def platform_reported(
    storage: UnitsOfWork | None, platform: str, platform_user_id: str, *, reachable: bool, told: bool = False
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
            await uow.commit()

    await with_retries(record, what=f"reachability of a {platform} account")


# What is worth sending again once a person can be reached: answers they are waiting for. Offers, reminders and
# announcements that missed them are out of date by then.
RESENT_KINDS = ("question.answer",)
RESEND_WITHIN = timedelta(days=14)


@commits
async def reach_again(
    uow: UnitOfWork,
    user_id: int,
    account_id: int | None,
    write_test: Callable[[str], Reply],
    *,
    now: datetime,
    default_locale: str,
) -> int:
    """The person says they let messages through again: mark the account reachable, queue a test message to that
    very account (one to a linked account elsewhere would prove nothing), and send again the answers that missed
    them lately. Returns how many messages go out again."""
    from bot.services.outbox import enqueue_for_user
    from storage.outbox import requeue_undelivered
    from storage.reachability import set_reachable

    if account_id is not None:
        await set_reachable(uow.session, account_ids=[account_id], reachable=True)
    await enqueue_for_user(
        uow.session,
        user_id,
        write_test,
        kind="reach.test",
        ref_id=None,
        not_before=now,
        default_locale=default_locale,
        account_id=account_id,
    )
    return await requeue_undelivered(uow.session, user_id, RESENT_KINDS, since=now - RESEND_WITHIN, now=now)
