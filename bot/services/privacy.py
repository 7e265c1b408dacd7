"""A participant's own data: a copy of everything stored, and erasing it.

/mydata and /deleteme call these, and so will the staff console (a person who asks staff by e-mail): one export,
one deletion, whoever asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.services.seats import cancel_all_for_user
from bot.services.unit_of_work import commits
from storage.privacy import erase_user, export_user

if TYPE_CHECKING:
    from bot.services.seats import Notify
    from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Deleted:
    user_id: int
    # Workshop registrations cancelled on the way (their seats were offered to those waiting).
    cancelled_registrations: int


async def export_personal_data(uow: UnitOfWork, user_id: int, *, now: datetime) -> dict[str, Any]:
    """Everything stored about the person, as JSON-ready data, stamped with the moment of export."""
    data = await export_user(uow.session, user_id)
    data["exported_at"] = now.isoformat()
    return data


@commits
async def delete_personal_data(
    uow: UnitOfWork, user_id: int, *, now: datetime, notify: Notify, offer_hours: int
) -> Deleted:
    """Cancel the person's workshop places (the same path as cancelling: each freed seat is offered to the next one
    waiting, told through `notify`), then erase their personal data. Anonymous counts stay."""
    cancelled = await cancel_all_for_user(uow.session, user_id, now, notify=notify, offer_hours=offer_hours)
    await erase_user(uow.session, user_id, now)
    return Deleted(user_id, len(cancelled))
