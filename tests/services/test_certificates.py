"""Certificate records as use cases: records issued once when earned, the age rule's verdicts, renaming, revoking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.certificates.rules import InvalidName
from bot.content import Content
from bot.domain.certificates import NoSuchRecord, NotACode, RecordKind, WorkshopVerdict
from bot.services import certificates as service
from bot.services.progress import mark_watched
from storage.models import Registration, User, Workshop
from storage.uow import Storage
from tests.services.conftest import NOW, add_person

SECRET = b"test-secret-key-of-at-least-32-bytes"


async def _attend(storage: Storage, user_id: int, *, starts: datetime, birth_year: int | None) -> int:
    async with storage.unit_of_work() as uow:
        workshop = Workshop(
            city="Milan", title="WeGO Day", timezone="Europe/Rome", capacity=10, checkin_code="ABC", starts_at=starts
        )
        uow.session.add(workshop)
        await uow.session.flush()
        uow.session.add(Registration(workshop_id=workshop.id, user_id=user_id, status="confirmed", attended_at=starts))
        (await uow.session.get_one(User, user_id)).birth_year = birth_year
        result = workshop.id
        await uow.commit()
        return result


async def test_the_course_record_is_issued_once_every_lecture_is_marked_and_a_name_set(
    storage: Storage, content: Content
) -> None:
    keys = [lecture.key for lecture in content.all_lectures()]
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await mark_watched(uow, alice, keys, now=NOW, content=content)
    async with storage.unit_of_work() as uow:
        nameless = await service.course_standing(uow, alice, content=content, now=NOW, secret=SECRET)
    assert (nameless.missing, nameless.record) == ((), None)
    async with storage.unit_of_work() as uow:
        await service.set_record_name(uow, alice, "  Alice Rossi ", now=NOW, secret=SECRET)
    async with storage.unit_of_work() as uow:
        first = await service.course_standing(uow, alice, content=content, now=NOW, secret=SECRET)
        again = await service.course_standing(uow, alice, content=content, now=NOW, secret=SECRET)
    assert first.record is not None and again.record is not None
    assert (first.record.kind, first.record.name, first.record.issued_at) == (RecordKind.COURSE, "Alice Rossi", NOW)
    assert again.record.code == first.record.code


async def test_an_earlier_course_record_stays_after_a_lecture_is_unmarked(storage: Storage, content: Content) -> None:
    from bot.services.progress import unmark_watched

    keys = [lecture.key for lecture in content.all_lectures()]
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await service.set_record_name(uow, alice, "Alice", now=NOW, secret=SECRET)
        await mark_watched(uow, alice, keys, now=NOW, content=content)
        issued = await service.course_standing(uow, alice, content=content, now=NOW, secret=SECRET)
        await unmark_watched(uow, alice, keys[0], content=content)
        later = await service.course_standing(uow, alice, content=content, now=NOW, secret=SECRET)
    assert later.missing == (keys[0],)
    assert later.record is None
    assert later.earlier is not None and issued.record is not None
    assert later.earlier.code == issued.record.code


@pytest.mark.parametrize(
    ("birth_year", "verdict", "age"),
    [
        (1993, WorkshopVerdict.QUALIFIES, 34),
        (1992, WorkshopVerdict.UNCLEAR, 35),
        (1991, WorkshopVerdict.TOO_OLD, 36),
        (None, WorkshopVerdict.BIRTH_YEAR_MISSING, None),
    ],
)
async def test_a_workshop_record_follows_the_age_rule(
    storage: Storage, birth_year: int | None, verdict: WorkshopVerdict, age: int | None
) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await service.set_record_name(uow, alice, "Alice", now=NOW, secret=SECRET)
    # 31 December 23:30 UTC is already 2027 in Rome: the workshop's own year counts.
    workshop_id = await _attend(
        storage, alice, starts=datetime(2026, 12, 31, 23, 30, tzinfo=UTC), birth_year=birth_year
    )
    async with storage.unit_of_work() as uow:
        (standing,) = await service.workshop_standings(uow, alice, age_limit=35, now=NOW, secret=SECRET)
    assert (standing.workshop_id, standing.eligibility.year, standing.eligibility.verdict) == (
        workshop_id,
        2027,
        verdict,
    )
    assert standing.eligibility.age == age
    assert (standing.record is not None) == (verdict is WorkshopVerdict.QUALIFIES)


async def test_renaming_issues_successors_and_a_bad_name_changes_nothing(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await service.set_record_name(uow, alice, "Alice", now=NOW, secret=SECRET)
        await mark_watched(uow, alice, [lecture.key for lecture in content.all_lectures()], now=NOW, content=content)
        await service.course_standing(uow, alice, content=content, now=NOW, secret=SECRET)
    async with storage.unit_of_work() as uow:
        renamed = await service.set_record_name(uow, alice, "Alice Rossi", now=NOW, secret=SECRET)
    assert renamed.name == "Alice Rossi"
    assert [(record.kind, record.name) for record in renamed.successors] == [(RecordKind.COURSE, "Alice Rossi")]
    async with storage.unit_of_work() as uow:
        with pytest.raises(InvalidName):
            await service.set_record_name(uow, alice, "   ", now=NOW, secret=SECRET)
    async with storage.unit_of_work() as uow:
        assert await service.record_name(uow, alice) == "Alice Rossi"


async def test_revoking_needs_a_code_of_a_record(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await service.set_record_name(uow, alice, "Alice", now=NOW, secret=SECRET)
        await mark_watched(uow, alice, [lecture.key for lecture in content.all_lectures()], now=NOW, content=content)
        standing = await service.course_standing(uow, alice, content=content, now=NOW, secret=SECRET)
    assert standing.record is not None
    async with storage.unit_of_work() as uow:
        with pytest.raises(NotACode):
            await service.revoke_record(uow, "hello", now=NOW)
        with pytest.raises(NoSuchRecord):
            await service.revoke_record(uow, "A" * 16, now=NOW)
        revoked = await service.revoke_record(uow, standing.record.code, now=NOW)
    assert (revoked.code, revoked.revoked_at) == (standing.record.code, NOW)
    async with storage.unit_of_work() as uow:
        shown = await service.verify_record(uow, standing.record.code, secret=SECRET)
    assert (shown.status, shown.name) == ("revoked", "Alice")
