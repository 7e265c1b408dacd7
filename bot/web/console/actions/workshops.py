"""Workshops: read, change, attend; the staff workshop use cases of bot/services, as the chat and the CLI call
them, refusals worded by handlers/workshop_refusals.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from bot.app import App
from bot.core.errors import UserError
from bot.domain.workshop_info import WorkshopInfo
from bot.domain.workshop_input import WorkshopFields
from bot.domain.workshop_refusals import WorkshopRefusal
from bot.domain.workshops import checkin_code_for
from bot.services import console as audit_log
from bot.services import workshop_admin, workshop_checkin, workshop_reports
from bot.services.seats import Notify
from bot.services.stats import Registration, User
from bot.services.workshops import WorkshopView
from bot.web.console.actions.base import Refused, clock_now, refused_from, refused_text, unit_of_work
from handlers.workshop_input import parse_fields, workshop_number
from handlers.workshop_refusals import refusal_text
from handlers.workshop_views import outbox_notifier

# A workshop with its seats and the status people see: the chat's and the CLI's view.
WorkshopRow = WorkshopView
T = TypeVar("T")


def refused_workshop(refusal: WorkshopRefusal) -> Refused:
    return refused_text(refusal_text(refusal))


@dataclass(frozen=True, slots=True)
class Registrant:
    registration: Registration
    user: User
    record_name: str
    position: int | None
    # under | unclear | not_under | "" (no year of birth, or no date yet)
    age: str


async def workshops(app: App) -> list[WorkshopRow]:
    async with unit_of_work(app) as uow:
        return await workshop_reports.all_workshops(uow, clock_now(app))


async def workshop(app: App, workshop_id: str) -> tuple[WorkshopRow, list[Registrant], str | None]:
    """A workshop, its registrants in order and today's check-in code (None when there is no session date)."""
    limit = app.content.program.certificates.workshop_age_limit
    try:
        async with unit_of_work(app) as uow:
            row = await workshop_reports.one_workshop(uow, workshop_number(workshop_id), clock_now(app))
            found = row.workshop
            people = _registrants(found, await workshop_reports.registrants(uow, found.id), limit)
            return row, people, checkin_code_for(found)
    except WorkshopRefusal as refusal:
        raise refused_workshop(refusal) from None


def _registrants(found: WorkshopInfo, entries: list[workshop_reports.Registrant], limit: int) -> list[Registrant]:
    people = []
    for entry in entries:
        standing = workshop_reports.age_standing(found, entry.user, limit)
        rule = "" if standing is None else standing.value
        people.append(Registrant(entry.registration, entry.user, entry.record_name, entry.number, rule))
    return people


async def export_csv(app: App, workshop_id: str | None) -> workshop_reports.Export:
    """The registrant file of one workshop (Refused when unknown) or of all: the one the chat and the CLI give."""
    limit = app.content.program.certificates.workshop_age_limit
    try:
        async with unit_of_work(app) as uow:
            return await workshop_reports.export_registrants(
                uow, None if workshop_id is None else [workshop_number(workshop_id)], age_limit=limit
            )
    except WorkshopRefusal as refusal:
        raise refused_workshop(refusal) from None


async def _workshop_change(
    app: App,
    who: audit_log.Staffer,
    verb: str,
    target: str,
    detail: dict[str, Any],
    run: Callable[[Any, Notify, datetime], Awaitable[T]],
) -> T:
    now = clock_now(app)
    try:
        async with unit_of_work(app) as uow:
            # Notices say the city as each recipient's language does, as from the chat and the CLI.
            notify = outbox_notifier(uow.session, app.settings, now, app.content.city_names)
            result = await run(uow, notify, now)
            await audit_log.audit(uow, who, verb, target, now, **detail)
            return result
    except WorkshopRefusal as refusal:
        raise refused_workshop(refusal) from None
    except UserError as error:
        raise refused_from(error) from None


def _fields(pairs: Sequence[tuple[str, str]]) -> WorkshopFields:
    try:
        return parse_fields([(key, value) for key, value in pairs if value.strip()])
    except WorkshopRefusal as refusal:
        raise refused_workshop(refusal) from None


async def create_workshop(app: App, who: audit_log.Staffer, pairs: Sequence[tuple[str, str]]) -> int:
    fields = _fields(pairs)

    async def run(uow: Any, _notify: Notify, now: datetime) -> int:
        created = await workshop_admin.create_workshop(uow, fields, now, default_title=app.content.workshops.title)
        return created.id

    return await _workshop_change(app, who, "workshop.create", "workshop", dict(pairs), run)


async def edit_workshop(app: App, who: audit_log.Staffer, workshop_id: str, pairs: Sequence[tuple[str, str]]) -> None:
    fields = _fields(pairs)

    async def run(uow: Any, notify: Notify, now: datetime) -> None:
        await workshop_admin.edit_workshop(
            uow, workshop_number(workshop_id), fields, now, notify=notify, offer_hours=app.settings.waitlist_offer_hours
        )

    await _workshop_change(app, who, "workshop.edit", f"workshop:{workshop_id}", dict(pairs), run)


async def set_workshop_date(app: App, who: audit_log.Staffer, workshop_id: str, start: str) -> None:
    async def run(uow: Any, notify: Notify, now: datetime) -> None:
        await workshop_admin.set_date(
            uow, workshop_number(workshop_id), start, now, notify=notify, offer_hours=app.settings.waitlist_offer_hours
        )

    await _workshop_change(app, who, "workshop.set-date", f"workshop:{workshop_id}", {"start": start}, run)


async def set_workshop_open(app: App, who: audit_log.Staffer, workshop_id: str, open_: bool) -> None:
    async def run(uow: Any, _notify: Notify, now: datetime) -> None:
        await workshop_admin.set_registration_open(uow, workshop_number(workshop_id), open_, now)

    verb = "workshop.reopen" if open_ else "workshop.close"
    await _workshop_change(app, who, verb, f"workshop:{workshop_id}", {}, run)


async def cancel_workshop(app: App, who: audit_log.Staffer, workshop_id: str) -> int:
    async def run(uow: Any, notify: Notify, now: datetime) -> int:
        return len(await workshop_admin.cancel_workshop(uow, workshop_number(workshop_id), now, notify=notify))

    return await _workshop_change(app, who, "workshop.cancel", f"workshop:{workshop_id}", {}, run)


async def mark_attended(app: App, who: audit_log.Staffer, workshop_id: str, user_id: int | None, typed: str) -> None:
    async def run(uow: Any, _notify: Notify, now: datetime) -> None:
        await workshop_checkin.mark_attended(uow, workshop_number(workshop_id), user_id, now, typed_user=typed)

    await _workshop_change(app, who, "workshop.attended", f"workshop:{workshop_id}", {"user_id": user_id}, run)
