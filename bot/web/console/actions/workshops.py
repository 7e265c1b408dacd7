"""Workshops: read, change, attend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.app import App
from bot.certificates.rules import age_rule
from bot.core.errors import UserError
from bot.web.console.actions.base import clock_now, refused_from, storage_of
from storage import console as store
from storage import workshops as ws
from storage.console import Staffer
from storage.models import Registration, User, Workshop


@dataclass(frozen=True, slots=True)
class WorkshopRow:
    workshop: Workshop
    seats: ws.Seats
    status: ws.DisplayStatus


@dataclass(frozen=True, slots=True)
class Registrant:
    registration: Registration
    user: User
    record_name: str
    position: int | None
    # under | unclear | not_under | "" (no year of birth, or no date yet)
    age: str


async def workshops(app: App) -> list[WorkshopRow]:
    async with storage_of(app).unit_of_work() as uow:
        rows = await ws.list_workshops(uow.session)
        seats = await ws.seat_counts(uow.session, rows)
        now = clock_now(app)
        return [WorkshopRow(w, seats[w.id], ws.display_status(w, seats[w.id], now)) for w in rows]


async def workshop(app: App, workshop_id: str) -> tuple[WorkshopRow, list[Registrant], str | None]:
    """A workshop, its registrants in order and today's check-in code (None when there is no session date)."""
    limit = app.content.program.certificates.workshop_age_limit
    async with storage_of(app).unit_of_work() as uow:
        session = uow.session
        try:
            found = await ws.workshop_or_refuse(session, workshop_id)
        except UserError as error:
            raise refused_from(error) from None
        seats = (await ws.seat_counts(session, [found]))[found.id]
        people = []
        for registration, user in await ws.registrants(session, found.id):
            position = (
                await ws.waitlist_position(session, registration)
                if registration.status in ("waitlisted", "preregistered")
                else None
            )
            rule = ""
            if user.birth_year and found.starts_at is not None:
                rule = age_rule(found.starts_at.year, user.birth_year, limit).value
            people.append(Registrant(registration, user, user.full_name or "", position, rule))
        row = WorkshopRow(found, seats, ws.display_status(found, seats, clock_now(app)))
        return row, people, ws.checkin_code_for(found)


async def _workshop_change(app: App, who: Staffer, verb: str, target: str, detail: dict[str, Any], run: Any) -> Any:
    from handlers.workshop_views import outbox_notifier

    now = clock_now(app)
    try:
        async with storage_of(app).unit_of_work() as uow:
            notify = outbox_notifier(uow.session, app.settings, now)
            result = await run(uow.session, notify, now)
            await store.audit(uow.session, who, verb, target, now, **detail)
            return result
    except UserError as error:
        raise refused_from(error) from None


def _fields(pairs: Sequence[tuple[str, str]]) -> ws.WorkshopFields:
    try:
        return ws.parse_fields([(key, value) for key, value in pairs if value.strip()])
    except UserError as error:
        raise refused_from(error) from None


async def create_workshop(app: App, who: Staffer, pairs: Sequence[tuple[str, str]]) -> int:
    fields = _fields(pairs)
    if fields.title is None:
        fields.title = app.content.workshops.title

    async def run(session: Any, _notify: Any, now: datetime) -> int:
        created = await ws.create_workshop(session, fields, now)
        return created.id

    return int(await _workshop_change(app, who, "workshop.create", "workshop", dict(pairs), run))


async def edit_workshop(app: App, who: Staffer, workshop_id: str, pairs: Sequence[tuple[str, str]]) -> None:
    fields = _fields(pairs)

    async def run(session: Any, notify: Any, now: datetime) -> None:
        await ws.edit_workshop(
            session, workshop_id, fields, now, notify=notify, offer_hours=app.settings.waitlist_offer_hours
        )

    await _workshop_change(app, who, "workshop.edit", f"workshop:{workshop_id}", dict(pairs), run)


async def set_workshop_date(app: App, who: Staffer, workshop_id: str, start: str) -> None:
    async def run(session: Any, notify: Any, now: datetime) -> None:
        await ws.set_date(
            session, workshop_id, start, now, notify=notify, offer_hours=app.settings.waitlist_offer_hours
        )

    await _workshop_change(app, who, "workshop.set-date", f"workshop:{workshop_id}", {"start": start}, run)


async def set_workshop_open(app: App, who: Staffer, workshop_id: str, open_: bool) -> None:
    async def run(session: Any, _notify: Any, now: datetime) -> None:
        await ws.set_registration_open(session, workshop_id, open_, now)

    verb = "workshop.reopen" if open_ else "workshop.close"
    await _workshop_change(app, who, verb, f"workshop:{workshop_id}", {}, run)


async def cancel_workshop(app: App, who: Staffer, workshop_id: str) -> int:
    async def run(session: Any, notify: Any, now: datetime) -> int:
        return len(await ws.cancel_workshop(session, workshop_id, now, notify=notify))

    return int(await _workshop_change(app, who, "workshop.cancel", f"workshop:{workshop_id}", {}, run))


async def mark_attended(app: App, who: Staffer, workshop_id: str, user_id: int) -> None:
    async def run(session: Any, _notify: Any, now: datetime) -> None:
        found = await ws.workshop_or_refuse(session, workshop_id)
        await ws.mark_attended(session, found, user_id, now)

    await _workshop_change(app, who, "workshop.attended", f"workshop:{workshop_id}", {"user_id": user_id}, run)
