"""Participants: search, progress, records, their data; the record and privacy use cases of bot/services as the
chat (/revoke, /mydata, /deleteme) calls them."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from bot.app import App
from bot.core.text import parse_id
from bot.domain.certificates import NoSuchRecord, NotACode
from bot.services import certificates, privacy, stats
from bot.services import console as audit_log
from bot.services.stats import Person, User
from bot.web.console.actions.base import clock_now, refused_text, unit_of_work
from handlers.certificates import revoke_refusal_text
from handlers.workshop_views import outbox_notifier

__all__ = ["Person", "delete_person", "export_person", "person", "revoke_record", "search_people"]


async def search_people(app: App, query: str) -> list[User]:
    text = query.strip()[:100]
    if not text:
        return []
    async with unit_of_work(app) as uow:
        return await stats.search_people(uow, text, parse_id(text))


async def person(app: App, user_id: int) -> Person | None:
    async with unit_of_work(app) as uow:
        return await stats.person(uow, user_id, app.content)


async def revoke_record(app: App, who: audit_log.Staffer, code: str) -> None:
    """The chat's /revoke (Refused, worded as the chat words it, for a wrong or unknown code)."""
    now = clock_now(app)
    try:
        async with unit_of_work(app) as uow:
            record = await certificates.revoke_record(uow, code, now=now)
            await audit_log.audit(uow, who, "record.revoke", f"record:{record.id}", now, user_id=record.user_id)
    except (NotACode, NoSuchRecord) as refusal:
        raise refused_text(revoke_refusal_text(refusal)) from None


def _json_value(value: Any) -> Any:
    return value.astimezone(UTC).isoformat()


async def export_person(app: App, who: audit_log.Staffer, user_id: int) -> str:
    """The /mydata copy of one person's data, as JSON; the export itself is logged (it is personal data)."""
    now = clock_now(app)
    async with unit_of_work(app) as uow:
        data = await privacy.export_personal_data(uow, user_id, now=now)
        await audit_log.audit(uow, who, "person.export", f"user:{user_id}", now)
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value)


async def delete_person(app: App, who: audit_log.Staffer, user_id: int) -> int:
    """The /deleteme deletion, on the person's request to staff; returns the registrations it cancelled."""
    now = clock_now(app)
    async with unit_of_work(app) as uow:
        deleted = await privacy.delete_personal_data(
            uow,
            user_id,
            now=now,
            notify=outbox_notifier(uow.session, app.settings, now, app.content.city_names),
            offer_hours=app.settings.waitlist_offer_hours,
        )
        await audit_log.audit(uow, who, "person.delete", f"user:{user_id}", now)
        return deleted.cancelled_registrations
