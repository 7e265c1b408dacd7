"""Broadcasts as use cases: compose, count, schedule, cancel and report, with typed refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.content import Content
from bot.domain import broadcasts as rules
from bot.domain.statuses import BroadcastStatus, DeliveryStatus
from bot.services import broadcasts as service
from bot.settings import LANGUAGES
from storage.models import Broadcast, Delivery
from storage.uow import Storage
from tests.services.conftest import NOW, add_person


async def _draft(storage: Storage, content: Content, author: int, audience: str = "everyone") -> int:
    async with storage.unit_of_work() as uow:
        draft = await service.new_draft(
            uow, author, audience, content=content, languages=LANGUAGES, default_language="en", now=NOW
        )
    return draft.id


async def test_a_draft_counts_exactly_the_people_its_audience_reaches(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        staff = await add_person(uow, "staff")
        await add_person(uow, "alice", locale="it")
        await add_person(uow, "bob", locale="it", platform="discord")
        await add_person(uow, "carol", locale="it", reachable=False)
    async with storage.unit_of_work() as uow:
        draft = await service.new_draft(
            uow,
            staff,
            "lang=it platform=telegram",
            content=content,
            languages=LANGUAGES,
            default_language="en",
            now=NOW,
        )
    assert (draft.status, dict(draft.audience), draft.recipients, draft.ready) == (
        BroadcastStatus.DRAFT,
        {"language": "it", "platform": "telegram"},
        1,
        False,
    )


async def test_an_audience_that_is_not_understood_names_the_part(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        staff = await add_person(uow, "staff")
    with pytest.raises(rules.BadAudience) as refused:
        await _draft(storage, content, staff, "lang=it colour=blue")
    assert refused.value.part == "colour=blue"


async def test_texts_are_checked_and_scheduling_needs_the_default_language(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        staff = await add_person(uow, "staff")
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.NoDraft):
            await service.set_text(uow, staff, "hi", language=None, languages=LANGUAGES, content=content)
    draft_id = await _draft(storage, content, staff)
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.UnknownLanguage) as unknown:
            await service.set_text(uow, staff, "hi", language="xx", languages=LANGUAGES, content=content)
        assert unknown.value.code == "xx"
        with pytest.raises(rules.TextTooLong) as long:
            await service.set_text(
                uow, staff, "x" * (rules.MAX_TEXT + 1), language=None, languages=LANGUAGES, content=content
            )
        assert (long.value.length, long.value.limit) == (rules.MAX_TEXT + 1, rules.MAX_TEXT)
        view = await service.set_text(uow, staff, "  Ciao  ", language="it", languages=LANGUAGES, content=content)
        assert dict(view.texts) == {"it": "Ciao"}
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.TextMissing) as missing:
            await service.schedule(uow, draft_id, at=None, now=NOW, content=content)
        assert missing.value.language == "en"
    async with storage.unit_of_work() as uow:
        await service.set_text(uow, staff, "Hello", language=None, languages=LANGUAGES, content=content)
        at = NOW + timedelta(hours=3)
        scheduled = await service.schedule(uow, draft_id, at=at, now=NOW, content=content)
    assert (scheduled.status, scheduled.scheduled_at, dict(scheduled.texts)) == (
        BroadcastStatus.SCHEDULED,
        at,
        {"it": "Ciao", "en": "Hello"},
    )
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.NotADraft):
            await service.schedule(uow, draft_id, at=None, now=NOW, content=content)


async def test_only_a_broadcast_that_has_not_started_can_be_cancelled(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        staff = await add_person(uow, "staff")
    draft_id = await _draft(storage, content, staff)
    sending_id = await _draft(storage, content, staff)
    async with storage.unit_of_work() as uow:
        await uow.session.execute(
            update(Broadcast).where(Broadcast.id == sending_id).values(status=BroadcastStatus.SENDING)
        )
        await uow.commit()
    async with storage.unit_of_work() as uow:
        await service.cancel(uow, draft_id)
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.CannotCancel) as late:
            await service.cancel(uow, sending_id)
        with pytest.raises(rules.CannotCancel) as unknown:
            await service.cancel(uow, 999)
        cancelled = await uow.session.get_one(Broadcast, draft_id)
    assert cancelled.status == BroadcastStatus.CANCELLED
    assert (late.value.status, unknown.value.status) == (BroadcastStatus.SENDING, None)


async def test_a_report_counts_deliveries_by_status(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        row = Broadcast(
            audience={}, texts={"en": "hi"}, default_language="en", status=BroadcastStatus.SENDING, recipients=4
        )
        uow.session.add(row)
        await uow.session.flush()
        for status in (DeliveryStatus.SENT, DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.PENDING):
            uow.session.add(
                Delivery(user_id=alice, kind="broadcast", ref_id=row.id, text="hi", status=status, not_before=NOW)
            )
        broadcast_id = row.id
        await uow.commit()
    async with storage.unit_of_work() as uow:
        report = await service.report(uow, broadcast_id)
        with pytest.raises(rules.NoSuchBroadcast):
            await service.report(uow, 999)
    assert (report.status, report.total, report.delivered, report.waiting, report.ended) == (
        BroadcastStatus.SENDING,
        4,
        2,
        1,
        3,
    )
    assert report.count(DeliveryStatus.FAILED) == 1
