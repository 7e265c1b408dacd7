"""End to end: the real PTB client and our webhook against telemelya, a Bot API emulator from PyPI.

The emulator runs in a subprocess (state in fakeredis); the bot runs as in production (TelegramDoor, webhook
mode) with our aiohttp webhook route on 127.0.0.1. Each test is one person in their own emulator session.

A scenario step is `await user.send("/workshops", expect=1)` or `await user.press(label, expect=2)`: the number
of Bot API calls the step must cause (a button press is always answered, so at least two).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.adapters.telegram.door import SECRET_HEADER, TelegramDoor, webhook_route
from bot.app import App
from bot.certificates import codes
from bot.i18n import LANGUAGE_NAMES, _, use_locale
from bot.settings import PROJECT_ROOT, Settings
from storage.models import Account, Certificate, Registration, User
from tests.conftest import FrozenClock, make_settings
from tests.workshop_helpers import make_workshop

TOKEN = "123456:ABC-e2e"
pytest.importorskip("telemelya")
pytest.importorskip("fakeredis")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    workdir = tmp_path_factory.mktemp("telemelya")  # no .env here: telemelya would read and reject ours
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.adapters.telegram.telemelya_server", str(port)],
        cwd=workdir,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/", timeout=0.5)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("telemelya did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def webhook_port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, emulator: str, webhook_port: int) -> Settings:
    return make_settings(
        tmp_path,
        telegram_token=TOKEN,
        telegram_base_url=f"{emulator}/bot",
        telegram_webhook_url=f"http://127.0.0.1:{webhook_port}/telegram/webhook",
        telegram_webhook_secret="e2e-secret",
    )


@pytest.fixture
async def door(app: App, webhook_port: int) -> AsyncIterator[TelegramDoor]:
    door = TelegramDoor(app)

    # Telegram sends the secret header back; the emulator does not, so the test server adds it, as Telegram would.
    @web.middleware
    async def as_telegram(request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
        headers = request.headers.copy()
        headers[SECRET_HEADER] = door.secret
        return await handler(request.clone(headers=headers))

    web_app = web.Application(middlewares=[as_telegram])
    web_app.add_routes([webhook_route(door)])
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", webhook_port).start()
    await door.start()
    try:
        yield door
    finally:
        await door.stop()
        await runner.cleanup()


class TelegramUser:
    """One person talking to the bot through the emulator; records are what the bot asked Telegram to do."""

    def __init__(self, control: httpx.AsyncClient, chat_id: int) -> None:
        self.control = control
        self.chat_id = chat_id
        self.seen = 0
        self.last_message: dict[str, Any] = {}

    async def _update(self, body: dict[str, Any]) -> None:
        answer = await self.control.post("/api/v1/test/send_update", params={"bot_token": TOKEN}, json=body)
        answer.raise_for_status()

    async def records(self) -> list[dict[str, Any]]:
        answer = await self.control.get(
            "/api/v1/test/responses", params={"session_id": self.control.headers["X-Test-Session"]}
        )
        answer.raise_for_status()
        return list(answer.json()["responses"])

    async def _new(self, expect: int) -> list[dict[str, Any]]:
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            everything = await self.records()
            if len(everything) >= self.seen + expect or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.02)
        new = everything[self.seen :]
        self.seen = len(everything)
        for record in new:
            if record["method"] in ("sendMessage", "editMessageText"):
                self.last_message = record
        assert len(new) == expect, [r["method"] for r in new]
        return new

    async def send(self, text: str, *, expect: int = 1) -> list[dict[str, Any]]:
        await self._update({"chat_id": self.chat_id, "text": text})
        return await self._new(expect)

    async def press_data(self, data: str, *, message_id: int, expect: int = 2) -> list[dict[str, Any]]:
        await self._update({"chat_id": self.chat_id, "callback_data": data, "callback_message_id": message_id})
        return await self._new(expect)

    async def press(self, label: str, *, expect: int = 2) -> list[dict[str, Any]]:
        """Press a button of the last message by its label."""
        markup = self.last_message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if button["text"] == label:
                    return await self.press_data(
                        button["callback_data"], message_id=self.last_message["message_id"], expect=expect
                    )
        raise AssertionError(f"no button {label!r} in {markup}")


@pytest.fixture
async def user(emulator: str, door: TelegramDoor) -> AsyncIterator[TelegramUser]:
    headers = {"Authorization": "Bearer e2e", "X-Test-Session": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=emulator, headers=headers, timeout=15) as control:
        yield TelegramUser(control, chat_id=700000000 + uuid.uuid4().int % 100000)


def labels(record: dict[str, Any]) -> list[str]:
    return [button["text"] for row in (record["reply_markup"] or {}).get("inline_keyboard", []) for button in row]


async def stored_locale(app: App, chat_id: int) -> str | None:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(select(Account).where(Account.platform_user_id == str(chat_id)))
        assert account is not None
        return (await uow.session.get_one(User, account.user_id)).locale


async def test_start_shows_the_menu(app: App, user: TelegramUser) -> None:
    [welcome] = await user.send("/start")
    assert welcome["method"] == "sendMessage" and welcome["chat_id"] == user.chat_id
    assert welcome["text"].startswith("<b>Hello, TestUser!</b>")
    assert welcome["raw"]["parse_mode"] == "HTML"
    assert labels(welcome)[:2] == ["About the program", "Lectures"]


async def test_menu_button_runs_its_command(app: App, user: TelegramUser) -> None:
    await user.send("/start")
    answer, program = await user.press("Contact")
    assert answer["method"] == "answerCallbackQuery" and answer["text"] is None
    [direct] = await user.send("/contact")
    assert program["method"] == "sendMessage" and program["text"] == direct["text"]


async def test_language_switch_to_arabic(app: App, user: TelegramUser) -> None:
    [question] = await user.send("/language")
    assert LANGUAGE_NAMES["ar"] in labels(question)
    answer, edited = await user.press(LANGUAGE_NAMES["ar"])
    assert answer["method"] == "answerCallbackQuery"
    # The choice replaces the question in place, written in Arabic.
    assert (edited["method"], edited["message_id"]) == ("editMessageText", question["message_id"])
    with use_locale("ar"):
        expected = _("From now on I will answer in {language}.").format(language=LANGUAGE_NAMES["ar"])
    assert edited["text"] == expected and "العربية" in edited["text"]
    assert await stored_locale(app, user.chat_id) == "ar"


async def test_deep_link(app: App, user: TelegramUser) -> None:
    app.router.deep_link("e2e", "menu")
    [opened] = await user.send("/start e2e_1")
    assert opened["text"] == "What would you like to know?" and "Lectures" in labels(opened)
    [refused] = await user.send("/start nosuch_12")
    assert refused["text"] == "That link is not valid any more. Here is the main menu."


async def test_forged_callback_changes_nothing(app: App, user: TelegramUser) -> None:
    [question] = await user.send("/language")
    [answer] = await user.press_data("lang:ar<script>", message_id=question["message_id"], expect=1)
    assert answer["method"] == "answerCallbackQuery"
    assert answer["text"] == "That button is no longer valid. Nothing was changed."
    # Well-formed but forged: the handler re-checks it and refuses; still nothing changes.
    _answer, refusal = await user.press_data("lang:xx", message_id=question["message_id"])
    assert refusal["text"].startswith("I don't know the language code")
    assert await stored_locale(app, user.chat_id) is None


async def account_user(app: App, chat_id: int) -> User:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(select(Account).where(Account.platform_user_id == str(chat_id)))
        assert account is not None
        return await uow.session.get_one(User, account.user_id)


async def test_workshop_sign_up_by_buttons_to_confirmation(app: App, clock: FrozenClock, user: TelegramUser) -> None:
    # A city the program content has no workshop in, so its button label is unique in the list.
    wid = await make_workshop(app, clock(), city="Lisbon", zone="Europe/Lisbon", venue="Palácio Foz", capacity=5)
    [listing] = await user.send("/workshops")
    assert listing["text"].split("\n\n")[:2] == [
        "<b>In-person workshops</b>: “Young Urban Leadership: Perspectives in Dialogue”. "
        "Choose one to see it or sign up.",
        "<b>Lisbon</b> · open · 5 of 5 seats left\n"
        "When: Monday, April 20, 2026, 3:00\u202fPM (Europe/Lisbon, local time)",
    ]
    assert labels(listing)[0] == "Lisbon" and labels(listing)[-2:] == ["My sign-ups", "Main menu"]
    _answer, page = await user.press("Lisbon")
    assert page["text"] == (
        "<b>Lisbon</b> — Young Urban Leadership: Perspectives in Dialogue\n"
        "Venue: Palácio Foz\n"
        "When: Monday, April 20, 2026, 3:00\u202fPM (Europe/Lisbon, local time)\n"
        "Status: open · 5 of 5 seats left"
    )
    assert labels(page) == ["Sign up", "All workshops"]
    _answer, consent = await user.press("Sign up")
    assert consent["text"].startswith("<b>Sign up for the workshop in Lisbon</b>\n")
    assert consent["text"].endswith("\nDo you agree?") and labels(consent) == ["I agree", "No, thanks"]
    _answer, decade = await user.press("I agree")
    assert decade["text"].startswith("In which year were you born?\n")
    assert labels(decade)[0] == "2010–2019" and labels(decade)[-1] == "Skip"
    _answer, year = await user.press("1990–1999")
    assert year["text"] == "In which year were you born?" and labels(year)[7] == "1997"
    answer, confirmed, notice = await user.press("1997", expect=3)
    assert answer["method"] == "answerCallbackQuery"
    assert confirmed["text"] == (
        "You are confirmed for the workshop in Lisbon on Monday, April 20, 2026, 3:00\u202fPM Europe/Lisbon. "
        "The calendar file is attached.\nWhere: Palácio Foz, Lisbon"
    )
    assert labels(confirmed) == ["My sign-ups"]
    # telemelya has no sendDocument (it answers 404): the person is told the file is missing, nothing fails,
    # and the text is not sent twice.
    assert (notice["method"], notice["text"]) == (
        "sendMessage",
        "I could not attach the file workshop-lisbon.ics here, sorry.",
    )
    assert [r["method"] for r in await user.records()].count("sendMessage") == 7
    person = await account_user(app, user.chat_id)
    assert person.birth_year == 1997
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = (
            await uow.session.execute(
                select(Registration.user_id, Registration.status).where(Registration.workshop_id == wid)
            )
        ).all()
    assert [tuple(row) for row in rows] == [(person.id, "confirmed")]


async def test_marking_lectures_by_button_and_command_then_progress(app: App, user: TelegramUser) -> None:
    [course] = await user.send("/lectures")
    assert course["text"].startswith("<b>The online course</b> (24 lectures):\n\n<b>Part 1</b>: ")
    assert labels(course) == ["Part 1", "Part 2", "Part 3", "Part 4", "My progress", "Main menu"]
    _answer, part = await user.press("Part 1")
    # The part replaces the course overview in place.
    assert (part["method"], part["message_id"]) == ("editMessageText", course["message_id"])
    assert "\n░░░░░░░░░░ 0/8\n\n⬜ 1.1  Global Context and Local Conditions of Sustainability\n" in part["text"]
    _answer, marked = await user.press("Done 1.1")
    assert (marked["method"], marked["message_id"]) == ("editMessageText", course["message_id"])
    assert "\n▓░░░░░░░░░ 1/8\n\n✅ 1.1  Global Context and Local Conditions of Sustainability\n" in marked["text"]
    assert labels(marked)[:2] == ["Undo 1.1", "Done 1.2"]
    [done] = await user.send("/done 1.2")
    assert done["text"] == "Marked 1.2 “The Metropolitan Century” as watched.\n2 of 24 lectures watched."
    [progress] = await user.send("/progress")
    assert progress["text"] == (
        "<b>Your progress</b>\n\n"
        "Part 1: ▓▓░░░░░░░░ 2/8\nPart 2: ░░░░░░░░░░ 0/6\nPart 3: ░░░░░░░░░░ 0/5\nPart 4: ░░░░░░░░░░ 0/5\n\n"
        "Overall: 2 of 24 lectures (8%).\n\n"
        "<b>Next</b>: 1.3 “Tools and Cases for the Ecological Transition in Cities”\n"
        'Watch it on <a href="https://www.cityresiliencetraining.com/">City Resilience Training</a>, '
        "then press Continue."
    )
    assert labels(progress)[0] == "Continue: mark 1.3 watched"


WORKSHOP_SECTION = (
    "<b>Workshop certificate</b>\n"
    "Participants of the offline workshops can request a certificate signed by the WeGO Secretary General and the "
    "Mayor of Seoul.\n"
    "Not yet: you have not been checked in at a workshop.\n"
    "<b>How to get it</b>\n"
    "1. Check in at the workshop venue on the day, with /checkin and the code shown there.\n"
    "2. Give your year of birth (asked at sign-up, or added later in /mysignups): the certificate is for attendees "
    "under 35.\n"
    "3. Set the name for your record with /name followed by your full name.\n"
    "4. Then /certificate shows whether you qualify and gives your verifiable record; the signed certificate is "
    "requested from the WeGO Secretariat (secretariat@we-gov.org)."
)
COURSE_CERTIFICATE = (
    "<b>The official certificate</b>: Successful participants of the online course can request a digital "
    "certificate by completing the required coursework and filling out the form available at the end of the course.\n"
    'You find the coursework and the form on <a href="https://www.cityresiliencetraining.com/">City Resilience '
    "Training</a>."
)
COURSE_RECORD = (
    "<b>Your course record</b>: This assistant's course record lists the lectures you marked as watched here. It is "
    "not the official certificate, which needs the required coursework and the form at the end of the course."
)


async def test_certificate_lists_what_is_missing_then_links_the_course_record(app: App, user: TelegramUser) -> None:
    await user.send("/done 1.1")
    [missing] = await user.send("/certificate")
    assert missing["text"] == (
        "<b>Online course</b>\n"
        "Not yet: 23 lectures left to mark as watched: 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 2.1, 2.2, 2.3, 2.4, 2.5 …\n"
        "Mark them with /done or in /lectures.\n\n"
        + COURSE_CERTIFICATE
        + "\n\n"
        + WORKSHOP_SECTION
        + "\n\nNo name set for your records yet."
    )
    keys = [lecture.key for lecture in app.content.all_lectures()]
    for key in keys[1:-1]:
        await user.send(f"/done {key}")
    last, congratulations = await user.send(f"/done {keys[-1]}", expect=2)
    assert last["text"] == "Marked 4.5 “Scaling Housing Solutions” as watched.\n24 of 24 lectures watched."
    assert congratulations["text"].startswith(
        "🎉 <b>Congratulations: you have marked every lecture of the course as watched!</b>"
    )
    [no_name] = await user.send("/certificate")
    assert no_name["text"] == (
        "<b>Online course</b>\n✅ Every lecture is marked as watched.\n"
        + COURSE_CERTIFICATE
        + "\n"
        + COURSE_RECORD
        + "\nTo get your verifiable record, first set the name it should show: /name followed by your full name.\n\n"
        + WORKSHOP_SECTION
        + "\n\nNo name set for your records yet."
    )
    [named] = await user.send("/name Ada <Lovelace>")
    assert named["text"] == "Your records will show the name: <b>Ada &lt;Lovelace&gt;</b>"
    [issued] = await user.send("/certificate")
    person = await account_user(app, user.chat_id)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        [record] = (await uow.session.scalars(select(Certificate).where(Certificate.user_id == person.id))).all()
    assert (record.kind, record.name) == ("course", "Ada <Lovelace>") and record.code is not None
    shown = codes.group(record.code)
    url = f"{app.settings.public_base_url.rstrip('/')}/verify/{shown}"
    assert issued["text"] == (
        "<b>Online course</b>\n✅ Every lecture is marked as watched.\n"
        + COURSE_CERTIFICATE
        + "\n"
        + COURSE_RECORD
        + f'\nYour verifiable record: <a href="{url}">{url}</a>\n'
        + f"Code: <code>{shown}</code> (anyone can check it).\n\n"
        + WORKSHOP_SECTION
        + "\n\nName on your records: Ada &lt;Lovelace&gt;"
    )
