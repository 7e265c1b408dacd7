"""Shared set-up for the workshop tests: create workshops and read rows straight from the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.services import workshop_admin
from handlers.workshop_input import parse_fields
from storage import registrations as regs
from storage.models import Account, Delivery, Registration, User, Workshop


async def make_workshop(app: App, now: datetime, **fields: object) -> int:
    values: dict[str, object] = {
        "city": "Milan",
        "zone": "Europe/Rome",
        "capacity": 20,
        "start": "2026-04-20 15:00",
        "title": app.content.workshops.title,
    }
    values.update(fields)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        fields = parse_fields((k, str(v)) for k, v in values.items())
        workshop = await workshop_admin.create_workshop(uow, fields, now, default_title=app.content.workshops.title)
        return workshop.id


async def workshop(app: App, workshop_id: int) -> Workshop:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return await uow.session.get_one(Workshop, workshop_id)


async def registrations(app: App, workshop_id: int | None = None) -> list[tuple[str, str, Any]]:
    """(platform user id, status, offer_expires_at/attended_at) per registration, in id order."""
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        query = (
            select(Account.platform_user_id, Registration.status, Registration.attended_at)
            .join(Account, Account.user_id == Registration.user_id)
            .order_by(Registration.id)
        )
        if workshop_id is not None:
            query = query.where(Registration.workshop_id == workshop_id)
        return [tuple(row) for row in (await uow.session.execute(query)).all()]  # type: ignore[misc]


async def deliveries(app: App) -> list[tuple[str, str, str]]:
    """(platform user id, kind, text) of every queued message, in order."""
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Account.platform_user_id, Delivery.kind, Delivery.text)
            .join(Account, Account.user_id == Delivery.user_id)
            .order_by(Delivery.id)
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def user_row(app: App, platform_user_id: str) -> User:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(select(Account).where(Account.platform_user_id == platform_user_id))
        assert account is not None
        return await uow.session.get_one(User, account.user_id)


async def registration_id(app: App, platform_user_id: str, workshop_id: int) -> int:
    user = await user_row(app, platform_user_id)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        reg = await regs.registration_of(uow.session, workshop_id, user.id)
        assert reg is not None
        return reg.id
