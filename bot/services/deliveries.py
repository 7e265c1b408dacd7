"""The outbox as the delivery worker uses it: claim due rows, record how each send ended, give rows back, end
what nobody can receive. Each is one short transaction, committed here.

The sending itself (pacing, per-chat spacing, slots, group commit of outcomes) is scheduler/delivery.py's; the SQL
(a guarded claim, the batched marks) is storage/outbox.py's. What an outcome means for the row (sent, retried
later, ended, rerouted to another of the person's accounts) is decided here, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.domain.statuses import DeliveryStatus
from bot.services.questions import ANSWER_KIND, UndeliveredWriter, tell_staff_undelivered
from bot.services.unit_of_work import UnitOfWork, commits
from storage import outbox
from storage.outbox import Claimed
from storage.reachability import set_reachable

__all__ = ["Claimed", "Outcome", "RetryPolicy"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one claimed row's send ended, as the platform answered (None: not sent; the row goes back)."""

    row: Claimed
    status: Literal["sent", "unreachable", "retry", "failed"] | None
    error: str | None = None
    # The platform's flood wait, in seconds: waiting it out is not a failed attempt.
    retry_after: float | None = None
    # For a row not sent: when its chat may take it.
    resume_in: float = 0.0
    # When the answer came: a retry's wait counts from it, not from when the outcome is written.
    answered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int
    backoff_seconds: float
    default_locale: str
    # The notice to staff whose answer could not reach the person.
    write_undelivered: UndeliveredWriter


@commits
async def claim(
    uow: UnitOfWork,
    platforms: Sequence[str],
    limit: int,
    *,
    now: datetime,
    token: str,
    senders: Sequence[str],
    ids: Sequence[int] | None = None,
) -> list[Claimed]:
    """Up to `limit` due rows for `platforms` (only those of `ids`, when given), now held under `token` (each to the
    account it goes to)."""
    return await outbox.claim_due(uow.session, platforms, limit, now=now, token=token, senders=senders, ids=ids)


async def next_due(uow: UnitOfWork, platforms: Sequence[str], now: datetime) -> datetime | None:
    """When the next row one of `platforms` can carry falls due, after `now` (None: nothing waiting)."""
    return await outbox.next_due(uow.session, platforms, now)


@commits
async def requeue_in_flight(uow: UnitOfWork, cutoff: datetime, *, held: Sequence[str]) -> int:
    """Rows left "sending" since before `cutoff` by a worker that died go back to pending (not those in `held`)."""
    return await outbox.requeue_expired(uow.session, cutoff, held=held)


@commits
async def give_back(uow: UnitOfWork, rows: Sequence[Claimed], now: datetime) -> None:
    """Claimed rows never sent go back to pending at once (a clean stop)."""
    if rows:
        await (await uow.session.connection()).execute(
            outbox.MARKS["back"], [{"b_id": r.id, "b_token": r.token, "b_not_before": now} for r in rows]
        )


@commits
async def end_unreachable(uow: UnitOfWork, now: datetime, policy: RetryPolicy, ids: Sequence[int] | None = None) -> int:
    """Rows nobody can receive (a pinned account unreachable, or no reachable account left) end as unreachable;
    staff whose answer was among them are told. Returns how many ended."""
    swept = await outbox.end_unreachable(uow.session, now, ids)
    await _tell_staff(uow, [(kind, ref_id, DeliveryStatus.UNREACHABLE) for kind, ref_id in swept], now, policy)
    return len(swept)


async def _tell_staff(
    uow: UnitOfWork, ended: Sequence[tuple[str, int | None, DeliveryStatus]], now: datetime, policy: RetryPolicy
) -> None:
    answers = {ref_id: status for kind, ref_id, status in ended if kind == ANSWER_KIND and ref_id is not None}
    if answers:
        await tell_staff_undelivered(
            uow, answers, now=now, default_locale=policy.default_locale, write=policy.write_undelivered
        )


@commits
async def record(
    uow: UnitOfWork, outcomes: Sequence[Outcome], now: datetime, policy: RetryPolicy
) -> list[tuple[datetime, int]]:
    """Write a batch of outcomes in one transaction: sent rows, retries at their time, final failures; an account
    the platform says is gone is marked unreachable, and its rows try the person's other accounts. Returns when
    each row put back to pending falls due, as (not_before, id): the worker claims it then, before fresh rows."""
    groups: dict[str, list[dict[str, object]]] = {}
    again: list[tuple[datetime, int]] = []
    gone: set[int] = set()
    ended: list[tuple[str, int | None, DeliveryStatus]] = []
    rerouted: list[int] = []
    for outcome in outcomes:
        row = outcome.row
        key: dict[str, object] = {"b_id": row.id, "b_token": row.token, "b_now": now}
        answered = outcome.answered_at or now
        if outcome.status is None:
            key["b_not_before"] = due = answered + timedelta(seconds=outcome.resume_in)
            groups.setdefault("back", []).append(key)
            again.append((due, row.id))
            continue
        # Waiting out a flood limit is not a failed attempt.
        key["b_attempts"] = attempts = row.attempts + (0 if outcome.retry_after else 1)
        if outcome.status == "sent":
            groups.setdefault("sent", []).append({**key, "b_account": row.account_id})
        elif outcome.status == "unreachable":
            error = outcome.error or "unreachable"
            gone.add(row.account_id)
            if row.pinned:
                groups.setdefault("final", []).append({**key, "b_status": DeliveryStatus.UNREACHABLE, "b_error": error})
                ended.append((row.kind, row.ref_id, DeliveryStatus.UNREACHABLE))
            else:
                # Another of the person's accounts may still reach them; with none left, it ends below.
                key.update(b_not_before=now, b_error=error)
                groups.setdefault("retry", []).append(key)
                rerouted.append(row.id)
                again.append((now, row.id))
        elif outcome.status == "retry" and attempts < policy.max_attempts:
            delay = outcome.retry_after or policy.backoff_seconds * 2 ** max(0, attempts - 1)
            error = outcome.error or ("retry_after" if outcome.retry_after else "retry")
            key.update(b_not_before=(due := answered + timedelta(seconds=delay)), b_error=error)
            groups.setdefault("retry", []).append(key)
            again.append((due, row.id))
        else:
            error = outcome.error or "failed"
            groups.setdefault("final", []).append({**key, "b_status": DeliveryStatus.FAILED, "b_error": error})
            ended.append((row.kind, row.ref_id, DeliveryStatus.FAILED))
    connection = await uow.session.connection()
    for kind, params in groups.items():
        await connection.execute(outbox.MARKS[kind], params)
    if gone:
        # The person did not see the message fail: they are told once, the next time they use the bot.
        await set_reachable(connection, account_ids=sorted(gone), reachable=False, tell=True)
    await _tell_staff(uow, ended, now, policy)
    if rerouted:
        await end_unreachable(uow, now, policy, rerouted)
    return again
