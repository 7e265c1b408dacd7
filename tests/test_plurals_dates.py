"""Counts through ngettext in every language, dates in each language's own format with the zone named, the venue in
the notices and a calendar file with its address, link and how to cancel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.app import App
from bot.cli import main
from bot.content import load_content
from bot.domain.workshops import Seats
from bot.i18n import format_moment, use_locale
from bot.services.seats import Notice
from bot.settings import PROJECT_ROOT, get_settings
from handlers.workshop_views import calendar_file, notice_reply, seats_text
from storage.models import Registration, Workshop
from tests.helpers import ChatDriver

MOMENT = datetime(2026, 12, 2, 7, 46, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "open · 1 of 30 seats left", "open · 2 of 30 seats left"),
        ("it", "aperto · 1 posto libero su 30", "aperto · 2 posti liberi su 30"),
        ("fr", "ouvert · 1 place restante sur 30", "ouvert · 2 places restantes sur 30"),
        ("de", "offen · 1 von 30 Plätzen frei", "offen · 2 von 30 Plätzen frei"),
        ("ko", "신청 가능 · 30석 중 1석 남음", "신청 가능 · 30석 중 2석 남음"),
    ],
)
def test_seats_left_agree_with_their_count(lang: str, one: str, two: str) -> None:
    with use_locale(lang):
        assert seats_text("open", Seats(capacity=30, confirmed=29)) == one
        assert seats_text("open", Seats(capacity=30, confirmed=28)) == two


def test_arabic_uses_its_six_plural_forms_for_the_waiting_list() -> None:
    with use_locale("ar"):
        texts = {n: seats_text("full", Seats(capacity=1, confirmed=1, waiting=n)) for n in (1, 2, 5, 11, 100)}
    assert texts[1].endswith("شخص واحد على قائمة الانتظار (1)")
    assert texts[2].endswith("شخصان على قائمة الانتظار (2)")
    assert texts[5].endswith("5 أشخاص على قائمة الانتظار")
    assert texts[11].endswith("11 شخصًا على قائمة الانتظار")
    assert texts[100].endswith("100 شخص على قائمة الانتظار")


@pytest.mark.parametrize(
    ("lang", "zone", "expected"),
    [
        ("en", "Europe/Rome", "Dec 2, 2026, 8:46\u202fAM (Europe/Rome)"),
        ("it", "Europe/Rome", "2 dic 2026, 08:46 (Europe/Rome)"),
        ("de", "Europe/Berlin", "02.12.2026, 08:46 (Europe/Berlin)"),
        ("ko", "Asia/Seoul", "2026. 12. 2. 오후 4:46 (Asia/Seoul)"),
        ("zh", "Asia/Shanghai", "2026年12月2日 15:46 (Asia/Shanghai)"),
    ],
)
def test_a_moment_is_written_the_languages_way_with_its_zone(lang: str, zone: str, expected: str) -> None:
    with use_locale(lang):
        assert format_moment(MOMENT, zone) == expected


def _workshop(venue: str = "Politecnico") -> Workshop:
    return Workshop(
        id=7,
        city="Milan",
        title="Young Urban Leadership",
        venue=venue,
        starts_at=datetime(2026, 5, 14, 13, 0, tzinfo=UTC),
        timezone="Europe/Rome",
        duration_minutes=180,
        capacity=30,
        checkin_code="X",
    )


def test_the_calendar_file_has_the_address_the_link_and_how_to_cancel() -> None:
    content = load_content(PROJECT_ROOT / "content")
    with use_locale("it"):
        ics = calendar_file(_workshop(), MOMENT, content)
    event = next(c for c in Calendar.from_ical(ics.data).walk() if c.name == "VEVENT")
    assert str(event["LOCATION"]) == "Politecnico, Milano"
    assert str(event["URL"]) == "https://www.cityresiliencetraining.com/"
    assert str(event["DESCRIPTION"]).splitlines() == [
        "WeGO Sustainable Smart City Champions: Young Urban Leadership, Milano.",
        "Per annullare, invia /mysignups all'assistente e scegli Annulla: il tuo posto andrà a chi è in attesa.",
        "Programma: https://www.cityresiliencetraining.com/",
        "Domande: Segretariato di WeGO, secretariat@we-gov.org",
    ]
    assert event.decoded("DTSTART") == datetime(2026, 5, 14, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", ["date_confirmed", "date_waitlisted", "rescheduled", "offered"])
def test_date_and_seat_notices_name_the_venue(kind: str) -> None:
    workshop = _workshop()
    registration = Registration(id=3, workshop_id=7, user_id=1, status="confirmed", offer_expires_at=MOMENT)
    notice = Notice(kind=kind, user_id=1, workshop=workshop, registration=registration, position=2)  # type: ignore[arg-type]
    with use_locale("en"):
        assert "Where: Politecnico, Milan" in notice_reply(notice, "Europe/Rome", "Europe/Rome", {}).text.splitlines()
    with use_locale("fr"):
        assert (
            "Lieu\u00a0: à confirmer"
            in notice_reply(
                Notice(kind=kind, user_id=1, workshop=_workshop(""), registration=registration, position=2),  # type: ignore[arg-type]
                "Europe/Rome",
                None,
                {},
            ).text.splitlines()
        )


async def test_staff_export_of_one_workshop_says_one_workshop(chat: Callable[..., ChatDriver]) -> None:
    staffer = chat("staffer")
    await staffer.send("/ws_export 1")
    assert staffer.last[0].text == "Registrants (1 workshop)."


async def test_a_broadcast_text_of_one_character_over_is_counted_in_the_plural(
    app: App, chat: Callable[..., ChatDriver]
) -> None:
    from bot.domain.broadcasts import MAX_TEXT

    staffer = chat("staffer", locale_hint="it")
    await staffer.send("/broadcast new everyone")
    await staffer.send("/broadcast text " + "x" * (MAX_TEXT + 1))
    assert staffer.text.startswith(f"Questo testo ha {MAX_TEXT + 1} caratteri;")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CONTENT_DIR", str(PROJECT_ROOT / "content"))
    monkeypatch.setenv("DEFAULT_LANGUAGE", "it")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Rome")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_cli_writes_dates_and_counts_in_the_default_language(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["workshop", "create", "--city", "Milan", "--zone", "Europe/Rome", "--capacity", "1",
                 "--start", "2027-03-28 10:00", "--venue", "Palazzo Reale"]) == 0  # fmt: skip
    line = capsys.readouterr().out.splitlines()[0]
    assert line.split("\t")[1:4] == ["Milano", "28 mar 2027, 10:00 (Europe/Rome)", "aperto"]
    assert main(["broadcast", "new", "--to", "lang=ko", "--text", "ciao", "--at", "2027-01-05 10:00", "--yes"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "Destinatari: lang=ko → esattamente 0 destinatari; lingue: it.",
        "Quando: 5 gen 2027, 10:00 (Europe/Rome)",
    ]
    assert main(["broadcast", "list"]) == 0
    listing = capsys.readouterr().out.strip()
    assert listing == "#1  programmato  5 gen 2027, 10:00 (Europe/Rome)  language=ko"


async def test_the_link_code_deadline_is_written_in_the_persons_language_and_zone(
    chat: Callable[..., ChatDriver],
) -> None:
    minji = chat("minji", locale_hint="ko")
    await minji.send("/link")
    # The default clock is 09:00 UTC; the code lasts 10 minutes; a Korean speaker's zone is Seoul's.
    assert "2026. 3. 2. 오후 6:10 (Asia/Seoul)" in minji.text
