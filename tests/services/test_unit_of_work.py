"""The unit of work the use cases are typed against (bot/services/unit_of_work.py), as storage implements it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.services import users
from bot.services.unit_of_work import UnitOfWork, UnitsOfWork
from storage.models import User
from storage.uow import Storage
from tests.services.conftest import NOW


async def _people(units: UnitsOfWork) -> int:
    async with units.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(User)) or 0)


async def test_a_clean_exit_commits_and_an_error_rolls_back(storage: Storage) -> None:
    units: UnitsOfWork = storage
    async with units.unit_of_work() as uow:
        uow.session.add(User(display_name="Anna", locale="en", created_at=NOW))
    assert await _people(units) == 1
    with pytest.raises(LookupError):
        async with units.unit_of_work() as uow:
            uow.session.add(User(display_name="Ben", locale="en", created_at=NOW))
            await uow.session.flush()
            raise LookupError("the use case refused")
    assert await _people(units) == 1


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
    assert await _people(units) == 0
