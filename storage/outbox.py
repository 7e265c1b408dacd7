"""The outbox: messages for participants, written in the same transaction as the change that caused them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import and_, bindparam, exists, func, literal_column, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.statuses import DeliveryStatus
from storage.models import Account, Delivery
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


# -- the delivery worker's claim and mark SQL (scheduler/delivery.py paces and sends; these statements own the rows) --


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    token: str
    user_id: int
    account_id: int
    platform: str
    chat_id: str
    text: str
    buttons: list[object]
    attempts: int
    kind: str = ""
    ref_id: int | None = None
    # Pinned to this one account by its sender; otherwise any of the person's reachable accounts may carry it.
    pinned: bool = True


def _param(name: str, column: Any) -> Any:
    return bindparam(name, type_=column.type)


_TABLE = Delivery.__table__
# One statement per kind of outcome, run once for all the rows of a batch (executemany). The token guard makes a
# mark a no-op for a row that was re-queued and claimed by someone else meanwhile.
_GUARDED = (
    update(Delivery)
    .where(Delivery.id == bindparam("b_id"), Delivery.claim_token == bindparam("b_token"))
    .execution_options(synchronize_session=False)
)
MARKS = {
    "back": _GUARDED.values(
        status=DeliveryStatus.PENDING, claim_token=None, not_before=_param("b_not_before", _TABLE.c.not_before)
    ),
    "sent": _GUARDED.values(
        status=DeliveryStatus.SENT,
        sent_at=_param("b_now", _TABLE.c.sent_at),
        attempts=bindparam("b_attempts"),
        account_id=bindparam("b_account"),
    ),
    "final": _GUARDED.values(
        status=bindparam("b_status"),
        sent_at=_param("b_now", _TABLE.c.sent_at),
        attempts=bindparam("b_attempts"),
        last_error=bindparam("b_error"),
    ),
    "retry": _GUARDED.values(
        status=DeliveryStatus.PENDING,
        claim_token=None,
        attempts=bindparam("b_attempts"),
        not_before=_param("b_not_before", _TABLE.c.not_before),
        last_error=bindparam("b_error"),
    ),
}


# "Pending" written into the SQL, not bound: a planner can only use the partial claim index
# (ix_deliveries_pending_claim, `WHERE status = 'pending'`) when the query states that condition itself; SQLite
# refuses it for `status = ?`, and PostgreSQL's generic plans for prepared statements cannot prove it either.
_PENDING: ColumnElement[str] = literal_column(f"'{DeliveryStatus.PENDING.value}'")
# SQLite's planner, without statistics, prefers (status, not_before) and then sorts every pending row by the
# claim's order; named, it walks the partial index in that order and stops at the limit (7x the claim rate at
# 100,000 pending rows). PostgreSQL already picks it (bench/scale prints its plan).
_CLAIM_INDEX_HINT = "INDEXED BY ix_deliveries_pending_claim"
# A claim of known ids reads them by their key: through either index SQLite walks the pending rows looking for
# them (90-250 ms at 100,000 pending rows when one of them is no longer pending, against half a millisecond).
_CLAIM_BY_ID_HINT = "NOT INDEXED"


def claimable(platforms: Sequence[str]) -> ColumnElement[bool]:
    """Pending rows one of `platforms` can carry: to the pinned account, or any reachable account of the person."""
    pinned = exists().where(
        Account.id == Delivery.account_id,
        Account.platform.in_(platforms),
        Account.reachable.is_(True),
    )
    any_account = exists().where(
        Account.user_id == Delivery.user_id,
        Account.platform.in_(platforms),
        Account.reachable.is_(True),
        Account.chat_id != "",
    )
    return and_(
        Delivery.status == _PENDING,
        or_(and_(Delivery.account_id.is_not(None), pinned), and_(Delivery.account_id.is_(None), any_account)),
    )


async def requeue_expired(session: AsyncSession, cutoff: datetime, *, held: Sequence[str]) -> int:
    """Rows claimed before `cutoff` and still "sending" were in flight at a crash: back to pending. Rows whose
    claim token is in `held` are still this worker's (queued or in flight) and stay."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.status == DeliveryStatus.SENDING,
            Delivery.claimed_at <= cutoff,
            Delivery.claim_token.not_in(list(held)),
        )
        .values(status=DeliveryStatus.PENDING, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def end_unreachable(
    session: AsyncSession, now: datetime, ids: Sequence[int] | None = None
) -> list[tuple[str, int | None]]:
    """Pending rows nobody can receive (a pinned account that is unreachable, or a person with no reachable
    account) become unreachable; returns each one's (kind, ref_id). `ids` limits it to those rows."""
    pinned_dead = exists().where(Account.id == Delivery.account_id, Account.reachable.is_(False))
    none_alive = ~exists().where(Account.user_id == Delivery.user_id, Account.reachable.is_(True))
    where = [
        Delivery.status == DeliveryStatus.PENDING,
        or_(and_(Delivery.account_id.is_not(None), pinned_dead), none_alive),
    ]
    if ids is not None:
        where.append(Delivery.id.in_(list(ids)))
    result = await session.execute(
        update(Delivery)
        .where(*where)
        # The platform's own refusal, when there was one, says more than "no account".
        .values(
            status=DeliveryStatus.UNREACHABLE,
            last_error=func.coalesce(Delivery.last_error, "no reachable account"),
            sent_at=now,
        )
        .returning(Delivery.kind, Delivery.ref_id)
        .execution_options(synchronize_session=False)
    )
    return [(row.kind, row.ref_id) for row in result.all()]


async def claim_due(
    session: AsyncSession,
    platforms: Sequence[str],
    limit: int,
    *,
    now: datetime,
    token: str,
    senders: Sequence[str],
    ids: Sequence[int] | None = None,
) -> list[Claimed]:
    """Claim up to `limit` due rows for `platforms` under `token`, each with the account to send it to (one of the
    `senders` platforms: a person's latest account may be on another platform than the one claimed for). With
    `ids`, only those rows (retries the worker knows are due)."""
    where = [claimable(platforms), Delivery.not_before <= now]
    if ids is not None:
        where.append(Delivery.id.in_(list(ids)))
    due = (
        select(Delivery.id)
        .where(*where)
        # Retries first: a row waiting out a failure should not wait behind the whole broadcast.
        .order_by(Delivery.attempts.desc(), Delivery.id)
        .limit(limit)
        .with_hint(Delivery, _CLAIM_INDEX_HINT if ids is None else _CLAIM_BY_ID_HINT, "sqlite")
        # PostgreSQL: concurrent workers skip each other's rows; SQLite ignores the clause and serializes
        # writers instead (BEGIN IMMEDIATE). The status guard makes the claim exclusive either way.
        .with_for_update(skip_locked=True)
        # A CTE, not `id IN (subquery)`: PostgreSQL may run such a subquery more than once in one UPDATE
        # (each run skipping other rows), claiming more than `limit`; a locking CTE is evaluated once.
        .cte("due")
    )
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == due.c.id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now)
        .returning(
            Delivery.id,
            Delivery.user_id,
            Delivery.account_id,
            Delivery.text,
            Delivery.buttons,
            Delivery.attempts,
            Delivery.kind,
            Delivery.ref_id,
        )
        .execution_options(synchronize_session=False)
    )
    rows = list(result.all())
    if not rows:
        return []
    accounts = await _accounts_for(session, rows, senders)
    orphans = [row.id for row in rows if row.id not in accounts]
    if orphans:
        # The account went away between the two statements: leave the row to the unreachable sweep.
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(orphans))
            .values(status=DeliveryStatus.PENDING, claim_token=None)
            .execution_options(synchronize_session=False)
        )
    claimed = [
        Claimed(
            id=row.id,
            token=token,
            user_id=row.user_id,
            account_id=accounts[row.id].id,
            platform=accounts[row.id].platform,
            chat_id=accounts[row.id].chat_id,
            text=row.text,
            buttons=list(row.buttons or []),
            attempts=row.attempts,
            kind=row.kind,
            ref_id=row.ref_id,
            pinned=row.account_id is not None,
        )
        for row in rows
        if row.id in accounts
    ]
    # RETURNING gives no order; keep the claim's.
    claimed.sort(key=lambda c: (-c.attempts, c.id))
    return claimed


class _Target(NamedTuple):
    """Where a claimed row goes: the columns of its account the send needs (read as plain rows: a claim reads
    hundreds of accounts, and ORM objects for them cost more than the claim's own statements)."""

    id: int
    user_id: int
    platform: str
    chat_id: str


async def _accounts_for(session: AsyncSession, rows: Sequence[Any], platforms: Sequence[str]) -> dict[int, _Target]:
    user_ids = {row.user_id for row in rows}
    pinned_ids = {row.account_id for row in rows if row.account_id is not None}
    accounts = [
        _Target(*row)
        for row in await session.execute(
            select(Account.id, Account.user_id, Account.platform, Account.chat_id)
            .where(
                or_(Account.user_id.in_(user_ids), Account.id.in_(pinned_ids)),
                Account.platform.in_(list(platforms)),
                Account.reachable.is_(True),
                Account.chat_id != "",
            )
            .order_by(Account.last_seen_at.desc(), Account.id.desc())
        )
    ]
    by_id = {a.id: a for a in accounts}
    latest: dict[int, _Target] = {}
    for account in accounts:
        latest.setdefault(account.user_id, account)
    chosen: dict[int, _Target] = {}
    for row in rows:
        pick = by_id.get(row.account_id) if row.account_id is not None else latest.get(row.user_id)
        if pick is not None:
            chosen[row.id] = pick
    return chosen


async def next_due(session: AsyncSession, platforms: Sequence[str], now: datetime) -> datetime | None:
    """When the next row one of `platforms` can carry falls due, after `now` (None: nothing waiting)."""
    soonest: datetime | None = await session.scalar(
        select(func.min(Delivery.not_before)).where(claimable(platforms), Delivery.not_before > now)
    )
    return soonest
