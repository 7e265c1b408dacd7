"""content/workshops.yaml: validated with file:line, seeded once, staff edits kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.content import ContentError, load_content
from bot.settings import PROJECT_ROOT
from storage.models import Workshop
from tests.conftest import make_settings

CITIES = {
    "Athens": "Europe/Athens",
    "Baku": "Asia/Baku",
    "Brescia": "Europe/Rome",
    "Cairo": "Africa/Cairo",
    "Geneva": "Europe/Zurich",
    "Milan": "Europe/Rome",
    "New York": "America/New_York",
    "Seoul": "Asia/Seoul",
}


def test_a_bad_zone_is_reported_with_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    path = content / "workshops.yaml"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if "slug: cairo-2026" in line)
    lines[index] = lines[index].replace("Africa/Cairo", "Africa/Cairo_Town")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContentError) as caught:
        load_content(content)
    assert str(caught.value) == (
        f"{path}:{index + 1}: workshops.3.timezone: Value error, unknown IANA time zone 'Africa/Cairo_Town'"
    )


async def test_seeded_once_as_to_be_announced_and_staff_edits_survive(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    app = await build_app(settings)
    try:
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            rows = list(await uow.session.scalars(select(Workshop).order_by(Workshop.id)))
            assert {w.city: w.timezone for w in rows} == CITIES
            assert {(w.starts_at, w.venue, w.title) for w in rows} == {
                (None, "", "Young Urban Leadership: Perspectives in Dialogue")
            }
            assert {w.capacity for w in rows} == {40}
            milan = next(w for w in rows if w.city == "Milan")
            milan.capacity, milan.staff_edited = 25, True
            athens = next(w for w in rows if w.city == "Athens")
            athens.capacity = 99  # not marked as a staff edit: the file wins again
            await uow.commit()
    finally:
        await app.close()
    app = await build_app(settings)
    try:
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            rows = list(await uow.session.scalars(select(Workshop).order_by(Workshop.id)))
            assert len(rows) == 8
            assert {w.city: w.capacity for w in rows if w.city in ("Milan", "Athens")} == {"Milan": 25, "Athens": 40}
    finally:
        await app.close()
