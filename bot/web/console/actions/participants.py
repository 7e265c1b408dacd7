"""Participants: search, progress, records, their data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, or_, select

from bot.app import App
from bot.certificates import codes
from bot.core.text import parse_id
from bot.web.console.actions.base import Refused, clock_now, storage_of
from storage import console as store
from storage import workshops as ws
from storage.console import Staffer
from storage.models import Certificate, Registration, User, Workshop


async def search_people(app: App, query: str) -> list[User]:
    text = query.strip()[:100]
    if not text:
        return []
    clauses: list[Any] = [User.full_name.ilike(f"%{text}%"), User.display_name.ilike(f"%{text}%")]
    number = parse_id(text)
    if number is not None:
        clauses.append(User.id == number)
    from storage.models import Account

    # A platform id (a Telegram or Discord number, a console name) finds the person behind that account.
    clauses.append(exists().where(Account.user_id == User.id, Account.platform_user_id == text))
    async with storage_of(app).unit_of_work() as uow:
        return list(
            await uow.session.scalars(
                select(User).where(User.deleted_at.is_(None), or_(*clauses)).order_by(User.id).limit(50)
            )
        )


@dataclass(frozen=True, slots=True)
class Person:
    user: User
    lectures: dict[str, datetime]
    registrations: list[tuple[Registration, Workshop]]
    records: list[Certificate]
    platforms: list[str]


async def person(app: App, user_id: int) -> Person | None:
    from storage.certificates import records_of
    from storage.progress import done_keys

    async with storage_of(app).unit_of_work() as uow:
        user = await uow.session.get(User, user_id)
        if user is None or user.deleted_at is not None:
            return None
        from storage.models import Account

        platforms = list(await uow.session.scalars(select(Account.platform).where(Account.user_id == user_id)))
        return Person(
            user,
            await done_keys(uow.session, user_id),
            await ws.registrations_of_user(uow.session, user_id),
            await records_of(uow.session, user_id),
            sorted(set(platforms)),
        )


async def revoke_record(app: App, who: Staffer, code: str) -> None:
    from storage.certificates import revoke

    now = clock_now(app)
    async with storage_of(app).unit_of_work() as uow:
        try:
            record = await revoke(uow.session, code, now)
        except codes.CodeFormatError:
            record = None
        if record is None:
            raise Refused(code)
        await store.audit(uow.session, who, "record.revoke", f"record:{record.id}", now, user_id=record.user_id)


async def export_person(app: App, who: Staffer, user_id: int) -> str:
    """The /mydata copy of one person's data, as JSON; the export itself is logged (it is personal data)."""
    from storage.privacy import export_user

    async with storage_of(app).unit_of_work() as uow:
        data = await export_user(uow.session, user_id)
        await store.audit(uow.session, who, "person.export", f"user:{user_id}", clock_now(app))
    return json.dumps(data, ensure_ascii=False, indent=2, default=lambda v: v.astimezone(UTC).isoformat())


async def delete_person(app: App, who: Staffer, user_id: int) -> int:
    """The /deleteme deletion, on the person's request to staff; returns the registrations it cancelled."""
    from handlers.workshop_views import outbox_notifier
    from storage.privacy import delete_user_data

    now = clock_now(app)
    async with storage_of(app).unit_of_work() as uow:
        cancelled = await delete_user_data(
            uow.session,
            user_id,
            now,
            notify=outbox_notifier(uow.session, app.settings, now),
            offer_hours=app.settings.waitlist_offer_hours,
        )
        await store.audit(uow.session, who, "person.delete", f"user:{user_id}", now)
        return len(cancelled)
