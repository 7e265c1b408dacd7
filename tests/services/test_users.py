"""The person behind an event (bot/services/users.py), the terminal's waiting messages and reaching someone again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.domain.messages import Button, Reply, act
from bot.domain.statuses import DeliveryStatus
from bot.services import reachability, users
from bot.services.outbox import buttons_to_json, take_waiting
from storage.models import Account, Delivery, User
from storage.uow import Storage
from tests.services.conftest import NOW, add_person


async def _meet(storage: Storage, hint: str | None = "de", *, private: bool = True) -> users.Person:
    async with storage.unit_of_work() as uow:
        person = await users.meet(
            uow,
            platform="telegram",
            platform_user_id="42",
            private_address="chat-42",
            display_name="Anna",
            locale_hint=hint,
            private=private,
            now=NOW,
            default_language="en",
        )
        # As the dispatcher does with every event: what meet noted is kept.
        await users.noted(uow)
        await users.seen(uow)
        return person


async def test_the_first_event_makes_the_rows_and_the_platform_language_speaks_until_one_is_chosen(
    storage: Storage,
) -> None:
    first = await _meet(storage, "de")
    assert (first.display_name, first.locale, first.chosen_locale, first.timezone) == ("Anna", "de", None, None)
    again = await _meet(storage, "fr")
    assert (again.user_id, again.account_id, again.locale) == (first.user_id, first.account_id, "fr")
    async with storage.unit_of_work() as uow:
        await users.choose_language(uow, first.user_id, "it")
    chosen = await _meet(storage, "fr")
    assert (chosen.locale, chosen.chosen_locale) == ("it", "it")
    async with storage.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(User)) == 1
        account = await uow.session.get_one(Account, first.account_id)
        user = await uow.session.get_one(User, first.user_id)
        assert (account.chat_id, user.locale_hint) == ("chat-42", "fr")


async def test_writing_in_private_makes_an_unreachable_account_reachable_without_a_notice(storage: Storage) -> None:
    person = await _meet(storage)
    async with storage.unit_of_work() as uow:
        account = await uow.session.get_one(Account, person.account_id)
        account.reachable = False
        account.unreachable_notice_due = True
        await uow.commit()
    in_group = await _meet(storage, private=False)
    assert in_group.unreachable_notice_due is True
    in_private = await _meet(storage, private=True)
    assert in_private.unreachable_notice_due is False
    async with storage.unit_of_work() as uow:
        account = await uow.session.get_one(Account, person.account_id)
        assert (account.reachable, account.unreachable_notice_due) == (True, False)


async def test_the_language_of_an_unknown_person_is_their_hint_and_makes_no_row(storage: Storage) -> None:
    assert await users.language_for(storage, "telegram", "42", "ko", "en") == "ko"
    assert await users.language_for(storage, "telegram", "42", None, "en") == "en"
    async with storage.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(User)) == 0
    await _meet(storage, "de")
    assert await users.language_for(storage, "telegram", "42", None, "en") == "de"


async def test_stats_count_each_person_once_per_platform_and_leave_out_deleted_ones(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        anna = await add_person(uow, "anna", locale="de")
        uow.session.add(
            Account(
                user_id=anna,
                platform="discord",
                platform_user_id="anna-d",
                chat_id="anna-dm",
                created_at=NOW,
                last_seen_at=NOW,
            )
        )
        await add_person(uow, "ben", locale=None)
        gone = await add_person(uow, "carl", locale="it")
        (await uow.session.get_one(User, gone)).deleted_at = NOW
        await uow.commit()
    async with storage.unit_of_work() as uow:
        counts = await users.stats(uow)
    assert counts == users.ParticipantStats(2, [("discord", 1), ("telegram", 2)], [(None, 1), ("de", 1)])


async def test_the_terminal_takes_its_due_messages_once(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        anna = await add_person(uow, "anna", platform="console")
        buttons = buttons_to_json([[Button("Main menu", act("menu"))]])
        for text, due in (("now", NOW), ("later", NOW + timedelta(hours=1))):
            uow.session.add(
                Delivery(user_id=anna, kind="notice", text=text, buttons=buttons, not_before=due, created_at=NOW)
            )
        await uow.commit()
    async with storage.unit_of_work() as uow:
        assert await take_waiting(uow, "console", "nobody", NOW) == []
        taken = await take_waiting(uow, "console", "anna-id", NOW)
    assert taken == [Reply("now", buttons=[[Button("Main menu", act("menu"))]])]
    async with storage.unit_of_work() as uow:
        assert await take_waiting(uow, "console", "anna-id", NOW) == []
        rows = (await uow.session.scalars(select(Delivery).order_by(Delivery.id))).all()
        assert [(d.text, d.status) for d in rows] == [("now", DeliveryStatus.SENT), ("later", DeliveryStatus.PENDING)]


async def test_reaching_someone_again_tests_that_account_and_resends_recent_answers_only(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        anna = await add_person(uow, "anna", platform="discord", reachable=False)
        account_id = await uow.session.scalar(select(Account.id).where(Account.user_id == anna))
        for kind, when in (
            ("question.answer", NOW - timedelta(days=2)),
            ("question.answer", NOW - timedelta(days=20)),
            ("workshop.offer", NOW - timedelta(days=1)),
        ):
            uow.session.add(
                Delivery(
                    user_id=anna,
                    kind=kind,
                    text=kind,
                    status=DeliveryStatus.UNREACHABLE,
                    sent_at=when,
                    not_before=when,
                    created_at=when,
                )
            )
        await uow.commit()
    async with storage.unit_of_work() as uow:
        resent = await reachability.reach_again(
            uow, anna, account_id, lambda _language: Reply("test"), now=NOW, default_locale="en"
        )
    assert resent == 1
    async with storage.unit_of_work() as uow:
        assert (await uow.session.get_one(Account, account_id)).reachable is True
        rows = (await uow.session.scalars(select(Delivery).order_by(Delivery.id))).all()
        assert [(d.kind, d.sent_at is None, d.status) for d in rows] == [
            ("question.answer", True, DeliveryStatus.PENDING),
            ("question.answer", False, DeliveryStatus.UNREACHABLE),
            ("workshop.offer", False, DeliveryStatus.UNREACHABLE),
            ("reach.test", True, DeliveryStatus.PENDING),
        ]
        assert rows[-1].account_id == account_id
