"""Whether messages can reach a person's account: the one place that writes `accounts.reachable`.

Who calls it, and why (every caller goes through `set_reachable`, in the transaction it already has):
- the dispatcher, for an event in a private chat or DM: the person is talking to us there, so we can answer there
  (a Telegram user who blocked the bot cannot write to it in private without unblocking it first);
- the dispatcher again, for what a platform reports outside any message (Telegram's "blocked"/"unblocked"), or what
  an adapter learnt while answering (a refused reply);
- the delivery worker, when a platform refuses a message for good (Telegram 403, Discord 50007). The person did not
  see that happen, so they are told once, the next time they use the bot, how to let notices through
  (`unreachable_notice_due`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Account


async def set_reachable(
    db: AsyncSession | AsyncConnection,
    *,
    reachable: bool,
    account_ids: Sequence[int] = (),
    platform: str | None = None,
    platform_user_id: str | None = None,
    tell: bool = False,
) -> None:
    """Mark accounts (by id, or by platform and platform user id) reachable or not.

    `tell` (only with `reachable=False`): the person could not see the failure, so the next time they use the
    bot they are told why notices do not reach them. Becoming reachable clears that.
    """
    where: list[ColumnElement[bool]]
    if account_ids:
        where = [Account.id.in_(list(account_ids))]
    elif platform is not None and platform_user_id:
        where = [Account.platform == platform, Account.platform_user_id == platform_user_id]
    else:
        return
    values: dict[str, bool] = {"reachable": reachable}
    if reachable:
        values["unreachable_notice_due"] = False
    elif tell:
        values["unreachable_notice_due"] = True
    await db.execute(update(Account).where(*where).values(**values).execution_options(synchronize_session=False))


async def notice_given(session: AsyncSession, account_id: int) -> None:
    """The person has been told that notices cannot reach them: do not tell them again."""
    await session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(unreachable_notice_due=False)
        .execution_options(synchronize_session=False)
    )


Reach = Literal["now", "later", "never"]


async def reach_of(session: AsyncSession, user_id: int) -> Reach:
    """How a message queued now would reach a person: `now` (an account with a private address that has not
    refused us), `later` (reachable, but no private chat yet: a Telegram user who only wrote in a group), or
    `never` (every account refused: DMs closed, bot blocked)."""
    rows = (await session.execute(select(Account.chat_id).where(Account.user_id == user_id, Account.reachable))).all()
    if any(chat_id for (chat_id,) in rows):
        return "now"
    return "later" if rows else "never"
