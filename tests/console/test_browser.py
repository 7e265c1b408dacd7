"""The staff console in a real browser: Debian's headless Chromium driven through its own chromedriver.

Nothing is downloaded: without /usr/bin/chromium and /usr/bin/chromedriver (apt packages chromium and
chromium-driver) these tests skip and say so; in CI (.ci/run installs them and sets WEGO_REQUIRE_BROWSER) they fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.app import App
from bot.core.actions import act
from bot.web import build_web_app
from scheduler import jobs
from scheduler.delivery import DeliveryWorker
from storage.models import Broadcast, Question, Workshop
from tests.conftest import FrozenClock
from tests.console.helpers import MakeChat, link_token
from tests.fakes import FakeMessenger
from tests.workshop_helpers import deliveries, registrations

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

NO_BROWSER = (
    "no headless browser here: install Debian's chromium and chromium-driver (apt-get install -y chromium "
    "chromium-driver) to run the console's browser tests"
)

WAIT = 15.0


class Browser:
    """A thin async face on Selenium: every call runs in a thread, so the server in this event loop keeps serving."""

    def __init__(self, driver: Any, base: str) -> None:
        self.driver = driver
        self.base = base

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    async def open(self, path: str) -> None:
        await self.run(self.driver.get, path if path.startswith("http") else self.base + path)

    async def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return await self.run(self.driver.find_element, By.CSS_SELECTOR, css)

    async def count(self, css: str) -> int:
        from selenium.webdriver.common.by import By

        return len(await self.run(self.driver.find_elements, By.CSS_SELECTOR, css))

    async def type(self, css: str, text: str, *, clear: bool = True) -> None:
        element = await self.find(css)
        if clear:
            await self.run(element.clear)
        await self.run(element.send_keys, text)

    async def click(self, css: str) -> None:
        await self.run((await self.find(css)).click)

    async def button(self, label: str) -> None:
        from selenium.webdriver.common.by import By

        element = await self.run(self.driver.find_element, By.XPATH, f"//button[normalize-space()='{label}']")
        await self.run(element.click)

    async def text(self, css: str = "body") -> str:
        return str(await self.run(lambda: (self.driver.find_element("css selector", css)).text))

    async def wait_text(self, css: str, expected: str) -> str:
        """Wait until the element's text contains `expected` (a page load or the page's own script)."""
        deadline = asyncio.get_running_loop().time() + WAIT
        seen = ""
        while asyncio.get_running_loop().time() < deadline:
            try:
                seen = await self.text(css)
            except Exception:
                seen = ""
            if expected in seen:
                return seen
            await asyncio.sleep(0.1)
        raise AssertionError(f"{css!r} never showed {expected!r}; it shows {seen!r}")


@pytest.fixture
async def server(app: App) -> AsyncIterator[str]:
    runner = web.AppRunner(build_web_app(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    # The /console link points where this server listens.
    app.settings.public_base_url = base
    try:
        yield base
    finally:
        await runner.cleanup()


@pytest.fixture
async def browser(server: str) -> AsyncIterator[Browser]:
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        # CI installs the browser (.ci/run) and sets WEGO_REQUIRE_BROWSER: there a missing one is a failure.
        if os.environ.get("WEGO_REQUIRE_BROWSER"):
            pytest.fail(NO_BROWSER)
        pytest.skip(NO_BROWSER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=en"):
        options.add_argument(flag)
    # The driver path is given: Selenium Manager never looks for (or downloads) a browser or driver.
    driver = await asyncio.to_thread(webdriver.Chrome, service=Service(CHROMEDRIVER), options=options)
    try:
        yield Browser(driver, server)
    finally:
        await asyncio.to_thread(driver.quit)


async def sign_in(browser: Browser, chat: MakeChat, server: str) -> None:
    token = await link_token(chat("staffer"))
    await browser.open(f"{server}/console/signin/{token}")
    await browser.button("Sign in")
    await browser.wait_text("h1", "Overview")


async def test_sign_in_through_the_chat_link_and_see_the_charts(browser: Browser, chat: MakeChat, server: str) -> None:
    await chat("alice").send("/start")
    await sign_in(browser, chat, server)
    assert await browser.count("svg.chart") == 7
    assert "Participants: 2" in await browser.text(".figures")
    # Right to left in Arabic, through the language picker.
    from selenium.webdriver.support.select import Select

    await browser.run(
        lambda: Select(browser.driver.find_element("css selector", "select[name=lang]")).select_by_value("ar")
    )
    await browser.button("Change")
    await browser.wait_text("h1", "")
    assert await browser.run(lambda: browser.driver.find_element("tag name", "html").get_attribute("dir")) == "rtl"


async def test_create_a_workshop_and_set_its_date(browser: Browser, chat: MakeChat, server: str, app: App) -> None:
    await sign_in(browser, chat, server)
    await browser.open("/console/workshops")
    await browser.type("form.fields input[name=city]", "Turin")
    await browser.type("form.fields input[name=zone]", "Europe/Rome")
    await browser.type("form.fields input[name=capacity]", "5")
    await browser.button("Create workshop")
    await browser.wait_text(".notice", "The workshop is created.")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        workshop = (await uow.session.scalars(select(Workshop).where(Workshop.city == "Turin"))).one()
    await chat("maria").press_action(act("ws.join", workshop.id, "2001"))
    await browser.open(f"/console/workshops/{workshop.id}")
    await browser.type("form[action$='/date'] input[name=start]", "2026-05-10 10:00")
    await browser.button("Set date")
    await browser.wait_text(".notice", "The date is set")
    assert await registrations(app, workshop.id) == [("maria", "confirmed", None)]
    told = [(who, kind) for who, kind, _text in await deliveries(app)]
    assert told == [("maria", "workshop.date_confirmed")]
    # The check-in code for the venue, as a QR code.
    assert await browser.count("figure.qr svg") == 1


async def test_compose_a_broadcast_and_watch_its_progress(
    browser: Browser, chat: MakeChat, server: str, app: App, clock: FrozenClock
) -> None:
    for name in ("alice", "bob", "carol"):
        await chat(name).send("/start")
    await sign_in(browser, chat, server)
    await browser.open("/console/broadcasts")
    await browser.wait_text("#recipients", "Exactly 4 recipients")
    from selenium.webdriver.support.select import Select

    await browser.type("#f-city", "Atlantis")
    await browser.run(lambda: Select(browser.driver.find_element("id", "f-registration")).select_by_value("registered"))
    await browser.wait_text("#recipients", "reach no one")
    assert "Atlantis" in await browser.text("#recipients")
    # Back to everyone: no registration filter, no city (the first option is "anyone").
    await browser.run(lambda: Select(browser.driver.find_element("id", "f-registration")).select_by_index(0))
    await browser.run(lambda: browser.driver.find_element("id", "f-city").clear())
    await browser.run(lambda: browser.driver.find_element("id", "f-city").send_keys(" "))
    await browser.wait_text("#recipients", "Exactly 4 recipients")
    await browser.type("#f-text_en", "The Milan workshop has a new room.")
    await browser.button("Schedule")
    await browser.wait_text("#progress-text", "0/0")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        broadcast = (await uow.session.scalars(select(Broadcast))).one()
    # The running bot's clock: fan out, send, finish; the page follows by itself.
    settings = app.settings.model_copy(update={"quiet_hours": "00:00-00:00", "per_chat_interval_seconds": 0.0})
    await jobs.fan_out_due(app.storage, app.content, settings, clock.now)
    await browser.wait_text("#progress-text", "0/4")
    messenger = FakeMessenger(platform="console")
    # The pacer keeps to the rate limit on a real monotonic clock (a frozen one would wait for ever).
    worker = DeliveryWorker(app.storage, {"console": messenger}, settings, clock=clock, monotonic=time.monotonic)
    await worker.run_until_idle()
    await jobs.finish_broadcasts(app.storage, settings, clock.now)
    await browser.wait_text("#progress-text", "4/4")
    await browser.wait_text("#status", "done")
    assert await browser.run(lambda: browser.driver.find_element("id", "progress").get_attribute("value")) == "4"
    assert sorted(chat_id for chat_id, _text in messenger.sent) == ["alice", "bob", "carol", "staffer"]
    assert broadcast.id


async def test_answer_a_question(browser: Browser, chat: MakeChat, server: str, app: App) -> None:
    await chat("alice").send("/team Is there parking at the venue?")
    await sign_in(browser, chat, server)
    await browser.open("/console/questions")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        question = (await uow.session.scalars(select(Question))).one()
    await browser.type(f"#answer-{question.id}", "Yes, behind the hall.")
    await browser.button("Send answer")
    await browser.wait_text(".notice", "on its way")
    async with app.storage.unit_of_work() as uow:
        assert (await uow.session.get_one(Question, question.id)).answer == "Yes, behind the hall."
    assert [kind for who, kind, _t in await deliveries(app) if who == "alice"][-1] == "question.answer"
