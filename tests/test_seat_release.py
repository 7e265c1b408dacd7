"""Seats freed by deleting one's data or by merging two accounts go to the waiting list, like a cancel."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from bot.app import App
from bot.services import signups
from bot.services.seats import Notice
from storage.models import Registration
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver, user_id_of
from tests.workshop_helpers import deliveries, make_workshop, registrations


async def _nothing(_notice: Notice) -> None:
    return None


async def _sign_up(app: App, workshop_id: int, name: str, clock: FrozenClock) -> None:
    await ChatDriver(app, name).send("/start")
    user_id = await user_id_of(app, name)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        await signups.sign_up(uow, workshop_id, user_id, clock.now, notify=_nothing, offer_hours=48)
    clock.advance(minutes=1)


async def test_deleting_ones_data_offers_the_seat_to_the_next_person(
    app: App, chat: Callable[..., ChatDriver], clock: FrozenClock
) -> None:
    workshop_id = await make_workshop(app, clock.now, capacity=1)
    for name in ("alice", "bob", "carol"):
        await _sign_up(app, workshop_id, name, clock)
    assert [(u, s) for u, s, _ in await registrations(app, workshop_id)] == [
        ("alice", "confirmed"),
        ("bob", "waitlisted"),
        ("carol", "waitlisted"),
    ]
    alice = chat("alice")
    await alice.send("/deleteme")
    await alice.press("Yes, delete my data")
    assert "Your workshop registrations were cancelled." in alice.text
    # alice's account is gone with her data, so only bob and carol still show; bob got the seat offer.
    assert [(u, s) for u, s, _ in await registrations(app, workshop_id)] == [
        ("bob", "offered"),
        ("carol", "waitlisted"),
    ]
    assert [(u, kind) for u, kind, _ in await deliveries(app)] == [("bob", "workshop.offered")]


async def test_merging_two_accounts_that_both_held_a_seat_frees_one(
    app: App, chat: Callable[..., ChatDriver], clock: FrozenClock
) -> None:
    workshop_id = await make_workshop(app, clock.now, capacity=2)
    await _sign_up(app, workshop_id, "tg-dana", clock)
    await _sign_up(app, workshop_id, "dana-console", clock)
    await _sign_up(app, workshop_id, "erin", clock)
    assert [s for _, s, _ in await registrations(app, workshop_id)] == ["confirmed", "confirmed", "waitlisted"]
    first, second = chat("tg-dana"), chat("dana-console")
    await first.send("/link")
    code = re.search(r"link code: ([0-9A-Z]{8})", first.text)
    assert code, first.text
    await second.send(f"/link {code.group(1)}")
    assert second.text.startswith("Done: your accounts are linked")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = (
            await uow.session.execute(
                select(Registration.user_id, Registration.status)
                .where(Registration.workshop_id == workshop_id)
                .order_by(Registration.id)
            )
        ).all()
    dana, erin = await user_id_of(app, "tg-dana"), await user_id_of(app, "erin")
    assert await user_id_of(app, "dana-console") == dana
    # dana keeps one seat; the row of the account that was merged away is cancelled; erin is offered the seat.
    assert [(user, status) for user, status in rows] == [
        (dana, "confirmed"),
        (rows[1][0], "cancelled"),
        (erin, "offered"),
    ]
    assert rows[1][0] != dana
    assert [(u, kind) for u, kind, _ in await deliveries(app)] == [("erin", "workshop.offered")]
