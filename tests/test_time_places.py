"""Places and times in every language: /timezone by a local city name, /remind with local day words, and the one
zone rule (chosen, else the workshop's, else the language's) that the chat and the clock share."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.domain.timing import parse_weekly
from scheduler import jobs
from storage.models import Account, Delivery, Registration, StudyReminder, User, Workshop
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver, user_id_of

EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]


async def stored_zone(app: App, name: str) -> str | None:
    assert app.storage is not None
    uid = await user_id_of(app, name)
    async with app.storage.unit_of_work() as uow:
        return (await uow.session.get_one(User, uid)).timezone


@pytest.mark.parametrize(
    ("typed", "lang", "zone"),
    [
        ("서울", "ko", "Asia/Seoul"),
        ("القاهرة", "ar", "Africa/Cairo"),
        ("上海", "zh", "Asia/Shanghai"),
        ("Zürich", "de", "Europe/Zurich"),
        ("zurigo", "it", "Europe/Zurich"),
        ("ROMA", "it", "Europe/Rome"),
        ("Le Caire", "fr", "Africa/Cairo"),
        ("Italia", "it", "Europe/Rome"),
        ("Schweiz", "de", "Europe/Zurich"),
        ("카이로", "ko", "Africa/Cairo"),
        ("europe/rome", "en", "Europe/Rome"),
        ("milano", "it", "Europe/Rome"),
        ("Mailand", "de", "Europe/Rome"),
        ("Genf", "de", "Europe/Zurich"),
        ("Ginevra", "it", "Europe/Zurich"),
        ("Genève", "fr", "Europe/Zurich"),
        ("米兰", "zh", "Europe/Rome"),
        ("Hamburg", "de", "Europe/Berlin"),
    ],
)
async def test_timezone_finds_a_place_by_its_name_in_each_language(
    app: App, chat: Callable[..., ChatDriver], typed: str, lang: str, zone: str
) -> None:
    person = chat("p", locale_hint=lang)
    await person.send(f"/timezone {typed}")
    assert await stored_zone(app, "p") == zone
    assert zone in person.text


async def test_a_country_with_several_zones_or_the_start_of_a_name_is_offered_not_set(
    app: App, chat: Callable[..., ChatDriver]
) -> None:
    person = chat("p", locale_hint="zh")
    await person.send("/timezone 中国")
    assert [b.label for row in person.last[0].buttons for b in row] == [
        "上海 · Asia/Shanghai",
        "乌鲁木齐 · Asia/Urumqi",
    ]
    assert await stored_zone(app, "p") is None
    # "北京" is the start of the region 北京市; China has two zones, so both are offered and one press sets it.
    other = chat("q", locale_hint="zh")
    await other.send("/timezone 北京")
    assert await stored_zone(app, "q") is None
    await other.press("上海 · Asia/Shanghai")
    assert await stored_zone(app, "q") == "Asia/Shanghai"


def test_iana_names_in_any_case_and_unknown_ones() -> None:
    from handlers.reminders import find_zones

    assert find_zones("europe/rome") == (["Europe/Rome"], True)
    assert find_zones("UTC") == (["UTC"], True)
    assert find_zones("utc") == (["UTC"], True)
    assert find_zones("new york") == (["America/New_York"], True)
    assert find_zones("atlantis/nowhere") == ([], False)
    assert find_zones("qqqqqq") == ([], False)


@pytest.mark.parametrize(
    ("text", "lang", "days", "at"),
    [
        ("ogni giorno 8:30", "it", EVERY_DAY, time(8, 30)),
        ("tutti i giorni 8:30", "it", EVERY_DAY, time(8, 30)),
        ("täglich 8:30", "de", EVERY_DAY, time(8, 30)),
        ("jeden Tag 8:30", "de", EVERY_DAY, time(8, 30)),
        ("chaque jour 8h30", "fr", EVERY_DAY, time(8, 30)),
        ("tous les jours 8:30", "fr", EVERY_DAY, time(8, 30)),
        ("كل يوم 8:30", "ar", EVERY_DAY, time(8, 30)),
        ("매일 8:30", "ko", EVERY_DAY, time(8, 30)),
        ("每天 8:30", "zh", EVERY_DAY, time(8, 30)),
        ("每天8:30", "zh", EVERY_DAY, time(8, 30)),
        ("daily 8:30", "en", EVERY_DAY, time(8, 30)),
        ("weekdays 18:00", "en", [1, 2, 3, 4, 5], time(18, 0)),
        ("평일 18:00", "ko", [1, 2, 3, 4, 5], time(18, 0)),
        ("lun, gio 19:00", "it", [1, 4], time(19, 0)),
        ("lunedi giovedì 19:00", "it", [1, 4], time(19, 0)),
        ("Mo., Do. 19:00", "de", [1, 4], time(19, 0)),
        ("Montag 19:00", "de", [1], time(19, 0)),
        ("mardi, vendredi 19:00", "fr", [2, 5], time(19, 0)),
        ("الاثنين الخميس 19:00", "ar", [1, 4], time(19, 0)),
        ("خميس 19:00", "ar", [4], time(19, 0)),
        ("월,목 19:00", "ko", [1, 4], time(19, 0)),
        ("월요일 19:00", "ko", [1], time(19, 0)),
        ("周一，周四 19:00", "zh", [1, 4], time(19, 0)),
        ("星期三 19:00", "zh", [3], time(19, 0)),
        ("mon,thu 19:00", "ko", [1, 4], time(19, 0)),
        ("every monday and thursday 19:00", "en", [1, 4], time(19, 0)),
        ("ogni lunedì e giovedì 19:00", "it", [1, 4], time(19, 0)),
        ("jeden Montag und Donnerstag 19:00", "de", [1, 4], time(19, 0)),
        ("chaque lundi et jeudi 19:00", "fr", [1, 4], time(19, 0)),
        ("كل الاثنين والخميس 19:00", "ar", [1, 4], time(19, 0)),
        ("매주 월요일 19:00", "ko", [1], time(19, 0)),
        ("每周一 19:00", "zh", [1], time(19, 0)),
    ],
)
def test_remind_reads_every_day_and_day_names_in_each_language(text: str, lang: str, days: list[int], at: time) -> None:
    assert parse_weekly(text, lang) == (days, at)


@pytest.mark.parametrize("text", ["every 8:30", "ogni 8:30", "and 8:30", "blah 8:30", "매일", "mon 25:00"])
def test_unreadable_reminders_stay_unreadable(text: str) -> None:
    assert parse_weekly(text, "en") is None


WEEKDAYS = [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("text", "lang", "days", "at"),
    [
        # Italian
        ("lunedì e giovedì alle 19", "it", [1, 4], time(19, 0)),
        # Digits of the person's script
        ("الاثنين ٨:٣٠", "ar", [1], time(8, 30)),
        ("mon ١٩:٠٠", "ar", [1], time(19, 0)),
        ("周一 １９:００", "zh", [1], time(19, 0)),
        ("il lunedì alle ore 19", "it", [1], time(19, 0)),
        ("ogni giorno alle 8 e mezza", "it", EVERY_DAY, time(8, 30)),
        ("lunedì alle 7 di sera", "it", [1], time(19, 0)),
        ("lun–ven alle 9", "it", WEEKDAYS, time(9, 0)),
        # German
        ("montags und donnerstags um 19 Uhr", "de", [1, 4], time(19, 0)),
        ("täglich um 8:30", "de", EVERY_DAY, time(8, 30)),
        ("jeden Montag um 19.30 Uhr", "de", [1], time(19, 30)),
        ("montags um 19 Uhr 30", "de", [1], time(19, 30)),
        ("montags abends um 7", "de", [1], time(19, 0)),
        ("Sa-So 10 Uhr", "de", [6, 7], time(10, 0)),
        # French
        ("lundi et jeudi à 19h", "fr", [1, 4], time(19, 0)),
        ("tous les jours à 8h30", "fr", EVERY_DAY, time(8, 30)),
        ("les lundis à 19 h 30", "fr", [1], time(19, 30)),
        ("lundis 8h et demie", "fr", [1], time(8, 30)),
        ("mardi à 3h de l'après-midi", "fr", [2], time(15, 0)),
        # English
        ("mondays and thursdays at 7pm", "en", [1, 4], time(19, 0)),
        ("every day at 8", "en", EVERY_DAY, time(8, 0)),
        ("mon 7:30pm", "en", [1], time(19, 30)),
        ("mon 7.30 p.m.", "en", [1], time(19, 30)),
        ("mon 8 a.m.", "en", [1], time(8, 0)),
        ("mon 12am", "en", [1], time(0, 0)),
        ("mon 12pm", "en", [1], time(12, 0)),
        ("mon @ 19:00", "en", [1], time(19, 0)),
        ("sat 19", "en", [6], time(19, 0)),
        ("every day at noon", "en", EVERY_DAY, time(12, 0)),
        ("mon at 11 at night", "en", [1], time(23, 0)),
        ("weekdays at 6pm", "en", WEEKDAYS, time(18, 0)),
        ("mon-fri 9:00", "en", WEEKDAYS, time(9, 0)),
        ("fri-mon 9:00", "en", [1, 5, 6, 7], time(9, 0)),
        # Chinese
        ("每周一和周四 19:00", "zh", [1, 4], time(19, 0)),
        ("每周一与周四晚上7点", "zh", [1, 4], time(19, 0)),
        ("每天晚上7点", "zh", EVERY_DAY, time(19, 0)),
        ("每天下午7点半", "zh", EVERY_DAY, time(19, 30)),
        ("每天早上8点", "zh", EVERY_DAY, time(8, 0)),
        ("周一上午8点30分", "zh", [1], time(8, 30)),
        ("周一7点5分", "zh", [1], time(7, 5)),
        ("周一晚上6点", "zh", [1], time(18, 0)),
        ("周一至周五 9:00", "zh", WEEKDAYS, time(9, 0)),
        # Korean
        ("월요일, 목요일 오후 7시", "ko", [1, 4], time(19, 0)),
        ("매일 아침 8시 30분", "ko", EVERY_DAY, time(8, 30)),
        ("매주 월요일과 목요일 오후 7시에", "ko", [1, 4], time(19, 0)),
        ("월요일하고 목요일 7시 반", "ko", [1, 4], time(7, 30)),
        ("매일 밤 11시", "ko", EVERY_DAY, time(23, 0)),
        ("월~금 오전 9시", "ko", WEEKDAYS, time(9, 0)),
        # Arabic
        ("كل يوم الساعة 8:30", "ar", EVERY_DAY, time(8, 30)),
        ("كل يوم الساعة 8:30 مساءً", "ar", EVERY_DAY, time(20, 30)),
        ("الاثنين 8:30 م", "ar", [1], time(20, 30)),
        ("الاثنين والخميس 8 ص", "ar", [1, 4], time(8, 0)),
        ("الاثنين في الساعة 7 مساء", "ar", [1], time(19, 0)),
    ],
)
def test_remind_reads_times_and_days_as_people_write_them(text: str, lang: str, days: list[int], at: time) -> None:
    assert parse_weekly(text, lang) == (days, at)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("mon 24", "en"),
        ("mon 19:60", "en"),
        ("mon 13pm", "en"),
        ("mon 0am", "en"),
        ("mon 19:00 pm", "en"),
        ("lunedì alle 19 di sera", "it"),
        ("周一晚上7点pm", "zh"),
        ("mon 7:5", "en"),
        ("周一7点5", "zh"),
        ("mon 8:30 e mezza", "it"),
        ("mon ²³:00", "en"),
        ("mon ①⑨:00", "en"),
        ("mon 12/03 19:00", "en"),
        ("2026-03-02 19:00", "en"),
        ("mon 3.4. 19:00", "en"),
        ("mon blah 19", "en"),
        ("mon at", "en"),
        ("at 19", "en"),
        ("alle 19", "it"),
        ("mon pm", "en"),
        ("every day at midnight", "en"),
        ("كل يوم الاثنين 19:00", "ar"),
        ("mon- 9", "en"),
        ("daily-mon 9", "en"),
        ("1-5 9:00", "en"),
        ("mon, " * 50 + "19:00", "en"),  # no weekly time is that long; the matching's cost stays small
    ],
)
def test_remind_refuses_what_it_cannot_read_for_sure(text: str, lang: str) -> None:
    assert parse_weekly(text, lang) is None


REMIND_EXAMPLES = (
    "Add another: /remind mon,thu 19:00",
    "I could not read “{text}”. Write days and a time, for example: /remind mon,thu 19:00",
    "Weekly study reminders: /remind mon,thu 19:00 — or list, pause N, resume N, remove N.",
    "You have no study reminders. Set one like this: /remind mon,thu 19:00",
)


@pytest.mark.parametrize("lang", ["it", "de", "fr", "ar", "ko", "zh"])
def test_remind_examples_the_bot_shows_are_in_the_language_and_read_in_it(lang: str) -> None:
    from babel.messages.pofile import read_po

    from bot.i18n import LOCALES_DIR

    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    for msgid in REMIND_EXAMPLES:
        translated = catalog[msgid].string
        assert isinstance(translated, str)
        example = re.split(r"\s[—–]|，", translated.split("/remind ", 1)[1])[0].strip()
        assert example != "mon,thu 19:00", (lang, msgid)
        assert parse_weekly(example, lang) is not None, (lang, example)


async def test_remind_from_a_german_participant_in_their_own_words(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    clock.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
    jonas = chat("jonas", locale_hint="de")
    await jonas.send("/remind montags und donnerstags um 19 Uhr")
    assert jonas.text.startswith("Fertig: Mo. und Do. um 19:00 (Europe/Berlin).")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.scalar(select(StudyReminder))
    assert row is not None and (row.weekdays, row.at_local) == ("1,4", "19:00")
    assert row.next_due_at is not None
    assert row.next_due_at.astimezone(UTC) == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 19:00 that Monday, Berlin


async def test_first_reminder_of_a_korean_speaker_uses_seoul_and_says_so_once(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    clock.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 18:00 in Seoul
    minji = chat("minji", locale_hint="ko")
    await minji.send("/remind 매일 8:30")
    assert "Asia/Seoul" in minji.text and "/timezone" in minji.text
    assert await stored_zone(app, "minji") == "Asia/Seoul"
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.scalar(select(StudyReminder))
    assert row is not None and row.next_due_at is not None
    assert row.next_due_at.astimezone(UTC) == datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 8:30 on 3 March, Seoul
    await minji.send("/remind 평일 19:00")
    assert "/timezone" not in minji.text


async def test_an_arabic_speaker_without_a_zone_is_asked_and_nothing_is_guessed(
    app: App, chat: Callable[..., ChatDriver]
) -> None:
    amal = chat("amal", locale_hint="ar")
    await amal.send("/remind كل يوم 8:30")
    assert await stored_zone(app, "amal") is None
    labels = [b.label for row in amal.last[0].buttons for b in row]
    assert labels == [
        "القاهرة · Africa/Cairo",
        "الرياض · Asia/Riyadh",
        "دبي · Asia/Dubai",
        "الدار البيضاء · Africa/Casablanca",
    ]
    await amal.press("الرياض · Asia/Riyadh")
    assert await stored_zone(app, "amal") == "Asia/Riyadh"


async def test_a_workshop_registration_gives_its_zone_before_the_language(
    app: App, chat: Callable[..., ChatDriver]
) -> None:
    assert app.storage is not None
    tom = chat("tom", locale_hint="en")
    await tom.send("/start")
    uid = await user_id_of(app, "tom")
    async with app.storage.unit_of_work() as uow:
        ws = Workshop(city="Milan", title="W", timezone="Europe/Rome", capacity=5, checkin_code="c")
        uow.session.add(ws)
        await uow.session.flush()
        uow.session.add(Registration(workshop_id=ws.id, user_id=uid, status="preregistered"))
        await uow.commit()
    await tom.send("/remind daily 8:30")
    assert "I used Europe/Rome for your reminders; change it with /timezone." in tom.text
    assert await stored_zone(app, "tom") == "Europe/Rome"


async def test_a_korean_participants_broadcast_is_not_held_by_a_utc_night(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    """05:00 UTC is 14:00 in Seoul: a Korean speaker who never set a zone gets it now; a UTC person waits."""
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        for name, locale in (("minji", "ko"), ("nobody", None)):
            user = User(display_name=name, locale=locale)
            uow.session.add(user)
            await uow.session.flush()
            uow.session.add(Account(user_id=user.id, platform="telegram", platform_user_id=name, chat_id=name))
        await uow.commit()
    clock.now = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    staffer = chat("staffer")
    await staffer.send("/broadcast new platform=telegram")
    await staffer.send("/broadcast text Hello")
    await staffer.press("Send now to 2")
    await jobs.fan_out_due(app.storage, app.content, app.settings, clock.now)
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Account.platform_user_id, Delivery.not_before).join(Account, Account.id == Delivery.account_id)
        )
        held = {name: not_before.replace(tzinfo=UTC) for name, not_before in rows}
    assert held == {
        "minji": clock.now,
        "nobody": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
    }
    assert held["minji"].astimezone(ZoneInfo("Asia/Seoul")).hour == 14


async def test_reminder_days_are_listed_as_each_language_lists_them(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    clock.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    amal = chat("amal", locale_hint="ar")
    await amal.send("/timezone Africa/Cairo")
    await amal.send("/remind كل يوم 8:30")
    assert amal.text.startswith("تم: كل يوم الساعة 08:30 (Africa/Cairo).")
    await amal.send("/remind الاثنين والخميس 19:00")
    assert amal.text.startswith("تم: الاثنين والخميس الساعة 19:00 (Africa/Cairo).")
    li = chat("li", locale_hint="zh")
    await li.send("/timezone Asia/Shanghai")
    await li.send("/remind 周一,周三,周五 19:00")
    assert li.text.startswith("设置好了：周一、周三和周五 19:00（Asia/Shanghai）。")
    await li.send("/remind list")
    assert "#3 周一、周三和周五 19:00" in li.text
    tom = chat("tom")
    await tom.send("/timezone Europe/London")
    await tom.send("/remind mon,wed,fri,sun,tue,thu,sat 7:00")
    assert tom.text.startswith("Done: every day at 07:00 (Europe/London).")
