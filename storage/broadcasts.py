"""Broadcast rows, audience selection and the fan-out into one outbox row per recipient."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.domain.audiences import Audience
from bot.domain.statuses import CANCELLABLE_BROADCAST, FINAL_DELIVERY, BroadcastStatus, DeliveryStatus
from bot.domain.workshops import RegistrationStatus
from storage.models import Account, Broadcast, Delivery, LectureProgress, Registration, User, Workshop

# Recipients per fan-out transaction: far below PostgreSQL's 32,767 bind parameters (every list below holds at most
# this many ids). SQLite takes half as many at a time (`chunk_size`): a chunk holds its write lock, and whoever
# writes to the bot meanwhile waits for it (at 100,000 participants, /progress p99 35 ms during a fan-out of
# 1,000-row chunks, about 20 ms with 500, for the same total time; bench/scale).
FAN_OUT_CHUNK = 1000


def _registration_clause(audience: Audience) -> Any:
    where = [Registration.user_id == User.id]
    if audience.registration == "registered":
        where.append(Registration.status == RegistrationStatus.CONFIRMED)
    elif audience.registration == "waiting":
        where.append(Registration.status.in_((RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED)))
    else:
        where.append(Registration.attended_at.is_not(None))
    if audience.workshop_id is not None:
        where.append(Registration.workshop_id == audience.workshop_id)
    if audience.city is not None:
        where.append(
            exists().where(Workshop.id == Registration.workshop_id, func.lower(Workshop.city) == audience.city.lower())
        )
    return exists().where(and_(*where))


def recipients_query(audience: Audience, content: Content, default_language: str) -> Select[Any]:
    """The users a broadcast reaches: not deleted, reachable somewhere (on the platform, when one is named)."""
    reachable = [Account.user_id == User.id, Account.reachable.is_(True)]
    if audience.platform:
        reachable.append(Account.platform == audience.platform)
    query = select(User.id).where(User.deleted_at.is_(None), exists().where(and_(*reachable)))
    if audience.language:
        # The language each person is written to in (storage.users.language_of), as SQL.
        language = func.coalesce(User.locale, User.locale_hint)
        if audience.language == default_language:
            query = query.where((language == audience.language) | language.is_(None))
        else:
            query = query.where(language == audience.language)
    if audience.registration:
        query = query.where(_registration_clause(audience))
    if audience.stage:
        keys = [lecture.key for lecture in content.all_lectures()]
        done = (
            select(func.count(func.distinct(LectureProgress.lecture_key)))
            .where(LectureProgress.user_id == User.id, LectureProgress.lecture_key.in_(keys))
            .scalar_subquery()
        )
        if audience.stage == "not_started":
            query = query.where(done == 0)
        elif audience.stage == "in_progress":
            query = query.where(done > 0, done < len(keys))
        else:
            query = query.where(done >= len(keys))
    return query.order_by(User.id)


async def recipient_ids(
    session: AsyncSession, audience: Audience, content: Content, default_language: str
) -> list[int]:
    return list(await session.scalars(recipients_query(audience, content, default_language)))


async def latest_draft(session: AsyncSession, author_user_id: int) -> Broadcast | None:
    row: Broadcast | None = await session.scalar(
        select(Broadcast)
        .where(Broadcast.author_user_id == author_user_id, Broadcast.status == BroadcastStatus.DRAFT)
        .order_by(Broadcast.id.desc())
        .limit(1)
    )
    return row


async def scheduled(session: AsyncSession) -> list[Broadcast]:
    result = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status.in_((BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)))
        .order_by(Broadcast.id)
    )
    return list(result)


async def scheduled_times(session: AsyncSession) -> list[tuple[int, datetime | None]]:
    """Broadcasts waiting for their time, with that time, in id order."""
    rows = await session.execute(
        select(Broadcast.id, Broadcast.scheduled_at)
        .where(Broadcast.status == BroadcastStatus.SCHEDULED)
        .order_by(Broadcast.id)
    )
    return [(bid, at) for bid, at in rows]


async def due(session: AsyncSession, now: datetime) -> list[int]:
    result = await session.scalars(
        select(Broadcast.id).where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now)
    )
    return list(result)


async def cancel(session: AsyncSession, broadcast_id: int) -> bool:
    """Cancel a draft or a scheduled broadcast that has not started; False when it is too late or unknown."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status.in_(CANCELLABLE_BROADCAST))
        .values(status=BroadcastStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def text_for(broadcast: Broadcast, locale: str | None) -> str:
    texts = broadcast.texts or {}
    return texts.get(locale or "", "") or texts.get(broadcast.default_language, "") or next(iter(texts.values()), "")


class Recipient(NamedTuple):
    """What a fan-out reads of each person it queues a row for (no ORM object: a chunk holds hundreds)."""

    id: int
    locale: str | None
    locale_hint: str | None
    timezone: str | None


Render = Callable[[AsyncSession, Broadcast, list[Recipient]], Awaitable[list[tuple[str, datetime]]]]


async def start_fan_out(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Claim a due broadcast (scheduled → sending); False when another clock, or a restart, already did."""
    claimed = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SCHEDULED)
        .values(status=BroadcastStatus.SENDING, started_at=now, fanout_cursor=0, recipients=0)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(claimed, "rowcount", 0) or 0) == 1


async def unfinished_fan_outs(session: AsyncSession) -> list[int]:
    """Broadcasts whose fan-out started and was interrupted (a crash between chunks): they resume at their cursor."""
    result = await session.scalars(
        select(Broadcast.id)
        .where(Broadcast.status == BroadcastStatus.SENDING, Broadcast.fanned_out_at.is_(None))
        .order_by(Broadcast.id)
    )
    return list(result)


# Each recipient's account on the broadcast's platform, latest seen last (the dict keeps it). The ids as one
# expanding parameter: a chunk's hundreds of ids are not turned into as many expressions each time.
_PINNED_ACCOUNTS = (
    select(Account.user_id, Account.id)
    .where(
        Account.user_id.in_(bindparam("ids", expanding=True)),
        Account.platform == bindparam("platform"),
        Account.reachable.is_(True),
    )
    .order_by(Account.last_seen_at)
)


async def fan_out_chunk(
    session: AsyncSession,
    broadcast_id: int,
    now: datetime,
    content: Content,
    default_language: str,
    render: Render,
    chunk: int = FAN_OUT_CHUNK,
) -> int | None:
    """Queue the next `chunk` recipients (by user id, after the broadcast's cursor) in this transaction.

    Returns how many rows were queued, or None when the fan-out is complete or another process took this chunk.
    The cursor moves with a guarded update in the same transaction as the rows: a second clock that read the same
    cursor finds it moved (PostgreSQL re-checks the row after the first commit) and rolls back its copy, and a
    crash loses or repeats no chunk.
    """
    broadcast = await session.get(Broadcast, broadcast_id, populate_existing=True)
    if broadcast is None or broadcast.status != BroadcastStatus.SENDING or broadcast.fanned_out_at is not None:
        return None
    cursor = broadcast.fanout_cursor
    audience = Audience.from_json(broadcast.audience or {})
    query = (
        recipients_query(audience, content, default_language)
        .add_columns(User.locale, User.locale_hint, User.timezone)
        .where(User.id > cursor)
        .limit(chunk)
    )
    recipients = [Recipient(*row) for row in await session.execute(query)]
    ids = [recipient.id for recipient in recipients]
    last = len(ids) < chunk
    moved = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING, Broadcast.fanout_cursor == cursor
        )
        .values(
            fanout_cursor=ids[-1] if ids else cursor,
            recipients=Broadcast.recipients + len(ids),
            fanned_out_at=now if last else None,
        )
        .execution_options(synchronize_session=False)
    )
    if int(getattr(moved, "rowcount", 0) or 0) != 1:
        raise ChunkTaken(broadcast_id)
    if not ids:
        return 0
    pinned: dict[int, int] = {}
    if audience.platform:
        rows = await session.execute(_PINNED_ACCOUNTS, {"ids": ids, "platform": audience.platform})
        pinned = {user_id: account_id for user_id, account_id in rows}
    rendered = await render(session, broadcast, recipients)
    # A Core INSERT with every column given: no ORM bookkeeping per row (a third of the chunk's time otherwise).
    await session.execute(
        insert(Delivery.metadata.tables[Delivery.__tablename__]),
        [
            {
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "user_id": user_id,
                "account_id": pinned.get(user_id),
                "kind": "broadcast",
                "ref_id": broadcast_id,
                "text": text,
                "buttons": [],
                "not_before": not_before,
                "created_at": now,
            }
            for user_id, (text, not_before) in zip(ids, rendered, strict=True)
        ],
    )
    return len(ids)


class ChunkTaken(RuntimeError):
    """Another process queued this chunk first: the transaction that read the same cursor must roll back."""


async def progress(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.kind == "broadcast", Delivery.ref_id == broadcast_id)
        .group_by(Delivery.status)
    )
    return {status: int(count) for status, count in rows}


async def sending(session: AsyncSession) -> list[Broadcast]:
    return list(await session.scalars(select(Broadcast).where(Broadcast.status == BroadcastStatus.SENDING)))


async def finish(session: AsyncSession, broadcast_id: int, now: datetime) -> dict[str, int] | None:
    """Mark a sending broadcast done once every row is final; the counts when it just finished, else None."""
    counts = await progress(session, broadcast_id)
    if any(status not in FINAL_DELIVERY for status in counts):
        return None
    result = await session.execute(
        update(Broadcast)
        # Rows sent while the fan-out is still queueing later chunks do not make the broadcast done.
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status == BroadcastStatus.SENDING,
            Broadcast.fanned_out_at.is_not(None),
        )
        .values(status=BroadcastStatus.DONE, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return counts if int(getattr(result, "rowcount", 0) or 0) == 1 else None
