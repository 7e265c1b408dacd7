"""Broadcasts: audience, scheduling, reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.core.errors import UserError
from bot.settings import LANGUAGES
from bot.web.console.actions.base import Refused, clock_now, refused_from, storage_of
from storage import console as store
from storage import stats
from storage import workshops as ws
from storage.broadcasts import MAX_TEXT, Audience, AudienceError, progress, recipient_ids
from storage.console import Staffer
from storage.models import Broadcast, Workshop


def audience_of(form: dict[str, str]) -> Audience:
    """The audience builder's fields read by the chat's own audience parser (an unknown part raises Refused)."""
    words = []
    for key in ("platform", "lang", "workshop", "city", "stage"):
        value = form.get(key, "").strip()
        if value:
            words.append(f"{key}={value.replace(' ', '_')}")
    if form.get("registration"):
        words.append(form["registration"])
    if form.get("urgent"):
        words.append("urgent")
    try:
        return Audience.parse(" ".join(words), LANGUAGES)
    except AudienceError as error:
        raise Refused(str(error)) from None


@dataclass(frozen=True, slots=True)
class AudienceCheck:
    count: int
    unknown_city: bool
    unknown_workshop: bool


async def check_audience(app: App, audience: Audience) -> AudienceCheck:
    async with storage_of(app).unit_of_work() as uow:
        session = uow.session
        count = len(await recipient_ids(session, audience, app.content, app.settings.default_language))
        cities = {city.lower() for city in await session.scalars(select(Workshop.city))}
        unknown_workshop = (
            audience.workshop_id is not None and await session.get(Workshop, audience.workshop_id) is None
        )
        return AudienceCheck(count, audience.city is not None and audience.city.lower() not in cities, unknown_workshop)


async def schedule_broadcast(
    app: App, who: Staffer, audience: Audience, texts: dict[str, str], at: datetime | None
) -> int:
    """Queue a broadcast as the CLI does: the running clock fans it out and sends it."""
    texts = {lang: text.strip() for lang, text in texts.items() if lang in LANGUAGES and text.strip()}
    if any(len(text) > MAX_TEXT for text in texts.values()):
        raise Refused(str(MAX_TEXT))
    now = clock_now(app)
    async with storage_of(app).unit_of_work() as uow:
        row = Broadcast(
            author_user_id=who.user_id,
            audience=audience.to_json(),
            texts=texts,
            default_language=app.settings.default_language,
            status="scheduled",
            scheduled_at=at or now,
            created_at=now,
        )
        uow.session.add(row)
        await uow.session.flush()
        await store.audit(
            uow.session,
            who,
            "broadcast.schedule",
            f"broadcast:{row.id}",
            now,
            audience=audience.to_json(),
            languages=sorted(texts),
        )
        return row.id


def parse_local(text: str, zone: str, now: datetime) -> datetime:
    try:
        return ws.parse_local(text, zone, now=now)
    except UserError as error:
        raise refused_from(error) from None


async def cancel_broadcast(app: App, who: Staffer, broadcast_id: int) -> bool:
    from storage.broadcasts import cancel

    async with storage_of(app).unit_of_work() as uow:
        done = await cancel(uow.session, broadcast_id)
        if done:
            await store.audit(uow.session, who, "broadcast.cancel", f"broadcast:{broadcast_id}", clock_now(app))
        return done


async def broadcast_report(app: App, broadcast_id: int) -> tuple[Broadcast, dict[str, int], list[Any]] | None:
    async with storage_of(app).unit_of_work() as uow:
        row = await uow.session.get(Broadcast, broadcast_id)
        if row is None:
            return None
        return row, await progress(uow.session, broadcast_id), await stats.delivery_reasons(uow.session, broadcast_id)


async def broadcasts(app: App) -> list[stats.BroadcastRow]:
    async with storage_of(app).unit_of_work() as uow:
        return await stats.recent_broadcasts(uow.session, limit=50)
