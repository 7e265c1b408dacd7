"""Marking lectures as use cases: one count for every view, the completion moment, stale keys refused."""

from __future__ import annotations

import pytest

from bot.content import Content
from bot.domain.progress import UnknownLecture
from bot.services import progress as service
from storage import progress as store
from storage.uow import Storage
from tests.services.conftest import NOW, add_person


async def test_marking_reports_new_and_earlier_marks_in_course_order(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    async with storage.unit_of_work() as uow:
        await service.mark_watched(uow, alice, ["1.2"], now=NOW, content=content)
    async with storage.unit_of_work() as uow:
        marked = await service.mark_watched(uow, alice, ["1.3", "1.2", "1.1", "1.3"], now=NOW, content=content)
    assert (marked.newly, marked.already) == (("1.1", "1.3"), ("1.2",))
    assert sorted(marked.progress.done) == ["1.1", "1.2", "1.3"]
    assert marked.progress.parts[0].done == 3
    assert not marked.completed_now


async def test_one_unknown_key_marks_nothing(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    async with storage.unit_of_work() as uow:
        with pytest.raises(UnknownLecture) as refused:
            await service.mark_watched(uow, alice, ["1.1", "9.9"], now=NOW, content=content)
    assert refused.value.key == "9.9"
    async with storage.unit_of_work() as uow:
        assert await store.done_keys(uow.session, alice) == {}


async def test_the_last_lecture_completes_the_course_once(storage: Storage, content: Content) -> None:
    keys = [lecture.key for lecture in content.all_lectures()]
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    async with storage.unit_of_work() as uow:
        first = await service.mark_watched(uow, alice, keys[:-1], now=NOW, content=content)
        last = await service.mark_watched(uow, alice, keys[-1:], now=NOW, content=content)
        again = await service.mark_watched(uow, alice, keys[-1:], now=NOW, content=content)
    assert (first.completed_now, last.completed_now, again.completed_now) == (False, True, False)
    assert (last.progress.complete, last.progress.next_key, last.progress.share) == (True, None, 1.0)


async def test_undo_takes_a_mark_back_and_says_when_there_was_none(storage: Storage, content: Content) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await service.mark_watched(uow, alice, ["2.1"], now=NOW, content=content)
    async with storage.unit_of_work() as uow:
        removed = await service.unmark_watched(uow, alice, "2.1", content=content)
        nothing = await service.unmark_watched(uow, alice, "2.1", content=content)
        with pytest.raises(UnknownLecture):
            await service.unmark_watched(uow, alice, "0.0", content=content)
    assert (removed.removed, nothing.removed, removed.progress.done) == (True, False, frozenset())


async def test_marks_on_lectures_the_content_dropped_are_kept_but_not_counted(
    storage: Storage, content: Content
) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        await store.mark_done(uow.session, alice, "9.9", NOW)
        await store.mark_done(uow.session, alice, "1.1", NOW)
        await uow.commit()
    async with storage.unit_of_work() as uow:
        progress = await service.progress_of(uow, alice, content)
        kept = await store.done_keys(uow.session, alice)
    assert progress.done == frozenset({"1.1"})
    assert progress.next_key == "1.2"
    assert sorted(kept) == ["1.1", "9.9"]
