"""Staff broadcasts: compose a draft, count its audience, schedule it, cancel it, report on it.

Chat (/broadcast), the CLI (`wego-bot broadcast`) and the staff console call these; the clock fans a scheduled
broadcast out into the outbox (scheduler/jobs.py). Refusals are the typed exceptions of bot.domain.broadcasts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.domain.audiences import Audience, AudienceError
from bot.domain.broadcasts import (
    BadAudience,
    CannotCancel,
    NoDraft,
    NoSuchBroadcast,
    NotADraft,
    TextMissing,
    UnknownLanguage,
    check_text,
    check_texts,
)
from bot.domain.home_zone import zone_rule
from bot.domain.messages import Reply
from bot.domain.statuses import BroadcastStatus, DeliveryStatus
from bot.domain.timing import after_quiet_hours, zone_or_none
from bot.services.outbox import enqueue_for_user
from bot.services.unit_of_work import commits
from storage import broadcasts as store
from storage.models import Broadcast
from storage.users import language_of, venue_zones

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.content import Content
    from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class BroadcastView:
    """A broadcast as staff see it; `recipients` is the exact count of people it reaches now (before it is sent)
    or the number it was queued for (once the fan-out started)."""

    id: int
    status: BroadcastStatus
    audience: Mapping[str, Any]
    texts: Mapping[str, str]
    default_language: str
    scheduled_at: datetime | None
    recipients: int

    @property
    def ready(self) -> bool:
        """It has the text everyone without their own language's text receives."""
        return self.default_language in self.texts


@dataclass(frozen=True, slots=True)
class Report:
    """How far a broadcast got: delivery rows by status, of `total` recipients."""

    id: int
    status: BroadcastStatus
    total: int
    counts: Mapping[DeliveryStatus, int] = field(default_factory=dict)

    def count(self, status: DeliveryStatus) -> int:
        return self.counts.get(status, 0)

    @property
    def delivered(self) -> int:
        return self.count(DeliveryStatus.SENT)

    @property
    def waiting(self) -> int:
        return self.count(DeliveryStatus.PENDING) + self.count(DeliveryStatus.SENDING)

    @property
    def ended(self) -> int:
        """Rows with a final outcome (sent, unreachable or failed)."""
        return sum(self.count(status) for status in DeliveryStatus if status.final)


def parse_audience(text: str, languages: tuple[str, ...]) -> Audience:
    """The audience as staff typed it, or BadAudience naming the part that was not understood."""
    try:
        return Audience.parse(text, languages)
    except AudienceError as exc:
        raise BadAudience(exc.part) from None


async def count_audience(uow: UnitOfWork, audience: Audience, content: Content, default_language: str) -> int:
    """Exactly how many people the audience reaches right now (not deleted, reachable)."""
    return len(await store.recipient_ids(uow.session, audience, content, default_language))


@dataclass(frozen=True, slots=True)
class AudienceCheck:
    """What staff should hear before they write to an audience: how many it reaches now, and whether a city or a
    workshop it names exists (a misspelt city reaches nobody without any error)."""

    count: int
    unknown_city: bool
    unknown_workshop: bool

    @property
    def empty(self) -> bool:
        return self.count == 0


async def check_audience(uow: UnitOfWork, audience: Audience, content: Content, default_language: str) -> AudienceCheck:
    """The exact count and the names that match nothing, for the chat's draft and the console's builder alike."""
    from storage.models import Workshop
    from storage.stats import workshop_cities

    count = await count_audience(uow, audience, content, default_language)
    unknown_city = audience.city is not None and audience.city.lower() not in await workshop_cities(uow.session)
    unknown_workshop = (
        audience.workshop_id is not None and await uow.session.get(Workshop, audience.workshop_id) is None
    )
    return AudienceCheck(count, unknown_city, unknown_workshop)


async def _view(uow: UnitOfWork, row: Broadcast, content: Content) -> BroadcastView:
    if row.status in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED):
        recipients = await count_audience(uow, Audience.from_json(row.audience or {}), content, row.default_language)
    else:
        recipients = row.recipients
    return BroadcastView(
        id=row.id,
        status=BroadcastStatus(row.status),
        audience=dict(row.audience or {}),
        texts=dict(row.texts or {}),
        default_language=row.default_language,
        scheduled_at=row.scheduled_at,
        recipients=recipients,
    )


@commits
async def new_draft(
    uow: UnitOfWork,
    author_user_id: int | None,
    audience_text: str,
    *,
    content: Content,
    languages: tuple[str, ...],
    default_language: str,
    now: datetime,
) -> BroadcastView:
    """Start a draft for the audience staff typed ("everyone", "lang=it", "workshop=3 registered"...)."""
    audience = parse_audience(audience_text, languages)
    draft = Broadcast(
        author_user_id=author_user_id,
        audience=audience.to_json(),
        texts={},
        default_language=default_language,
        status=BroadcastStatus.DRAFT,
        created_at=now,
    )
    uow.session.add(draft)
    await uow.session.flush()
    return await _view(uow, draft, content)


async def _latest_draft(uow: UnitOfWork, author_user_id: int) -> Broadcast:
    draft = await store.latest_draft(uow.session, author_user_id)
    if draft is None:
        raise NoDraft()
    return draft


async def current_draft(uow: UnitOfWork, author_user_id: int, *, content: Content) -> BroadcastView:
    """The staff member's latest draft, with its exact recipient count (NoDraft when there is none)."""
    return await _view(uow, await _latest_draft(uow, author_user_id), content)


@commits
async def set_text(
    uow: UnitOfWork,
    author_user_id: int,
    text: str,
    *,
    language: str | None,
    languages: tuple[str, ...],
    content: Content,
) -> BroadcastView:
    """Set the latest draft's text in `language` (None: the draft's default language)."""
    draft = await _latest_draft(uow, author_user_id)
    language = language or draft.default_language
    if language not in languages:
        raise UnknownLanguage(language, languages)
    draft.texts = {**(draft.texts or {}), language: check_text(text, language)}
    return await _view(uow, draft, content)


@commits
async def schedule(
    uow: UnitOfWork, broadcast_id: int, *, at: datetime | None, now: datetime, content: Content
) -> BroadcastView:
    """Confirm a draft: sent from `at` (None: now). The clock fans it out when it falls due."""
    broadcast = await uow.session.get(Broadcast, broadcast_id, with_for_update=True)
    if broadcast is None or broadcast.status != BroadcastStatus.DRAFT:
        raise NotADraft(broadcast_id)
    if broadcast.default_language not in (broadcast.texts or {}):
        raise TextMissing(broadcast_id, broadcast.default_language)
    broadcast.status = BroadcastStatus.SCHEDULED
    broadcast.scheduled_at = at or now
    return await _view(uow, broadcast, content)


@commits
async def create_scheduled(
    uow: UnitOfWork,
    audience: Audience,
    texts: Mapping[str, str],
    *,
    languages: tuple[str, ...],
    default_language: str,
    at: datetime,
    now: datetime,
    author_user_id: int | None = None,
) -> int:
    """Compose and confirm in one step (the CLI, the staff console): returns the new broadcast's id."""
    checked = check_texts(texts, languages=languages, default_language=default_language)
    row = Broadcast(
        author_user_id=author_user_id,
        audience=audience.to_json(),
        texts=checked,
        default_language=default_language,
        status=BroadcastStatus.SCHEDULED,
        scheduled_at=at,
        created_at=now,
    )
    uow.session.add(row)
    await uow.session.flush()
    return row.id


@commits
async def cancel(uow: UnitOfWork, broadcast_id: int) -> None:
    """Cancel a draft or a scheduled broadcast that has not started (CannotCancel otherwise)."""
    if not await store.cancel(uow.session, broadcast_id):
        row = await uow.session.get(Broadcast, broadcast_id)
        raise CannotCancel(broadcast_id, BroadcastStatus(row.status) if row is not None else None)


async def active(uow: UnitOfWork, *, content: Content) -> list[BroadcastView]:
    """Scheduled and sending broadcasts, oldest first."""
    return [await _view(uow, row, content) for row in await store.scheduled(uow.session)]


async def view(uow: UnitOfWork, broadcast_id: int, *, content: Content) -> BroadcastView:
    """One broadcast as staff see it (NoSuchBroadcast when unknown)."""
    row = await uow.session.get(Broadcast, broadcast_id, populate_existing=True)
    if row is None:
        raise NoSuchBroadcast(broadcast_id)
    return await _view(uow, row, content)


async def report(uow: UnitOfWork, broadcast_id: int) -> Report:
    """Delivery counts of one broadcast (NoSuchBroadcast when unknown)."""
    row = await uow.session.get(Broadcast, broadcast_id, populate_existing=True)
    if row is None:
        raise NoSuchBroadcast(broadcast_id)
    counts = await store.progress(uow.session, broadcast_id)
    return Report(
        row.id,
        BroadcastStatus(row.status),
        row.recipients,
        {DeliveryStatus(status): count for status, count in counts.items()},
    )


# -- what the clock does with a scheduled broadcast ---------------------------------------------------------------


# The announcement as each recipient reads it: the staff text (escaped, never interpreted) in the given language.
AnnouncementWriter = Callable[[str, str], str]
# The author's report when a broadcast is done: its number and how many were delivered, unreachable and failed,
# worded in the author's language, which the outbox hands in as the last argument.
ReportWriter = Callable[[int, int, int, int, str], Reply]


async def due_fan_outs(uow: UnitOfWork, *, now: datetime) -> tuple[list[int], list[int]]:
    """Broadcasts due to start, and those whose fan-out was interrupted (they resume at their cursor)."""
    return await store.due(uow.session, now), await store.unfinished_fan_outs(uow.session)


@commits
async def start_fan_out(uow: UnitOfWork, broadcast_id: int, *, now: datetime) -> bool:
    """Claim a due broadcast for this clock (scheduled → sending); False when another clock already did."""
    return await store.start_fan_out(uow.session, broadcast_id, now)


@commits
async def fan_out_chunk(
    uow: UnitOfWork,
    broadcast_id: int,
    *,
    now: datetime,
    content: Content,
    quiet: tuple[time, time],
    default_zone: str,
    default_locale: str,
    write: AnnouncementWriter,
    chunk: int = store.FAN_OUT_CHUNK,
) -> int | None:
    """Queue the next `chunk` recipients, each in their language and after their quiet hours (unless urgent).

    Returns how many were queued, None when the fan-out is complete; raises storage.broadcasts.ChunkTaken when
    another clock took this chunk (the transaction must roll back)."""

    async def render(
        session: AsyncSession, broadcast: Broadcast, users: list[store.Recipient]
    ) -> list[tuple[str, datetime]]:
        # One query for the chunk: the workshop zones of its people (used by those who never set a valid zone).
        venues = await venue_zones(session, [user.id for user in users])
        urgent = bool((broadcast.audience or {}).get("urgent"))
        # A chunk holds hundreds of people but only a few languages and zones: each text, zone and time is worked
        # out once.
        texts: dict[str, str] = {}
        zones: dict[tuple[str | None, str | None, str], str] = {}
        times: dict[str, datetime] = {}
        rendered = []
        for user in users:
            locale = language_of(user, default_locale)
            if locale not in texts:
                texts[locale] = write(store.text_for(broadcast, locale), locale)
            where = (user.timezone, venues.get(user.id), locale)
            zone = zones.get(where)
            if zone is None:
                zone = zones[where] = zone_rule(*where, default_zone)
            if zone not in times:
                times[zone] = now if urgent else after_quiet_hours(now, zone_or_none(zone) or ZoneInfo("UTC"), quiet)
            rendered.append((texts[locale], times[zone]))
        return rendered

    return await store.fan_out_chunk(uow.session, broadcast_id, now, content, default_locale, render, chunk)


@commits
async def finish_done(uow: UnitOfWork, *, now: datetime, default_locale: str, write_report: ReportWriter) -> list[int]:
    """Close broadcasts whose every row is final and send each author a report; returns the ids closed."""
    finished = []
    for broadcast in await store.sending(uow.session):
        counts = await store.finish(uow.session, broadcast.id, now)
        if counts is None:
            continue
        finished.append(broadcast.id)
        if broadcast.author_user_id is None:
            continue
        sent, unreachable, failed = (
            counts.get(status, 0) for status in (DeliveryStatus.SENT, DeliveryStatus.UNREACHABLE, DeliveryStatus.FAILED)
        )
        await enqueue_for_user(
            uow.session,
            broadcast.author_user_id,
            functools.partial(write_report, broadcast.id, sent, unreachable, failed),
            kind="report",
            ref_id=broadcast.id,
            not_before=now,
            default_locale=default_locale,
        )
    return finished


# Raised by `fan_out_chunk` when another clock holds the broadcast's next chunk: it carries on from the cursor.
ChunkTaken = store.ChunkTaken


def chunk_size(sqlite: bool = False) -> int:
    """Recipients queued per fan-out transaction (read at call time: a test makes chunks small); half as many on
    SQLite, whose one writer at a time makes everyone else wait for a chunk."""
    return max(1, store.FAN_OUT_CHUNK // 2) if sqlite else store.FAN_OUT_CHUNK
