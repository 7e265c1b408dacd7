"""Personal data and linked accounts as use cases: export, erase, link codes and merging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.content import Content
from bot.domain.linking import LinkCodeProblem, LinkingPaused
from bot.services import linking, privacy
from bot.services.progress import mark_watched, progress_of
from bot.services.seats import Notice
from storage.linking import LINK_ATTEMPTS
from storage.models import Account, Registration, User, Workshop
from storage.uow import Storage
from tests.services.conftest import NOW, add_person


async def _no_notices(notice: Notice) -> None:
    raise AssertionError(f"nobody was waiting, yet {notice} was sent")


async def test_the_export_holds_what_is_stored_and_when_it_was_taken(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await mark_watched(uow, alice, ["1.1"], now=NOW, content=content)
    async with storage.unit_of_work() as uow:
        data = await privacy.export_personal_data(uow, alice, now=NOW)
    assert data["exported_at"] == NOW.isoformat()
    assert [lecture["lecture"] for lecture in data["lecture_progress"]] == ["1.1"]
    assert [account["platform"] for account in data["accounts"]] == ["telegram"]


async def test_deleting_cancels_places_and_erases_the_person(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await mark_watched(uow, alice, ["1.1"], now=NOW, content=content)
        workshop = Workshop(city="Milan", title="Day", timezone="Europe/Rome", capacity=5, checkin_code="X")
        uow.session.add(workshop)
        await uow.session.flush()
        uow.session.add(Registration(workshop_id=workshop.id, user_id=alice, status="confirmed", registered_at=NOW))
        await uow.commit()
    async with storage.unit_of_work() as uow:
        deleted = await privacy.delete_personal_data(uow, alice, now=NOW, notify=_no_notices, offer_hours=24)
    assert deleted == privacy.Deleted(alice, 1)
    async with storage.unit_of_work() as uow:
        user = await uow.session.get_one(User, alice)
        accounts = list(await uow.session.scalars(select(Account).where(Account.user_id == alice)))
        registration = await uow.session.scalar(select(Registration).where(Registration.user_id == alice))
        progress = await progress_of(uow, alice, content)
    assert (user.deleted_at, user.display_name, accounts, progress.done) == (NOW, "", [], frozenset())
    assert registration is not None and registration.status == "cancelled"


async def test_a_link_code_merges_the_second_account_into_the_first(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        other = await add_person(uow, "alice-discord", platform="discord")
        await mark_watched(uow, other, ["1.1", "1.2"], now=NOW, content=content)
    async with storage.unit_of_work() as uow:
        issued = await linking.new_link_code(uow, alice, now=NOW)
    assert (len(issued.code), issued.expires_at) == (8, NOW + issued.valid_for)
    async with storage.unit_of_work() as uow:
        linked = await linking.link_accounts(
            uow, other, issued.code.lower(), now=NOW, notify=_no_notices, offer_hours=24
        )
    assert linked == linking.Linked(alice, 2, 0)
    async with storage.unit_of_work() as uow:
        platforms = sorted(
            a.platform for a in await uow.session.scalars(select(Account).where(Account.user_id == alice))
        )
        assert platforms == ["discord", "telegram"]
        again = await linking.link_accounts(uow, other, issued.code, now=NOW, notify=_no_notices, offer_hours=24)
    assert again == linking.LinkRejected(LinkCodeProblem.USED, None)


async def test_wrong_codes_are_counted_and_then_paused(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    outcomes = []
    for _ in range(LINK_ATTEMPTS.failures):
        async with storage.unit_of_work() as uow:
            outcomes.append(
                await linking.link_accounts(uow, alice, "WRONG123", now=NOW, notify=_no_notices, offer_hours=24)
            )
    assert [o.problem for o in outcomes if isinstance(o, linking.LinkRejected)] == [LinkCodeProblem.UNKNOWN] * 5
    last = outcomes[-1]
    assert isinstance(last, linking.LinkRejected) and last.paused_until == NOW + LINK_ATTEMPTS.window
    async with storage.unit_of_work() as uow:
        with pytest.raises(LinkingPaused) as paused:
            await linking.link_accounts(
                uow, alice, "WRONG123", now=NOW + timedelta(minutes=1), notify=_no_notices, offer_hours=24
            )
    assert paused.value.until == NOW + LINK_ATTEMPTS.window
