"""Issue 14, bugs 3, 4, 5 and 8: zones, ids, digits and dates typed by people and staff on every door.

Each test names what used to end in a traceback (or a stored year-9999 workshop) and asserts the exact answer and
that nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.cli import main
from bot.core.actions import act
from bot.core.text import MAX_ID, parse_id
from bot.domain.zone_names import UnknownZone, check_zone
from bot.settings import PROJECT_ROOT, get_settings
from storage.models import Broadcast, Question, StudyReminder, Workshop
from tests.conftest import make_settings
from tests.helpers import ChatDriver

HUGE = "9" * 20
STALE = "That button is no longer valid. Here is the menu again."


async def count(app: App, model: type) -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def workshop_zones(app: App) -> dict[int, str]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return {w.id: w.timezone for w in await uow.session.scalars(select(Workshop))}


# ---------------------------------------------------------------------------------------------- the one id parser


def test_parse_id_takes_plain_ascii_digits_in_the_database_range_only() -> None:
    assert [parse_id(t) for t in ("1", "42", " #7 ", str(MAX_ID))] == [1, 42, 7, MAX_ID]
    refused = ["", "0", "-1", "+5", "1.0", "1e3", str(MAX_ID + 1), "3000000000", HUGE, "²", "٣", "３", "1²", "#", "##5"]
    assert [parse_id(t) for t in refused] == [None] * len(refused)


# -------------------------------------------------------------------------------------------------- bug 3: zones


def test_a_folder_of_the_zone_database_is_refused_with_the_zones_in_it() -> None:
    europe = check_zone("Europe")
    assert isinstance(europe, UnknownZone) and europe.is_folder
    assert {"Europe/Paris", "Europe/Berlin"} <= set(europe.suggestions)
    assert all(zone.startswith("Europe/") for zone in europe.suggestions) and len(europe.suggestions) == 12
    argentina = check_zone("america/argentina")
    assert isinstance(argentina, UnknownZone)
    assert argentina.suggestions[0] == "America/Argentina/Buenos_Aires"
    etc = check_zone("Etc")
    assert isinstance(etc, UnknownZone) and "Etc/UTC" in etc.suggestions
    for name in ("x" * 300, "Europe/Rome/", "../../etc/passwd", "Europe/Rome\x00", "", "Mars/Base"):
        refusal = check_zone(name)
        assert isinstance(refusal, UnknownZone) and refusal.suggestions == (), name
    assert str(check_zone("Europe/Rome")) == "Europe/Rome"


async def test_timezone_europe_offers_the_zones_in_it_and_a_button_sets_one(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("/timezone Europe")
    assert alice.text == "“Europe” has many time zones. Choose yours, or send /timezone with your city."
    labels = [button.label for row in alice.last[0].buttons for button in row]
    assert labels == list(check_zone("Europe").suggestions)  # type: ignore[union-attr]
    assert [len(row) for row in alice.last[0].buttons] == [3, 3, 3, 3]
    await alice.press("Europe/Paris")
    assert alice.text.startswith("Your time zone is now Europe/Paris.")
    await alice.send("/timezone America/Argentina")
    assert alice.last[0].buttons[0][0].label == "America/Argentina/Buenos_Aires"
    await alice.press("America/Argentina/Buenos_Aires")
    assert alice.text.startswith("Your time zone is now America/Argentina/Buenos_Aires.")


async def test_timezone_with_a_300_character_name_is_refused(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("/timezone " + "x" * 300)
    assert alice.text == (
        f"I found no time zone for “{'x' * 64}”. Try a big city near you, or a name like Europe/Rome."
    )


def _folder_refusal(name: str) -> str:
    zone = check_zone(name)
    assert isinstance(zone, UnknownZone)
    return (
        f"“{name}” is a group of time zones, not one. Use a full name, for example: {', '.join(zone.suggestions[:6])}."
    )


async def test_staff_chat_refuses_a_zone_folder_and_changes_nothing(app: App, chat: Callable[..., ChatDriver]) -> None:
    staff = chat("staffer")
    before, zones = await count(app, Workshop), await workshop_zones(app)
    await staff.send("/ws_new city=Milan zone=Europe capacity=3")
    assert staff.text == _folder_refusal("Europe")
    await staff.send("/ws_edit 1 zone=Etc")
    assert staff.text == _folder_refusal("Etc")
    await staff.send("/ws_edit 1 zone=" + "y" * 300)
    assert staff.text == f"“{'y' * 64}” is not a time zone I know. Use an IANA name such as Europe/Rome."
    assert (await count(app, Workshop), await workshop_zones(app)) == (before, zones)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(data))
    monkeypatch.setenv("CONTENT_DIR", str(PROJECT_ROOT / "content"))
    monkeypatch.chdir(tmp_path)  # no developer .env
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


def test_staff_cli_refuses_a_zone_folder(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workshop", "create", "--city", "Milan", "--zone", "Europe", "--capacity", "3"]) == 1
    assert capsys.readouterr().err.strip() == _folder_refusal("Europe")
    assert main(["workshop", "edit", "1", "--zone", "America/Argentina"]) == 1
    assert capsys.readouterr().err.strip() == _folder_refusal("America/Argentina")
    europe = check_zone("Europe")
    assert isinstance(europe, UnknownZone)
    at = ["--at", "2027-01-05 10:00", "--yes"]
    assert main(["broadcast", "new", "--text", "hi", "--tz", "Europe", *at]) == 2
    assert capsys.readouterr().err.strip() == (
        "Unknown time zone 'Europe'; use an IANA name such as Europe/Rome; it is a group of zones, e.g. "
        + ", ".join(europe.suggestions[:6])
    )
    assert main(["broadcast", "new", "--text", "hi", "--tz", "z" * 300, *at]) == 2
    assert capsys.readouterr().err.strip() == (f"Unknown time zone '{'z' * 64}'; use an IANA name such as Europe/Rome")
    assert main(["broadcast", "list"]) == 0
    assert capsys.readouterr().out.strip() == "No broadcast is scheduled or sending."


def test_staff_cli_refusals_name_the_options_staff_type(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["broadcast", "new", "--to", "lang=xx", "--text", "hi", "--yes"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "I don't understand the audience “lang=xx”.",
        'For example: --to everyone, --to "platform=telegram lang=it", --to "city=Milan attended", '
        '--to "workshop=3 waiting", --to "stage=in_progress". See wego-bot broadcast new --help.',
    ]
    assert main(["broadcast", "new", "--text", "  ", "--yes"]) == 2
    assert capsys.readouterr().err.strip() == (
        "The text is empty. Give it with --text (and --text-in LANG TEXT for another language)."
    )
    assert main(["broadcast", "list"]) == 0
    assert capsys.readouterr().out.strip() == "No broadcast is scheduled or sending."


# ------------------------------------------------------------------------------------------ bug 4: ids, bug 5: "²"


async def _ids_out_of_range_are_unknown(app: App, chat: Callable[..., ChatDriver]) -> None:
    alice, staff = chat("alice"), chat("staffer")
    await alice.send("/remind mon 19:00")
    for raw in ("3000000000", HUGE):
        for verb in ("pause", "resume", "remove"):
            await alice.send(f"/remind {verb} {raw}")
            assert alice.text == f"You have no study reminder #{raw[:12]}."
            await alice.press_action(act(f"remind.{verb}", raw))
            assert alice.text == f"You have no study reminder #{raw[:12]}."
        await alice.press_action(act("faq.ask", raw))
        assert alice.text == STALE
        await staff.send(f"/answer {raw} Yes, there is parking.")
        assert staff.text == f"There is no question #{raw}."
        await staff.press_action(act("faq.save", raw))
        assert staff.text == STALE
        await staff.send(f"/broadcast status {raw}")
        assert staff.text == f"There is no broadcast #{raw[:12]}."
        await staff.send(f"/broadcast cancel #{raw}")
        assert staff.text == f"Broadcast #{raw[:12]} cannot be cancelled (unknown, or already sending)."
        await staff.press_action(act("bc.send", raw))
        assert staff.text == STALE
        await staff.send(f"/ws_list {raw}")
        assert staff.text == "There is no workshop with that number. Send /workshops to see them."
        await staff.send(f"/ws_attend 1 {raw}")
        assert staff.text == (
            f"Participant {raw} has no confirmed seat at this workshop; only confirmed people can attend."
        )
        await staff.send(f"/broadcast new workshop={raw} registered")
        assert staff.text.startswith(f"I don't understand the audience “workshop={raw}”.")
        await alice.press_action(act("ws.join", raw, "skip"))
        assert alice.text.startswith("There is no workshop with that number.")
    assert (await count(app, StudyReminder), await count(app, Broadcast), await count(app, Question)) == (1, 0, 0)


async def test_ids_out_of_range_are_answered_as_unknown_on_sqlite(app: App, chat: Callable[..., ChatDriver]) -> None:
    await _ids_out_of_range_are_unknown(app, chat)


@pytest.mark.postgres
async def test_ids_out_of_range_are_answered_as_unknown_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    from tests.conftest import FrozenClock

    application = await build_app(make_settings(tmp_path, database_url=postgres_url))
    from datetime import UTC, datetime

    application.dispatcher.clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    try:
        await _ids_out_of_range_are_unknown(application, lambda name: ChatDriver(application, name))
    finally:
        await application.close()


def test_cli_ids_out_of_range_are_unknown(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questions", "answer", HUGE, "Yes."]) == 1
    assert capsys.readouterr().err.strip() == f"There is no question #{HUGE}."
    assert main(["broadcast", "status", HUGE]) == 1
    assert capsys.readouterr().err.strip() == f"There is no broadcast #{HUGE}."
    assert main(["broadcast", "cancel", "3000000000"]) == 1
    assert capsys.readouterr().out.strip() == "Broadcast #3000000000 cannot be cancelled."
    assert main(["workshop", "attend", "1", HUGE]) == 1
    assert capsys.readouterr().err.strip() == (
        f"Participant {HUGE} has no confirmed seat at this workshop; only confirmed people can attend."
    )


async def test_superscript_and_other_scripts_digits_as_weekdays_are_refused(
    app: App, chat: Callable[..., ChatDriver]
) -> None:
    alice = chat("alice")
    for typed in ("² 19:00", "²,mon 19:00", "٣ 19:00", "３,mon 19:00", "٣ ٨:٣٠"):
        await alice.send(f"/remind {typed}")
        assert alice.text == f"I could not read “{typed}”. Write days and a time, for example: /remind mon,thu 19:00"
    await alice.send("/remind 3,mon 19:00")
    assert alice.text.startswith("Done: Mon and Wed at 19:00 (UTC).")
    assert await count(app, StudyReminder) == 1


# ---------------------------------------------------------------------------------------- bug 8: the date window


def test_the_date_window_runs_from_now_to_five_years_ahead_in_any_zone() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.domain.dates import BadMoment, venue_moment, years_later

    now = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    assert years_later(now, 5) == datetime(2033, 2, 28, 12, 0, tzinfo=UTC)
    new_york, tokyo, rome = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo"), ZoneInfo("Europe/Rome")

    def reason(naive: datetime, zone: ZoneInfo, past_ok: bool = False) -> str:
        moment = venue_moment(naive, zone, now, past_ok=past_ok)
        return moment.reason if isinstance(moment, BadMoment) else moment.isoformat()

    assert reason(datetime(9999, 12, 31, 23, 59), new_york) == "too_far"  # an OverflowError before
    assert reason(datetime(9999, 12, 31, 23, 59), tokyo) == "too_far"
    assert reason(datetime(1, 1, 1, 0, 0), tokyo) == "past"
    assert reason(datetime(1, 1, 1, 0, 0), tokyo, past_ok=True) == "too_early"
    assert reason(datetime(2033, 2, 28, 12, 0), ZoneInfo("UTC")) == "2033-02-28T12:00:00+00:00"
    assert reason(datetime(2033, 2, 28, 12, 1), ZoneInfo("UTC")) == "too_far"
    assert reason(datetime(2028, 2, 29, 12, 0), ZoneInfo("UTC")) == "past"
    assert reason(datetime(2027, 1, 1, 0, 0), rome, past_ok=True) == "2026-12-31T23:00:00+00:00"
    assert reason(datetime(2029, 3, 25, 2, 30), rome) == "skipped"


async def test_workshop_dates_years_ahead_are_refused_in_chat(app: App, chat: Callable[..., ChatDriver]) -> None:
    staff = chat("staffer")
    before = await count(app, Workshop)
    # The clock is 2026-03-02 09:00 UTC: five years ahead is 2 March 2031.
    far = "9999-12-31 23:59 is too far ahead: dates can be at most 5 years from now, until March 2, 2031."
    for zone in ("America/New_York", "Europe/Rome", "Asia/Tokyo"):
        await staff.send(f'/ws_new city=Milan zone={zone} capacity=3 start="9999-12-31 23:59"')
        assert staff.text == far
    await staff.send('/ws_new city=Milan zone=Europe/Rome capacity=3 start="2031-03-03 10:00"')
    assert staff.text == far.replace("9999-12-31 23:59", "2031-03-03 10:00")
    await staff.send('/ws_new city=Milan zone=Asia/Tokyo capacity=3 start="2026-05-14 15:00" opens="0001-01-01 00:00"')
    assert staff.text == "0001-01-01 00:00 is too long ago. Choose a time after March 2, 2021."
    await staff.send('/ws_new city=Milan zone=Europe/Rome capacity=3 start="2026-03-01 10:00"')
    assert staff.text == "That time is in the past."
    assert await count(app, Workshop) == before
    await staff.send("/ws_date 1 9999-12-31 23:59")
    assert staff.text == far
    await staff.send('/ws_edit 1 start="9999-12-31 23:59"')
    assert staff.text == far
    await staff.send(
        '/ws_new city=Milan zone=America/New_York capacity=3 start="2031-03-01 10:00" opens="2026-01-01 09:00"'
    )
    assert staff.text.startswith("Created.")
    await staff.send("/broadcast new everyone")
    await staff.send("/broadcast text Hello")
    await staff.send("/broadcast at 9999-12-31 23:59")
    assert staff.text == far
    await staff.send("/broadcast at 2026-03-01 10:00")
    assert staff.text == "That time is in the past."


def test_workshop_and_broadcast_dates_years_ahead_are_refused_by_the_cli(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from bot.domain.dates import years_later
    from bot.i18n import format_date, use_locale

    def far(zone: str) -> str:
        with use_locale("en"):
            latest = format_date(years_later(datetime.now(UTC), 5), zone)
        return f"9999-12-31 23:59 is too far ahead: dates can be at most 5 years from now, until {latest}."

    create = ["workshop", "create", "--city", "Milan", "--zone", "America/New_York", "--capacity", "3"]
    assert main([*create, "--start", "9999-12-31 23:59"]) == 1
    assert capsys.readouterr().err.strip() == far("America/New_York")
    assert main([*create, "--start", "2027-05-14 15:00"]) == 0
    # The workshop just created (content's seeded workshops come first), in New York: its zone dates the limit.
    created = capsys.readouterr().out.split("\t", 1)[0].lstrip("#")
    assert main(["workshop", "set-date", created, "9999-12-31 23:59"]) == 1
    assert capsys.readouterr().err.strip() == far("America/New_York")
    assert main(["broadcast", "new", "--text", "hi", "--at", "9999-12-31 23:59", "--tz", "Asia/Seoul", "--yes"]) == 2
    assert capsys.readouterr().err.strip() == far("Asia/Seoul")
    assert main(["workshop", "list"]) == 0
    assert "9999" not in capsys.readouterr().out
    assert main(["broadcast", "list"]) == 0
    assert capsys.readouterr().out.strip() == "No broadcast is scheduled or sending."
