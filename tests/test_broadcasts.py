"""Broadcasts: audience selection per filter, staff-only paths, escaping and right-to-left text, the author's report."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.actions import act
from bot.core.replies import Reply
from bot.domain.audiences import Audience
from scheduler import jobs
from scheduler.delivery import DeliveryWorker
from storage.broadcasts import recipient_ids
from storage.models import Account, Broadcast, Delivery, LectureProgress, Registration, User, Workshop
from tests.conftest import FrozenClock
from tests.fakes import FakeMessenger
from tests.helpers import ChatDriver

ALL_KEYS = [f"{p}.{i}" for p, n in ((1, 8), (2, 6), (3, 5), (4, 5)) for i in range(1, n + 1)]


async def population(app: App) -> dict[str, int]:
    """Known rows: who is where, speaks what, registered how, and how far in the course."""
    assert app.storage is not None
    ids: dict[str, int] = {}
    async with app.storage.unit_of_work() as uow:
        s = uow.session
        milan = Workshop(city="Milan", title="W1", starts_at=None, timezone="Europe/Rome", capacity=5, checkin_code="a")
        seoul = Workshop(city="Seoul", title="W2", starts_at=None, timezone="Asia/Seoul", capacity=5, checkin_code="b")
        s.add_all([milan, seoul])
        await s.flush()
        people = {
            # name: (platforms, locale, (workshop, status, attended), lectures done)
            "tg_it": (["telegram"], "it", (milan, "confirmed", False), 0),
            "dc_en": (["discord"], "en", (milan, "waitlisted", False), 3),
            "both_ar": (["telegram", "discord"], "ar", (seoul, "confirmed", True), len(ALL_KEYS)),
            "console_none": (["console"], None, None, 0),
            "blocked": (["telegram"], "it", (milan, "confirmed", False), 0),
        }
        for name, (platforms, locale, reg, done) in people.items():
            user = User(display_name=name, locale=locale)
            s.add(user)
            await s.flush()
            ids[name] = user.id
            for platform in platforms:
                s.add(
                    Account(
                        user_id=user.id,
                        platform=platform,
                        platform_user_id=name,
                        chat_id=name,
                        reachable=name != "blocked",
                    )
                )
            if reg:
                workshop, status, attended = reg
                s.add(
                    Registration(
                        workshop_id=workshop.id,
                        user_id=user.id,
                        status=status,
                        attended_at=workshop.created_at if attended else None,
                    )
                )
            for key in ALL_KEYS[:done]:
                s.add(LectureProgress(user_id=user.id, lecture_key=key))
        ids["milan"], ids["seoul"] = milan.id, seoul.id
        await uow.commit()
    return ids


@pytest.mark.parametrize(
    ("filter_text", "expected"),
    [
        ("everyone", {"tg_it", "dc_en", "both_ar", "console_none"}),
        ("platform=telegram", {"tg_it", "both_ar"}),
        ("platform=discord", {"dc_en", "both_ar"}),
        ("lang=it", {"tg_it"}),
        ("lang=en", {"dc_en", "console_none"}),
        ("city=Milan registered", {"tg_it"}),
        ("city=milan waiting", {"dc_en"}),
        ("city=Seoul attended", {"both_ar"}),
        ("workshop=SEOUL registered", {"both_ar"}),
        ("stage=not_started", {"tg_it", "console_none"}),
        ("stage=in_progress", {"dc_en"}),
        ("stage=completed", {"both_ar"}),
        ("platform=telegram stage=not_started", {"tg_it"}),
    ],
)
async def test_audience_filters_select_exactly_the_known_rows(app: App, filter_text: str, expected: set[str]) -> None:
    ids = await population(app)
    filter_text = filter_text.replace("SEOUL", str(ids["seoul"]))
    audience = Audience.parse(filter_text, ("en", "it", "de", "fr", "ar", "ko", "zh"))
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        found = await recipient_ids(uow.session, audience, app.content, "en")
    names = {name for name, uid in ids.items() if uid in found and name not in ("milan", "seoul")}
    assert names == expected


STAFF_PATHS = [
    "/broadcast",
    "/broadcast new everyone",
    "/broadcast text hello",
    "/broadcast preview",
    "/broadcast send",
    "/broadcast at 2030-01-01 10:00",
    "/broadcast list",
    "/broadcast cancel 1",
    "/broadcast status 1",
]


async def test_non_staff_get_nowhere_on_any_staff_path(app: App, chat: Callable[..., ChatDriver]) -> None:
    staffer = chat("staffer")
    await staffer.send("/broadcast new everyone")
    await staffer.send("/broadcast text Real text")
    mallory = chat("mallory")
    for line in STAFF_PATHS:
        await mallory.send(line)
        assert mallory.text == "That is only for the program staff.", line
    for action in (act("bc.send", 1), act("bc.cancel", 1)):
        await mallory.press_action(action)
        assert mallory.text == "That is only for the program staff."
    await mallory.send("/help")
    assert "/broadcast" not in mallory.text
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = list(await uow.session.scalars(select(Broadcast)))
    assert [(b.status, b.texts) for b in rows] == [("draft", {"en": "Real text"})]


async def test_html_and_right_to_left_text_arrive_intact_and_the_author_gets_a_report(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    ids = await population(app)
    staffer = chat("staffer")
    await staffer.send("/broadcast new platform=telegram")
    assert "2 recipients" in staffer.text
    await staffer.send('/broadcast text Rooms <A&B> "free" & open <script>x</script>')
    arabic = "ورشة العمل في <ميلانو> يوم ٢٠ أبريل"
    await staffer.send(f"/broadcast text lang=ar {arabic}")
    assert "exactly 2 recipients" in staffer.text
    await staffer.press("Send now to 2")
    assert "on its way to 2 recipients" in staffer.text
    assert app.storage is not None
    settings = app.settings.model_copy(update={"quiet_hours": "00:00-00:00"})
    await jobs.fan_out_due(app.storage, app.content, settings, clock.now)
    assert await jobs.fan_out_due(app.storage, app.content, settings, clock.now) == []
    messenger = FakeMessenger()
    worker = DeliveryWorker(
        app.storage,
        {"telegram": messenger},
        settings.model_copy(update={"per_chat_interval_seconds": 0.0}),
        clock=clock,
        monotonic=lambda: clock.now.timestamp(),
    )
    await worker.run_until_idle()
    sent = dict(messenger.sent)
    assert sent.keys() == {"tg_it", "both_ar"}
    assert sent["tg_it"].endswith('Rooms &lt;A&amp;B&gt; "free" &amp; open &lt;script&gt;x&lt;/script&gt;')
    assert sent["both_ar"].endswith("ورشة العمل في &lt;ميلانو&gt; يوم ٢٠ أبريل")
    finished = await jobs.finish_broadcasts(app.storage, settings, clock.now)
    assert len(finished) == 1
    async with app.storage.unit_of_work() as uow:
        report = await uow.session.scalar(select(Delivery).where(Delivery.kind == "report"))
        broadcast = await uow.session.get_one(Broadcast, finished[0])
    assert report is not None
    assert report.text == f"📊 Broadcast #{broadcast.id} is done: 2 delivered, 0 unreachable, 0 failed."
    assert broadcast.status == "done" and ids


async def test_scheduled_broadcasts_are_listed_and_cancelled(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    await population(app)
    staffer = chat("staffer")
    await staffer.send("/timezone Europe/Rome")
    await staffer.send("/broadcast new lang=it")
    await staffer.send("/broadcast text lang=it Ciao a tutti")
    assert "Missing the text in English" in staffer.text
    await staffer.send("/broadcast text Hello all")
    await staffer.send("/broadcast at 2026-03-05 18:30")
    assert "scheduled for" in staffer.text
    await staffer.send("/broadcast list")
    assert "scheduled" in staffer.text
    await staffer.press("Cancel #")
    assert "is cancelled" in staffer.text
    assert app.storage is not None
    clock.advance(days=5)
    assert await jobs.fan_out_due(app.storage, app.content, app.settings, clock.now) == []


async def test_only_an_explicit_lang_marker_names_the_language_of_a_text(
    app: App, chat: Callable[..., ChatDriver]
) -> None:
    staffer = chat("staffer")
    await staffer.send("/broadcast new everyone")
    await staffer.send("/broadcast text It is time for the workshop")
    await staffer.send("/broadcast text LANG=De Es ist Zeit")
    await staffer.send("/broadcast text lang=xx Hello")
    assert staffer.text == "I don't know the language “xx”. Use one of: en, it, de, fr, ar, ko, zh."
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(Broadcast))).all()
    assert [b.texts for b in rows] == [{"en": "It is time for the workshop", "de": "Es ist Zeit"}]


async def test_a_broadcast_text_must_fit_one_message(chat: Callable[..., ChatDriver]) -> None:
    staffer = chat("staffer")
    await staffer.send("/broadcast new everyone")
    await staffer.send("/broadcast text " + "x" * 1501)
    assert staffer.text == "That text has 1501 characters; a broadcast can have at most 1500, so it fits one message."
    await staffer.send("/broadcast text " + "x" * 1500)
    assert staffer.text.startswith("Broadcast #1 to everyone: exactly")


async def test_the_announcement_is_retried_until_a_door_takes_it_then_never_again(app: App, clock: FrozenClock) -> None:
    from datetime import timedelta

    from scheduler.clock import SchedulerHandle
    from storage.models import Broadcast

    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        fresh = Broadcast(texts={"en": "hi"}, default_language="en", status="sending", started_at=clock.now)
        old = Broadcast(
            texts={"en": "old"}, default_language="en", status="done", started_at=clock.now - timedelta(days=2)
        )
        uow.session.add_all([fresh, old])
        await uow.session.flush()
        fresh_id = fresh.id
        await uow.commit()
    calls: list[str] = []
    outcomes = iter([RuntimeError("channel down"), False, True])

    class Channel:
        platform = "discord"

        async def announce(self, reply: Reply) -> bool:
            calls.append(reply.text)
            outcome = next(outcomes)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    handle = SchedulerHandle(app, {}, clock, announcers=[Channel()])
    assert await handle.announce_pending() == 0  # raised: kept for the next tick
    assert await handle.announce_pending() == 0  # refused: kept too
    assert await handle.announce_pending() == 1
    assert await handle.announce_pending() == 0  # taken: never posted again
    # The two-day-old broadcast is not replayed.
    assert calls == ["📣 <b>Message from the program team</b>\n\nhi"] * 3
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.get_one(Broadcast, fresh_id)
        assert row.announced_at == clock.now


async def test_a_draft_for_an_unknown_city_or_nobody_is_warned_about_in_the_chat(
    app: App, chat: Callable[..., ChatDriver]
) -> None:
    await population(app)
    staffer = chat("staffer")
    await staffer.send("/broadcast new city=Atlantis attended")
    assert staffer.text.splitlines()[1:] == [
        "⚠️ Nobody matches this audience: the broadcast would reach no one.",
        "⚠️ No workshop is in the city “Atlantis”. Check the spelling.",
    ]
    await staffer.send("/broadcast text Hello")
    assert staffer.text.startswith("⚠️ Nobody matches this audience: the broadcast would reach no one.\n")
    # A warning, not a refusal: staff may still mean it (a city whose workshop is not yet in the bot).
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = list(await uow.session.scalars(select(Broadcast)))
    assert [(b.status, b.audience, b.texts) for b in rows] == [
        ("draft", {"city": "Atlantis", "registration": "attended"}, {"en": "Hello"})
    ]
    await staffer.send("/broadcast new platform=telegram")
    assert "⚠️" not in staffer.text
