"""Only a use case commits: the unit of work's rules (bot/services/unit_of_work.py, storage/uow.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from bot.services import users
from bot.services.unit_of_work import UnitOfWork, UnitsOfWork, commits
from storage.models import User
from storage.uow import Storage, UncommittedWrites
from tests.services.conftest import NOW, add_person


class Refused(Exception):
    pass


@commits
async def rename(uow: UnitOfWork, user_id: int, name: str, *, refuse: bool = False) -> str:
    (await uow.session.get_one(User, user_id)).display_name = name
    await uow.session.flush()
    if refuse:
        raise Refused(name)
    return name


@commits
async def rename_twice(uow: UnitOfWork, user_id: int) -> None:
    await rename(uow, user_id, "first")
    await rename(uow, user_id, "second")
    raise Refused("after both")


async def _names(storage: Storage) -> list[str]:
    async with storage.unit_of_work() as uow:
        return list(await uow.session.scalars(select(User.display_name).order_by(User.id)))


async def test_a_write_no_use_case_committed_raises_and_is_not_kept(storage: Storage) -> None:
    with pytest.raises(UncommittedWrites) as caught:
        async with storage.unit_of_work() as uow:
            uow.session.add(User(display_name="ghost", created_at=NOW))
    assert caught.value.tables == {"users"}
    assert await _names(storage) == []


async def test_hand_written_sql_that_writes_counts_as_a_write(storage: Storage) -> None:
    with pytest.raises(UncommittedWrites) as caught:
        async with storage.unit_of_work() as uow:
            await uow.session.execute(text("INSERT INTO users (display_name, created_at) VALUES ('x', '2026-01-01')"))
    assert caught.value.tables == {"(sql)"}
    async with storage.unit_of_work() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM users")) == 0


async def test_a_use_case_commits_when_it_returns(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        assert await rename(uow, alice, "Alice") == "Alice"
    assert await _names(storage) == ["Alice"]


async def test_a_refusal_undoes_only_the_use_cases_own_writes(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    async with storage.unit_of_work() as uow:
        # The event's own note (as users.noted carries last seen), then a use case that refuses, caught by the
        # caller, which answers and ends the event: the note is kept, the refused write is not.
        (await uow.session.get_one(User, alice)).locale_hint = "it"
        await uow.carry()
        with pytest.raises(Refused):
            await rename(uow, alice, "Mallory", refuse=True)
        assert uow.uncommitted == set()
        assert uow.carried
        await uow.commit()
    async with storage.unit_of_work() as uow:
        user = await uow.session.get_one(User, alice)
        assert (user.display_name, user.locale_hint) == ("alice", "it")


async def test_a_use_case_run_by_another_is_part_of_it(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    async with storage.unit_of_work() as uow:
        with pytest.raises(Refused):
            await rename_twice(uow, alice)
    # The inner use cases did not commit on their own: the outer refusal undid both.
    assert await _names(storage) == ["alice"]


async def test_carried_notes_that_nothing_commits_are_dropped_not_reported(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    async with storage.unit_of_work() as uow:
        (await uow.session.get_one(User, alice)).locale_hint = "ko"
        await uow.carry()
    async with storage.unit_of_work() as uow:
        assert (await uow.session.get_one(User, alice)).locale_hint is None


async def test_what_a_read_loaded_stays_readable_after_the_block(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    async with storage.unit_of_work() as uow:
        user = await uow.session.get_one(User, alice)
        count = await uow.session.scalar(select(func.count()).select_from(User))
    assert (user.display_name, count) == ("alice", 1)


async def test_the_session_exists_only_inside_the_block(storage: Storage) -> None:
    uow: UnitOfWork = storage.unit_of_work()
    with pytest.raises(RuntimeError, match="outside `async with`"):
        _ = uow.session
    async with uow as inside:
        assert inside is uow
    with pytest.raises(RuntimeError, match="outside `async with`"):
        _ = uow.session


async def test_a_use_case_opens_its_own_unit_of_work_from_the_factory(storage: Storage) -> None:
    units: UnitsOfWork = storage
    assert units.is_sqlite is True
    assert await users.language_for(units, "telegram", "42", "de", "en") == "de"
    assert await _names(storage) == []
