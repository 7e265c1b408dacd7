"""The overview's figures agree with the rows they summarise, after marks, un-marks, account merges and deletions,
on SQLite and on PostgreSQL (the course funnel and lecture completion read tallies the database keeps with
triggers)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.services.privacy import delete_personal_data
from storage import progress, stats
from storage.console import PartTally
from storage.linking import merge_users
from storage.models import LectureProgress, User
from tests.conftest import make_settings
from tests.helpers import ChatDriver

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _nobody(_notice: object) -> None:
    return None


async def _ids(app: App, *names: str) -> list[int]:
    from tests.workshop_helpers import user_row

    return [(await user_row(app, name)).id for name in names]


async def truth(app: App) -> tuple[dict[tuple[int, int], int], stats.Funnel]:
    """The tallies recomputed from the marks themselves, and the funnel as the console reads it."""
    assert app.storage is not None
    parts = [(part.number, len(part.lectures)) for part in app.content.lectures.parts]
    async with app.storage.unit_of_work() as uow:
        expected: dict[tuple[int, int], int] = {}
        for user_id, key in await uow.session.execute(select(LectureProgress.user_id, LectureProgress.lecture_key)):
            expected[(user_id, 0)] = expected.get((user_id, 0), 0) + 1
            part = int(key.split(".")[0])
            expected[(user_id, part)] = expected.get((user_id, part), 0) + 1
        tallies = {
            (row.user_id, row.part): row.marks for row in await uow.session.scalars(select(PartTally)) if row.marks
        }
        assert tallies == expected
        per_lecture: dict[str, int] = {}
        for (key,) in await uow.session.execute(select(LectureProgress.lecture_key)):
            per_lecture[key] = per_lecture.get(key, 0) + 1
        counted = await stats.lecture_completion(uow.session)
        assert {key: n for key, n in counted.items() if n} == per_lecture
        return expected, await stats.funnel(uow.session, parts, len(app.content.all_lectures()))


async def scenario(app: App) -> None:
    for name in ("ana", "ben", "cy", "dee"):
        await ChatDriver(app, name).send("/start")
    ana, ben, cy, dee = await _ids(app, "ana", "ben", "cy", "dee")
    every = [lecture.key for lecture in app.content.all_lectures()]
    part_one = [lecture.key for lecture in app.content.lectures.parts[0].lecture_list()]
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        for key in every:
            await progress.mark_done(uow.session, ana, key, NOW)
        for key in part_one:
            await progress.mark_done(uow.session, ben, key, NOW)
            await progress.mark_done(uow.session, dee, key, NOW)
        await progress.mark_done(uow.session, cy, "2.1", NOW)
        await uow.commit()
    _tallies, funnel = await truth(app)
    assert (funnel.started, funnel.first_lecture, funnel.parts[0], funnel.parts[1], funnel.all_lectures) == (
        4,
        4,
        3,
        1,
        1,
    )
    async with app.storage.unit_of_work() as uow:
        await progress.unmark(uow.session, ben, part_one[-1])
        await uow.commit()
    _tallies, funnel = await truth(app)
    assert funnel.parts[0] == 2
    # Cy's account joins Ben's: Cy's mark moves over (an UPDATE of the row), a shared one is dropped.
    async with app.storage.unit_of_work() as uow:
        await progress.mark_done(uow.session, cy, part_one[0], NOW)
        await merge_users(uow.session, ben, cy, NOW)
        await uow.commit()
    _tallies, funnel = await truth(app)
    async with app.storage.unit_of_work() as uow:
        await delete_personal_data(uow, dee, now=NOW, notify=_nobody, offer_hours=48)
    _tallies, funnel = await truth(app)
    # Ana all; Ben part 1 but one, plus 2.1 from Cy; Cy and Dee deleted (merged away, or on request).
    assert (funnel.started, funnel.first_lecture, funnel.parts[0], funnel.all_lectures) == (2, 2, 1, 1)
    async with app.storage.unit_of_work() as uow:
        assert (await uow.session.get_one(User, dee)).deleted_at is not None


async def test_tallies_follow_every_change_on_sqlite(app: App) -> None:
    await scenario(app)


@pytest.mark.postgres
async def test_tallies_follow_every_change_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    app = await build_app(make_settings(tmp_path, database_url=postgres_url))
    try:
        await scenario(app)
    finally:
        await app.close()


async def backfill(url: str) -> None:
    from sqlalchemy import text

    from storage.migrate import upgrade
    from storage.uow import Storage

    storage = Storage(url)
    try:
        await upgrade(storage.engine, "0013_scale_fanout")
        async with storage.engine.begin() as conn:
            for user_id in (1, 2):
                await conn.execute(
                    text("INSERT INTO users (id, display_name, created_at) VALUES (:id, 'p', :at)"),
                    {"id": user_id, "at": NOW.replace(tzinfo=None)},
                )
            for user_id, key in ((1, "1.1"), (1, "1.2"), (1, "2.1"), (2, "1.1")):
                await conn.execute(
                    text("INSERT INTO lecture_progress (user_id, lecture_key, completed_at) VALUES (:u, :k, :at)"),
                    {"u": user_id, "k": key, "at": NOW.replace(tzinfo=None)},
                )
        await upgrade(storage.engine)
        async with storage.unit_of_work() as uow:
            tallies = {(r.user_id, r.part): r.marks for r in await uow.session.scalars(select(PartTally))}
            lectures = await stats.lecture_completion(uow.session)
        assert tallies == {(1, 0): 3, (1, 1): 2, (1, 2): 1, (2, 0): 1, (2, 1): 1}
        assert lectures == {"1.1": 2, "1.2": 1, "2.1": 1}
    finally:
        await storage.close()


async def test_the_upgrade_counts_the_marks_made_before_it(tmp_path: Path) -> None:
    await backfill(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")


@pytest.mark.postgres
async def test_the_upgrade_counts_the_marks_made_before_it_on_postgres(postgres_url: str) -> None:
    await backfill(postgres_url)
