"""Broadcasts: audience, count, scheduling, cancelling, reports; the broadcast use cases of bot/services as the
chat and the CLI call them, refusals worded by handlers/broadcast.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.app import App
from bot.core.errors import UserError
from bot.domain.audiences import Audience
from bot.domain.broadcasts import BroadcastRefused, check_texts
from bot.domain.workshop_input import zone_name
from bot.domain.workshop_refusals import WorkshopRefusal
from bot.services import broadcasts as service
from bot.services import console as audit_log
from bot.services import stats
from bot.services.broadcasts import AudienceCheck
from bot.settings import LANGUAGES
from bot.web.console.actions.base import Refused, clock_now, refused_from, refused_text, unit_of_work
from handlers import workshop_input
from handlers.broadcast import refusal_text
from handlers.workshop_refusals import refusal_text as workshop_refusal_text


def refused_broadcast(refusal: BroadcastRefused) -> Refused:
    return refused_text(refusal_text(refusal))


def audience_of(form: Mapping[str, str]) -> Audience:
    """The audience builder's fields read by the chat's own audience parser (an unknown part raises Refused)."""
    words = []
    for key in ("platform", "lang", "workshop", "city", "stage"):
        value = form.get(key, "").strip()
        if value:
            words.append(f"{key}={value.replace(' ', '_')}")
    if form.get("registration"):
        words.append(str(form["registration"]))
    if form.get("urgent"):
        words.append("urgent")
    try:
        return service.parse_audience(" ".join(words), LANGUAGES)
    except BroadcastRefused as refusal:
        raise refused_broadcast(refusal) from None


async def check_audience(app: App, audience: Audience) -> AudienceCheck:
    async with unit_of_work(app) as uow:
        return await service.check_audience(uow, audience, app.content, app.settings.default_language)


def text_problem(app: App, texts: Mapping[str, str]) -> str | None:
    """What the broadcast's own rules (bot.domain.broadcasts) would refuse in these texts, worded as the chat
    words it; None when they can be scheduled."""
    try:
        check_texts(texts, languages=LANGUAGES, default_language=app.settings.default_language)
    except BroadcastRefused as refusal:
        return str(refused_broadcast(refusal))
    return None


async def schedule_broadcast(
    app: App, who: audit_log.Staffer, audience: Audience, texts: dict[str, str], at: datetime | None
) -> int:
    """Compose and confirm in one step, as the CLI does: the running clock fans it out and sends it."""
    texts = {lang: text.strip() for lang, text in texts.items() if text.strip()}
    now = clock_now(app)
    try:
        async with unit_of_work(app) as uow:
            number = await service.create_scheduled(
                uow,
                audience,
                texts,
                languages=LANGUAGES,
                default_language=app.settings.default_language,
                at=at or now,
                now=now,
                author_user_id=who.user_id,
            )
            await audit_log.audit(
                uow,
                who,
                "broadcast.schedule",
                f"broadcast:{number}",
                now,
                audience=audience.to_json(),
                languages=sorted(texts),
            )
            return number
    except BroadcastRefused as refusal:
        raise refused_broadcast(refusal) from None


def parse_local(text: str, zone: str, now: datetime) -> datetime:
    """A time typed in a time zone (the staff member's, or the one they chose), read as the chat and the CLI read
    a staff date (bot.domain.workshop_input), refusals worded as they word them."""
    try:
        return workshop_input.parse_local(text, zone_name(zone), now=now)
    except WorkshopRefusal as refusal:
        raise refused_text(workshop_refusal_text(refusal)) from None
    except UserError as error:
        raise refused_from(error) from None


async def cancel_broadcast(app: App, who: audit_log.Staffer, broadcast_id: int) -> None:
    """Cancel a broadcast that has not started (Refused, worded as the chat words it, otherwise)."""
    now = clock_now(app)
    try:
        async with unit_of_work(app) as uow:
            await service.cancel(uow, broadcast_id)
            await audit_log.audit(uow, who, "broadcast.cancel", f"broadcast:{broadcast_id}", now)
    except BroadcastRefused as refusal:
        raise refused_broadcast(refusal) from None


@dataclass(frozen=True, slots=True)
class BroadcastRow:
    """One broadcast on its page: what was sent to whom, when, and to how many people."""

    id: int
    status: str
    audience: Mapping[str, Any]
    texts: Mapping[str, str]
    scheduled_at: datetime | None
    recipients: int


async def broadcast_report(
    app: App, broadcast_id: int
) -> tuple[BroadcastRow, dict[str, int], list[tuple[str, str, int]]] | None:
    """The broadcast, its deliveries counted by status (the chat's /broadcast status) and why some failed."""
    try:
        async with unit_of_work(app) as uow:
            shown = await service.view(uow, broadcast_id, content=app.content)
            report = await service.report(uow, broadcast_id)
            reasons = await stats.delivery_reasons(uow, broadcast_id)
    except BroadcastRefused:
        return None
    row = BroadcastRow(shown.id, str(shown.status), shown.audience, shown.texts, shown.scheduled_at, report.total)
    return row, {str(status): n for status, n in report.counts.items()}, reasons


async def broadcasts(app: App) -> list[stats.BroadcastRow]:
    async with unit_of_work(app) as uow:
        return await stats.recent_broadcasts(uow, limit=50)
