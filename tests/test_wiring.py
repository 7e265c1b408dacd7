"""The bootstrap: the route table with its deep links, and what each door offers the clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App, announcers, build_app, build_clock, calendars, staff_inboxes
from bot.core.context import Context
from bot.core.ports import BroadcastAnnouncer, CalendarMirror, Messenger, SendOutcome
from bot.core.replies import Reply
from bot.core.router import Router
from bot.staff_inbox import StaffInbox, StaffQuestion
from tests.conftest import make_settings


async def _nothing(ctx: Context) -> Reply:
    return Reply("")


def test_deep_links_are_part_of_the_route_table() -> None:
    feature = Router()
    feature.action("ws.show")(_nothing)
    feature.deep_link("ws", "ws.show")
    root = Router()
    root.include(feature)
    assert root.deep_links == {"ws": "ws.show"}
    root.check()

    other = Router()
    other.deep_link("ws", "other.show")
    with pytest.raises(ValueError, match="deep-link prefix ws registered twice"):
        root.include(other)
    with pytest.raises(ValueError, match="must be letters and digits"):
        Router().deep_link("w_s", "ws.show")

    dangling = Router()
    dangling.deep_link("gone", "ws.gone")
    with pytest.raises(ValueError, match="deep links to unknown actions: gone"):
        dangling.check()


async def test_the_app_builds_one_table_and_nothing_leaks_between_apps(tmp_path: Path) -> None:
    first = await build_app(make_settings(tmp_path / "a"))
    second = await build_app(make_settings(tmp_path / "b"))
    try:
        assert first.router.deep_links == {"cmd": "cmd", "ws": "ws.show", "ci": "ws.checkin"}
        first.router.deep_link("extra", "menu")
        assert "extra" not in second.router.deep_links
    finally:
        await first.close()
        await second.close()


class FakeMessenger:
    def __init__(self, platform: str) -> None:
        self.platform = platform

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        return SendOutcome("sent")


class Inbox:
    platform = "telegram"

    async def post(self, question: StaffQuestion, reply: Reply) -> str | None:
        return None


class Channel:
    platform = "discord"

    async def announce(self, reply: Reply) -> bool:
        return True


class Events:
    async def check(self) -> bool:
        return False


class FakeDoor:
    def __init__(
        self,
        platform: str,
        inbox: StaffInbox | None = None,
        announcer: BroadcastAnnouncer | None = None,
        calendar: CalendarMirror | None = None,
    ) -> None:
        self.messenger: Messenger = FakeMessenger(platform)
        self.staff_inbox = inbox
        self.announcer = announcer
        self.calendar = calendar

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


async def test_the_clock_gets_what_each_door_offers(app: App) -> None:
    inbox, channel, events = Inbox(), Channel(), Events()
    doors = [FakeDoor("telegram", inbox=inbox), FakeDoor("discord", announcer=channel, calendar=events)]
    assert staff_inboxes(doors) == [inbox]
    assert announcers(doors) == [channel]
    assert calendars(doors) == [events]
    clock = build_clock(app, doors)
    assert clock.staff_inboxes == [inbox] and clock.announcers == [channel] and clock.calendars == [events]
    assert set(clock.worker.messengers) == {"telegram", "discord"}
    assert clock.clock is app.dispatcher.clock


async def test_a_button_no_handler_takes_is_refused_before_anything_is_stored(app: App) -> None:
    from sqlalchemy import func, select

    from bot.core.actions import act
    from bot.i18n import _, use_locale
    from storage.models import Account
    from tests.helpers import ChatDriver

    stranger = ChatDriver(app, user_id="mallory")
    await stranger.press_action(act("nosuch", 1))
    assert stranger.text == "That button is no longer valid. Here is the menu again."
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Account)) == 0

    # Someone who chose German is told in German, whatever their platform says.
    anna = ChatDriver(app, user_id="anna")
    await anna.send("/language de")
    await anna.press_action(act("nosuch", 1))
    with use_locale("de"):
        assert anna.text == _("That button is no longer valid. Here is the menu again.") != stranger.text
