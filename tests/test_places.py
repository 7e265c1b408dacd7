"""City names in the person's language (bot.places.names): CLDR's exemplar cities, else names from the content."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.content import ContentError, load_content
from bot.i18n import use_locale
from bot.settings import PROJECT_ROOT
from handlers import build_router, known_commands
from tests.helpers import ChatDriver
from tests.workshop_helpers import make_workshop

CONTENT = PROJECT_ROOT / "content"


@pytest.mark.parametrize(
    ("city", "lang", "expected"),
    [
        ("Milan", "it", "Milano"),
        ("Milan", "de", "Mailand"),
        ("Milan", "ar", "ميلانو"),
        ("Milan", "ko", "밀라노"),
        ("Geneva", "de", "Genf"),
        ("Geneva", "fr", "Genève"),
        ("Geneva", "zh", "日内瓦"),
        ("Athens", "it", "Atene"),
        ("Athens", "ko", "아테네"),
        ("Cairo", "de", "Kairo"),
        ("Cairo", "ar", "القاهرة"),
        ("Cairo", "fr", "Le Caire"),
        ("Seoul", "ko", "서울"),
        ("Seoul", "zh", "首尔"),
        ("New York", "ko", "뉴욕"),
        ("Seoul", "en", "Seoul"),
        # Cities staff type beyond the seeds: CLDR still knows those that name a time zone.
        ("Vienna", "de", "Wien"),
        ("Los Angeles", "zh", "洛杉矶"),
        ("  paris ", "it", "Parigi"),
        # Neither CLDR nor the content knows it: shown as stored.
        ("Atlantis", "it", "Atlantis"),
    ],
)
def test_city_name(city: str, lang: str, expected: str) -> None:
    content = load_content(CONTENT)
    assert content.city_name(city, lang) == expected


def test_the_current_language_is_the_default_and_lists_read_naturally() -> None:
    content = load_content(CONTENT)
    with use_locale("it"):
        assert content.city_name("Athens") == "Atene"
        assert content.city_list(["Athens", "Milan", "Cairo"]) == "Atene, Milano e Il Cairo"
    assert content.city_list(["Athens", "Geneva", "Seoul"], "ko") == "아테네, 제네바 및 서울"


def test_a_city_without_names_is_reported_by_the_full_check(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "workshops.yaml"
    text = path.read_text().replace(
        "    names: {it: Brescia, de: Brescia, fr: Brescia, ar: بريشيا, ko: 브레시아, zh: 布雷西亚}\n", ""
    )
    path.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "city: Brescia" in t)
    load_content(content)  # `ask`'s quick load does not look at city names
    with pytest.raises(ContentError) as caught:
        load_content(content, commands=known_commands(build_router()))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}: city 'Brescia' has no name in the other languages: CLDR does not know it, so give it "
        "`names: {it: …, de: …, fr: …, ar: …, ko: …, zh: …}` on its workshop in workshops.yaml"
    ]


def test_names_missing_a_language_are_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "workshops.yaml"
    text = path.read_text().replace("ko: 밀라노, zh: 米兰}", "zh: 米兰}")
    path.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "names: {it: Milano" in t)
    with pytest.raises(ContentError) as caught:
        load_content(content)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}: workshops.5.names: Value error, missing languages ['ko']"
    ]


async def test_workshop_pages_and_notices_name_the_city_in_each_language(
    chat: Callable[..., ChatDriver], app: App, clock: object
) -> None:
    now: datetime = clock.now  # type: ignore[attr-defined]
    wid = await make_workshop(app, now, city="Milan", venue="Politecnico")
    maria = chat("maria", locale_hint="it")
    await maria.send("/workshops")
    assert "Milano · aperto · 20 posti liberi su 20\nQuando: lunedì 20 aprile 2026" in maria.text
    assert "Milan ·" not in maria.text
    assert maria.button("Milano").action is not None
    await maria.press_action(maria.button("Milano").action)  # type: ignore[arg-type]
    assert maria.text.startswith("Milano — Young Urban Leadership")
    layla = chat("layla", locale_hint="ar")
    await layla.send("/workshops")
    assert "ميلانو" in layla.text and "Milan" not in layla.text
    minji = chat("minji", locale_hint="ko")
    await make_workshop(app, now, city="Seoul", zone="Asia/Seoul")
    await minji.send("/workshops")
    assert "밀라노" in minji.text and "서울" in minji.text
    assert wid > 0


async def test_reminders_from_the_clock_name_the_city_in_the_persons_language(app: App, clock: object) -> None:
    from datetime import UTC, timedelta

    from scheduler import jobs
    from storage.models import Account, Delivery, Registration, User, Workshop

    assert app.storage is not None
    starts = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)
    async with app.storage.unit_of_work() as uow:
        workshop = Workshop(
            city="Milan",
            title="T",
            venue="Politecnico",
            starts_at=starts,
            timezone="Europe/Rome",
            capacity=9,
            checkin_code="Y",
        )
        uow.session.add(workshop)
        await uow.session.flush()
        for name, lang in [("gianna", "it"), ("minji", "ko"), ("omar", "ar")]:
            user = User(display_name=name, locale=lang, timezone="Europe/Rome")
            uow.session.add(user)
            await uow.session.flush()
            uow.session.add(Account(user_id=user.id, platform="telegram", platform_user_id=name, chat_id=name))
            uow.session.add(
                Registration(
                    workshop_id=workshop.id, user_id=user.id, status="confirmed", registered_at=starts - timedelta(9)
                )
            )
        await uow.commit()
    assert await jobs.scan_workshops(app.storage, app.content, app.settings, starts - timedelta(days=7)) == 3
    from sqlalchemy import select

    async with app.storage.unit_of_work() as uow:
        texts = list(await uow.session.scalars(select(Delivery.text).order_by(Delivery.id)))
    assert len(texts) == 3
    assert "Politecnico, Milano" in texts[0]
    assert "Politecnico, 밀라노" in texts[1]
    assert "Politecnico، ميلانو" in texts[2]


async def test_staff_views_name_the_city_in_the_staff_members_language(
    chat: Callable[..., ChatDriver], app: App, clock: object
) -> None:
    now: datetime = clock.now  # type: ignore[attr-defined]
    wid = await make_workshop(app, now, city="Milan", venue="Politecnico")
    staffer = chat("staffer", locale_hint="de")
    await staffer.send("/ws_counts")
    assert "Mailand: 0 / 0 / 0" in staffer.text and "Milan:" not in staffer.text
    await staffer.send(f"/ws_cancel {wid}")
    assert "Mailand" in staffer.text and "Milan " not in staffer.text


async def test_discord_events_name_the_city_in_the_servers_language(app: App, clock: object) -> None:
    from bot.adapters.discord.events_sync import load_workshop

    now: datetime = clock.now  # type: ignore[attr-defined]
    wid = await make_workshop(app, now, city="Geneva", venue="Palais")
    assert app.storage is not None
    french = await load_workshop(app.storage, wid, app.content, "fr")
    assert french is not None and french.location == "Palais, Genève" and french.name.endswith(" · Genève")
    assert (await load_workshop(app.storage, wid, app.content, "en")).location == "Palais, Geneva"  # type: ignore[union-attr]


def test_faq_answers_spell_the_workshop_cities_as_the_ui_does() -> None:
    """ "Seul" in the Italian chat is "Seul" in the Italian FAQ; institutions keep their own names ("University of
    Geneva", "Seoul Smart Life Week")."""
    import re

    from bot.faq.text import normalize
    from bot.places.gazetteer import Gazetteer, workshop_cities

    content = load_content(CONTENT)
    places = Gazetteer(workshop_cities(content.workshops.workshops))
    institutions = re.compile(r"(?:University of|Politecnico di) [\w ]+?(?=[,;、，。 ]|$)|Seoul Smart Life Week")
    found = []
    for entry in content.faq.entries:
        for lang, answer in entry.answer.items():
            for name, place in places.named(normalize(institutions.sub(" ", answer))):
                shown = normalize(content.city_name(place.name, lang))
                # Arabic glues "and", "in" to a name: "وباكو" is "and Baku".
                if place.kind == "city" and shown not in (name, name[1:]):
                    found.append((entry.id, lang, name, shown))
    assert found == []


def test_the_workshop_cli_names_the_city_in_its_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI speaks the default language: its lines say Mailand where the database says Milan."""
    from bot.cli import main
    from bot.settings import get_settings

    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CONTENT_DIR", str(CONTENT))
    monkeypatch.setenv("DEFAULT_LANGUAGE", "de")
    monkeypatch.chdir(tmp_path)  # no developer .env
    get_settings.cache_clear()
    try:
        assert main(["workshop", "create", "--city", "Milan", "--zone", "Europe/Rome", "--capacity", "2"]) == 0
        assert capsys.readouterr().out.split("\t")[1] == "Mailand"
        assert main(["workshop", "counts"]) == 0
        assert "Mailand\t0\t0\t0" in capsys.readouterr().out.splitlines()
    finally:
        get_settings.cache_clear()
