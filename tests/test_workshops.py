"""Workshop sign-up through the real dispatcher and a real SQLite file: flows, offers, refusals, time zones."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.core.actions import act
from bot.domain.workshops import checkin_code_for
from bot.services import workshop_admin
from bot.services.seats import expire_offers
from handlers.workshop_views import outbox_notifier
from storage import workshops as ws
from storage.models import Workshop
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver
from tests.workshop_helpers import (
    deliveries,
    make_workshop,
    registration_id,
    registrations,
    user_row,
    workshop,
)

ALREADY = "You are already registered for this workshop."


async def _all_workshops(app: App) -> list[Workshop]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return await ws.list_workshops(uow.session)


async def join(driver: ChatDriver, workshop_id: int) -> str:
    await driver.press_action(act("ws.join", workshop_id, "skip"))
    return driver.text


async def test_sign_up_by_buttons_confirms_with_calendar_file(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), venue="Palazzo Reale", capacity=5)
    alice = chat("alice")
    await alice.send("/workshops")
    assert "Milan · open · 5 of 5 seats left" in alice.text
    await alice.press("Milan")
    assert "Venue: Palazzo Reale" in alice.text
    await alice.press("Sign up")
    assert "Do you agree?" in alice.text
    await alice.press("I agree")
    assert "In which year were you born?" in alice.text
    assert "attendees under 35" in alice.text
    await alice.press("1990–1999")
    await alice.press("1997")
    assert alice.text.startswith("You are confirmed for the workshop in Milan on Monday, April 20, 2026")
    [attachment] = alice.last[0].files
    assert attachment.filename == "workshop-milan.ics"
    assert b"DTSTART;TZID=Europe/Rome:20260420T150000" in attachment.data
    assert alice.last[0].personal
    assert await registrations(app, wid) == [("alice", "confirmed", None)]
    user = await user_row(app, "alice")
    assert user.birth_year == 1997
    # The next sign-up skips the year question: it is known.
    other = await make_workshop(app, clock(), city="Athens", zone="Europe/Athens", capacity=5)
    await alice.press_action(act("ws.consent", other))
    assert alice.text.startswith("You are confirmed for the workshop in Athens")


async def test_skipping_the_birth_year_says_what_it_means(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock())
    bob = chat("bob")
    await bob.press_action(act("ws.consent", wid))
    await bob.press("Skip")
    assert "The workshop certificate is for attendees under 35" in bob.text
    assert "the certificate cannot be issued to you until you add it" in bob.text
    assert (await user_row(app, "bob")).birth_year is None
    await bob.send("/mysignups")
    await bob.press("Add my year of birth")
    await bob.press("2000–2009")
    await bob.press("2001")
    assert bob.text == "Thank you: your year of birth (2001) is saved."
    assert (await user_row(app, "bob")).birth_year == 2001


async def test_double_press_gives_one_registration(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock())
    alice = chat("alice")
    await alice.send("/start")
    first = await join(alice, wid)
    assert first.startswith("You are confirmed")
    second = await join(alice, wid)
    assert second == ALREADY + "\nYour place is confirmed."
    # Pressed twice at once, by someone new to this workshop.
    bob = chat("bob")
    await bob.send("/start")
    bob2 = chat("bob")
    await asyncio.gather(join(bob, wid), join(bob2, wid))
    texts = sorted([bob.text, bob2.text])
    assert texts[0] == ALREADY + "\nYour place is confirmed."
    assert texts[1].startswith("You are confirmed")
    assert await registrations(app, wid) == [("alice", "confirmed", None), ("bob", "confirmed", None)]
    # Pressing "Sign up" again only says so.
    await alice.press_action(act("ws.signup", wid))
    assert alice.text == ALREADY


async def test_full_workshop_waitlists_with_position_and_suggests_others(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), capacity=1)
    await make_workshop(app, clock(), city="Geneva", zone="Europe/Zurich", capacity=3)
    # Not suggested: a full one, one with registration closed, and an undated one bob already pre-registered for.
    zurich = await make_workshop(app, clock(), city="Zurich", zone="Europe/Zurich", capacity=1)
    closed = await make_workshop(app, clock(), city="Lyon", zone="Europe/Paris", capacity=5)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        await workshop_admin.set_registration_open(uow, closed, False, clock())
    await join(chat("alice"), wid)
    await join(chat("alice"), zurich)
    bob, carol = chat("bob"), chat("carol")
    athens = next(w.id for w in await _all_workshops(app) if w.city == "Athens")
    await join(bob, athens)
    assert (await join(bob, wid)).startswith("The workshop in Milan is full. You are number 1 on the waiting list.")
    assert "you will have 48 hours to confirm it" in bob.text
    assert "still take registrations" not in bob.text
    assert "\n\nOther workshops with free seats: Geneva.\n\n" in bob.text
    assert (
        "\n\nNot dated yet, open for pre-registration (places are confirmed in order when the date is set): "
        "Baku, Brescia, and Cairo.\n\n"
    ) in bob.text
    assert [b.label for row in bob.last[0].buttons for b in row] == [
        "Geneva",
        "Baku",
        "Brescia",
        "Cairo",
        "My sign-ups",
    ]
    assert (await join(carol, wid)).startswith("The workshop in Milan is full. You are number 2")
    await carol.send("/workshops")
    assert "Milan · full · 2 people on the waiting list" in carol.text


async def test_cancel_promotes_exactly_one_who_is_told_in_their_language(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), capacity=2)
    alice, bob, carla, dan = chat("alice"), chat("bob"), chat("carla"), chat("dan")
    await carla.send("/language it")
    for person in (alice, bob, carla, dan):
        await join(person, wid)
    assert [r[1] for r in await registrations(app, wid)] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert await deliveries(app) == []

    await alice.send("/mysignups")
    await alice.press("Cancel: Milan")
    assert alice.text.startswith("Cancel your place at the workshop in Milan")
    assert [r[1] for r in await registrations(app, wid)] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    await alice.press("Yes, cancel it")
    assert alice.text == "Your registration for the workshop in Milan is cancelled."
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "confirmed", "offered", "waitlisted"]
    [(who, kind, text)] = await deliveries(app)
    assert (who, kind) == ("carla", "workshop.offered")
    # Written in Carla's language: Babel writes the date in Italian.
    assert "lunedì 20 aprile 2026" in text
    assert "sabato 4 aprile 2026" not in text

    await carla.send("/mysignups")
    # Carla chose Italian: her buttons and replies are in Italian.
    assert "Conferma: Milano" in [b.label for row in carla.last[0].buttons for b in row]
    await carla.press("Conferma: Milano")
    assert carla.text.startswith("Il tuo posto al workshop di Milano (")
    assert carla.text.endswith(") è confermato. In allegato trovi il file del calendario.\nSede: da definire")
    assert carla.last[0].files[0].filename == "workshop-milan.ics"
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    await dan.send("/mysignups")
    assert "You are number 1 on the waiting list." in dan.text


async def test_expired_offer_passes_the_seat_on(app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]) -> None:
    wid = await make_workshop(app, clock(), capacity=1)
    alice, bob, carol = chat("alice"), chat("bob"), chat("carol")
    for person in (alice, bob, carol):
        await join(person, wid)
    reg = await registration_id(app, "alice", wid)
    await alice.press_action(act("ws.cancel_yes", reg))
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "offered", "waitlisted"]
    clock.advance(hours=47)
    await carol.send("/workshops")  # reading seats expires lazily; nothing is due yet
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "offered", "waitlisted"]
    clock.advance(hours=2)
    await carol.send("/workshops")
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "cancelled", "offered"]
    assert [(w, k) for w, k, _t in await deliveries(app)] == [
        ("bob", "workshop.offered"),
        ("bob", "workshop.offer_expired"),
        ("carol", "workshop.offered"),
    ]
    bob_reg = await registration_id(app, "bob", wid)
    await bob.press_action(act("ws.accept", bob_reg))
    assert bob.text == "I can't find that sign-up among yours. Send /mysignups to see them."


async def test_expire_offers_for_the_scheduler(app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]) -> None:
    wid = await make_workshop(app, clock(), capacity=1)
    for name in ("alice", "bob", "carol"):
        await join(chat(name), wid)
    await chat("alice").press_action(act("ws.cancel_yes", await registration_id(app, "alice", wid)))
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        now = clock() + timedelta(hours=48)
        expired = await expire_offers(
            uow.session,
            now,
            notify=outbox_notifier(uow.session, app.settings, now, app.content.city_names),
            offer_hours=48,
        )
        await uow.commit()
    assert len(expired) == 1
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "cancelled", "offered"]


async def _unchanged(app: App, action: Callable[[], object]) -> list[tuple[str, str, object]]:
    before = (await registrations(app), await deliveries(app))
    await action()  # type: ignore[misc]
    assert (await registrations(app), await deliveries(app)) == before
    return before[0]


async def test_every_refusal_changes_nothing(app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]) -> None:
    staff, alice, bob = chat("staffer"), chat("alice"), chat("bob")
    wid = await make_workshop(app, clock(), capacity=5)
    await join(alice, wid)

    await _unchanged(app, lambda: join(bob, 999))
    assert bob.text == "There is no workshop with that number. Send /workshops to see them."
    await _unchanged(app, lambda: bob.press_action(act("ws.join", "x1", "skip")))
    assert bob.text == "There is no workshop with that number. Send /workshops to see them."

    closed = await make_workshop(app, clock(), city="Athens", zone="Europe/Athens")
    await staff.send(f"/ws_close {closed}")
    await _unchanged(app, lambda: join(bob, closed))
    assert bob.text == "Registration for the workshop in Athens is closed."

    cancelled = await make_workshop(app, clock(), city="Cairo", zone="Africa/Cairo")
    await staff.send(f"/ws_cancel {cancelled}")
    await staff.press("Yes, cancel the workshop")
    await _unchanged(app, lambda: join(bob, cancelled))
    assert bob.text == "The workshop in Cairo has been cancelled."

    soon = await make_workshop(app, clock(), city="Baku", zone="Asia/Baku", start="2026-03-02 14:00")
    clock.advance(hours=2)  # 11:00 UTC = 15:00 in Baku: it has started
    await _unchanged(app, lambda: join(bob, soon))
    assert bob.text == "The workshop in Baku has already taken place."

    alice_reg = await registration_id(app, "alice", wid)
    await _unchanged(app, lambda: bob.press_action(act("ws.cancel_yes", alice_reg)))
    assert bob.text == "I can't find that sign-up among yours. Send /mysignups to see them."
    await _unchanged(app, lambda: bob.press_action(act("ws.cancel", alice_reg)))
    assert bob.text == "I can't find that sign-up among yours. Send /mysignups to see them."

    await _unchanged(app, lambda: alice.send("/checkin WRONG1"))
    assert alice.text == "That check-in code is not right. Please check it on the poster at the venue."
    code = checkin_code_for(await workshop(app, wid))
    await _unchanged(app, lambda: alice.send(f"/checkin {code}"))  # the workshop is weeks away
    assert alice.text == (
        "Check-in for the workshop in Milan opens on Monday, April 20, 2026, 2:00\u202fPM (Europe/Rome), "
        "one hour before the start. Send the code again then."
    )
    await _unchanged(app, lambda: bob.send(f"/checkin {code}"))  # not registered
    assert bob.text.startswith("You do not have a confirmed seat at this workshop")
    await _unchanged(app, lambda: bob.send(f"/ws_list {wid}"))
    assert bob.text == "That is only for the program staff."
    assert await registrations(app, wid) == [("alice", "confirmed", None)]


async def test_check_in_by_code_and_deep_link_within_the_window(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), start="2026-03-03 15:00", duration=120)  # 14:00-16:00 UTC
    alice, bob, staff = chat("alice"), chat("bob"), chat("staffer")
    await join(alice, wid)
    await join(bob, wid)
    code = checkin_code_for(await workshop(app, wid))
    assert code is not None
    clock.now = datetime(2026, 3, 3, 12, 59, tzinfo=UTC)  # 61 minutes early
    await alice.send(f"/checkin {code.lower()}")
    assert alice.text.startswith("Check-in for the workshop in Milan opens on Tuesday, March 3, 2026, 2:00\u202fPM")
    clock.now = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    await alice.send(f"/start ci_{code}")
    assert alice.text == "Welcome to the workshop in Milan! Your attendance is recorded."
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # it has ended
    await bob.send(f"/checkin {code}")
    assert bob.text == "Check-in for the workshop in Milan closed when the workshop ended."
    users = {r[0]: r[2] for r in await registrations(app, wid)}
    assert users == {"alice": datetime(2026, 3, 3, 13, 0, tzinfo=UTC), "bob": None}
    bob_id = (await user_row(app, "bob")).id
    await staff.send(f"/ws_attend {wid} {bob_id}")
    assert staff.text == f"Attendance recorded for participant {bob_id}."
    await staff.send("/ws_counts")
    assert "Milan: 2 / 0 / 2" in staff.text
    await staff.send(f"/ws_list {wid}")
    assert f"{bob_id}  bob — confirmed ✓" in staff.text


async def test_workshop_page_deep_link(app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]) -> None:
    wid = await make_workshop(app, clock(), venue="Università Cattolica")
    alice = chat("alice")
    await alice.send(f"/start ws_{wid}")
    assert alice.text.startswith(
        "Milan — Young Urban Leadership: Perspectives in Dialogue\nVenue: Università Cattolica"
    )
    assert alice.button("Sign up").action == act("ws.signup", wid)


async def test_times_across_daylight_saving_changes(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    staff, alice = chat("staffer"), chat("alice")
    # Created on 2 March (CET, UTC+1) for the last Sunday of March (CEST, UTC+2) and of October (CET again).
    spring = await make_workshop(app, clock(), start="2026-03-29 10:00")
    autumn = await make_workshop(app, clock(), city="Brescia", start="2026-10-25 10:00")
    assert (await workshop(app, spring)).starts_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert (await workshop(app, autumn)).starts_at == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    await alice.press_action(act("ws.show", spring))
    assert "When: Sunday, March 29, 2026, 10:00\u202fAM (Europe/Rome, local time)" in alice.text
    assert "Your time" not in alice.text  # alice set no zone: no second time in a zone that is not hers
    await alice.press_action(act("ws.show", autumn))
    assert "When: Sunday, October 25, 2026, 10:00\u202fAM (Europe/Rome, local time)" in alice.text
    assert "Your time" not in alice.text
    await alice.send("/timezone Asia/Tokyo")
    await alice.press_action(act("ws.show", autumn))
    assert "Your time: Sunday, October 25, 2026, 6:00\u202fPM (Asia/Tokyo)" in alice.text
    await alice.press_action(act("ws.ics", autumn))
    data = alice.last[0].files[0].data.decode()
    assert "DTSTART;TZID=Europe/Rome:20261025T100000" in data
    assert "DTEND;TZID=Europe/Rome:20261025T130000" in data
    assert "TZID:Europe/Rome" in data and "BEGIN:VTIMEZONE" in data
    # 02:30 on 29 March does not exist in Rome: refused, not silently shifted.
    await staff.send(f"/ws_date {spring} 2026-03-29 02:30")
    assert (
        staff.text
        == "2026-03-29 02:30 does not exist in Europe/Rome (the clocks jump forward then). Choose another time."
    )
    assert (await workshop(app, spring)).starts_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    # In Italian, the same moment in Italian words.
    await alice.send("/language it")
    await alice.press_action(act("ws.show", spring))
    assert "Quando: domenica 29 marzo 2026, ore 10:00 (Europe/Rome, ora locale)" in alice.text
    assert "La tua ora: domenica 29 marzo 2026, ore 17:00 (Asia/Tokyo)" in alice.text


async def test_tba_pre_registration_then_date_confirms_in_order(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    staff = chat("staffer")
    await staff.send("/ws_list")
    milan_line = next(line for line in staff.text.splitlines() if " Milan:" in line)
    wid = int(milan_line.split()[0].lstrip("#"))
    assert "date to be announced; capacity 40" in milan_line
    await staff.send(f"/ws_edit {wid} capacity=2")
    people = [chat(name) for name in ("p1", "p2", "p3")]
    for n, person in enumerate(people, start=1):
        await person.press_action(act("ws.show", wid))
        await person.press("Pre-register")
        await person.press("I agree")
        await person.press("Skip")
        assert person.text.startswith(f"You are pre-registered for the workshop in Milan (number {n}).")
    assert [r[1] for r in await registrations(app, wid)] == ["preregistered"] * 3
    await staff.send(f"/ws_date {wid} 2026-05-14 15:00")
    assert staff.text.startswith("Date set; everyone registered has been told.")
    assert [r[1] for r in await registrations(app, wid)] == ["confirmed", "confirmed", "waitlisted"]
    told = await deliveries(app)
    assert [(w, k) for w, k, _t in told] == [
        ("p1", "workshop.date_confirmed"),
        ("p2", "workshop.date_confirmed"),
        ("p3", "workshop.date_waitlisted"),
    ]
    assert "When: Thursday, May 14, 2026, 3:00\u202fPM (Europe/Rome, local time)" in told[0][2]
    assert "you are number 1 on the waiting list" in told[2][2]
    # Seeding again (a restart) keeps the staff's capacity and date.
    assert app.storage is not None
    await workshop_admin.seed_from_content(app.storage, app.content)
    edited = await workshop(app, wid)
    assert (edited.capacity, edited.starts_at) == (2, datetime(2026, 5, 14, 13, 0, tzinfo=UTC))


async def test_moving_the_date_tells_everyone_and_cancel_tells_everyone(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    staff = chat("staffer")
    await staff.send('/ws_new city=Seoul zone=Asia/Seoul capacity=1 start="2026-06-01 10:00" venue="Seoul City Hall"')
    assert staff.text.startswith("Created.\n#9 Seoul: Monday, June 1, 2026, 10:00\u202fAM Asia/Seoul; capacity 1; open")
    for name in ("a", "b"):
        await join(chat(name), 9)
    await staff.send('/ws_edit 9 start="2026-06-02 10:00"')
    assert [(w, k) for w, k, _t in await deliveries(app)] == [
        ("a", "workshop.rescheduled"),
        ("b", "workshop.rescheduled"),
    ]
    await staff.send("/ws_cancel 9")
    assert (
        staff.text == "Cancel the workshop in Seoul (Tuesday, June 2, 2026, 10:00\u202fAM Asia/Seoul)? "
        "2 registered people will be told."
    )
    assert [r[1] for r in await registrations(app, 9)] == ["confirmed", "waitlisted"]
    await staff.press("Yes, cancel the workshop")
    assert staff.text == "The workshop is cancelled; 2 people have been told."
    assert [r[1] for r in await registrations(app, 9)] == ["cancelled", "cancelled"]
    assert [(w, k) for w, k, _t in await deliveries(app)][2:] == [
        ("a", "workshop.workshop_cancelled"),
        ("b", "workshop.workshop_cancelled"),
    ]


async def test_the_clock_tick_passes_a_lapsed_offer_on_without_anyone_using_the_bot(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    from scheduler.clock import SchedulerHandle

    wid = await make_workshop(app, clock(), capacity=1)
    for name in ("alice", "bob", "carol"):
        await join(chat(name), wid)
    await chat("alice").press_action(act("ws.cancel_yes", await registration_id(app, "alice", wid)))
    handle = SchedulerHandle(app, {}, clock)
    clock.advance(hours=47)
    await handle.tick()
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "offered", "waitlisted"]
    clock.advance(hours=1)
    await handle.tick()
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "cancelled", "offered"]
    assert [(w, k) for w, k, _t in await deliveries(app)] == [
        ("bob", "workshop.offered"),
        ("bob", "workshop.offer_expired"),
        ("carol", "workshop.offered"),
    ]


async def test_accepting_a_lapsed_offer_is_refused_without_writing_and_the_tick_passes_it_on(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    from scheduler.clock import SchedulerHandle

    wid = await make_workshop(app, clock(), capacity=1)
    bob = chat("bob")
    for person in (chat("alice"), bob, chat("carol")):
        await join(person, wid)
    await chat("alice").press_action(act("ws.cancel_yes", await registration_id(app, "alice", wid)))
    clock.advance(hours=48)
    before = (await registrations(app, wid), await deliveries(app))
    await bob.press_action(act("ws.accept", await registration_id(app, "bob", wid)))
    assert bob.text == "That seat offer has expired; the seat passes to the next person on the waiting list."
    assert (await registrations(app, wid), await deliveries(app)) == before
    await SchedulerHandle(app, {}, clock).tick()
    assert [r[1] for r in await registrations(app, wid)] == ["cancelled", "cancelled", "offered"]
    assert [(w, k) for w, k, _t in await deliveries(app)][1:] == [
        ("bob", "workshop.offer_expired"),
        ("carol", "workshop.offered"),
    ]


async def test_raising_the_capacity_with_a_new_date_offers_the_new_seats(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), capacity=1)
    for name in ("alice", "bob", "carol"):
        await join(chat(name), wid)
    await chat("staffer").send(f'/ws_edit {wid} capacity=2 start="2026-04-21 15:00"')
    assert [r[1] for r in await registrations(app, wid)] == ["confirmed", "offered", "waitlisted"]
    assert [(w, k) for w, k, _t in await deliveries(app)] == [
        ("alice", "workshop.rescheduled"),
        ("bob", "workshop.rescheduled"),
        ("carol", "workshop.rescheduled"),
        ("bob", "workshop.offered"),
    ]


async def test_notices_follow_the_platform_language_of_someone_who_never_chose_one(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    from bot.domain.audiences import Audience
    from storage.broadcasts import recipient_ids

    wid = await make_workshop(app, clock(), capacity=1)
    alice, bruno = chat("alice"), chat("bruno", locale_hint="it-IT")
    for person in (alice, bruno):
        await join(person, wid)
    assert (await user_row(app, "bruno")).locale is None
    assert (await user_row(app, "bruno")).locale_hint == "it"
    await alice.press_action(act("ws.cancel_yes", await registration_id(app, "alice", wid)))
    [(who, kind, text)] = await deliveries(app)
    assert (who, kind) == ("bruno", "workshop.offered")
    assert "lunedì 20 aprile 2026" in text
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        italians = await recipient_ids(uow.session, Audience.parse("lang=it", ("en", "it")), app.content, "en")
        english = await recipient_ids(uow.session, Audience.parse("lang=en", ("en", "it")), app.content, "en")
    assert italians == [(await user_row(app, "bruno")).id]
    assert (await user_row(app, "alice")).id in english and (await user_row(app, "bruno")).id not in english


async def test_refusals_escape_the_city_and_staff_input(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    staff, alice = chat("staffer"), chat("alice")
    wid = await make_workshop(app, clock(), city="Rome & <Lazio>")
    await staff.send(f"/ws_close {wid}")
    await join(alice, wid)
    assert alice.last[0].text == "Registration for the workshop in Rome &amp; &lt;Lazio&gt; is closed."
    await staff.send(f"/ws_edit {wid} zone=<b>Mars")
    assert staff.last[0].text == ("“&lt;b&gt;Mars” is not a time zone I know. Use an IANA name such as Europe/Rome.")
    await staff.send(f'/ws_edit {wid} start="<i>soon"')
    assert staff.last[0].text == (
        "I could not read the time “&lt;i&gt;soon”. Write it as YYYY-MM-DD HH:MM, e.g. 2026-05-14 15:00."
    )
    await staff.send(f"/ws_edit {wid} <u>=1")
    assert staff.last[0].text.startswith("I don't know the field “&lt;u&gt;”.")
    await staff.send(f"/ws_cancel {wid}")
    await staff.press("Yes, cancel the workshop")
    await staff.send(f"/ws_edit {wid} capacity=3")
    assert staff.last[0].text == "The workshop in Rome &amp; &lt;Lazio&gt; has been cancelled."


async def test_a_past_or_attended_registration_cannot_be_cancelled_and_shows_as_past(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), start="2026-03-03 15:00", duration=120)  # 14:00-16:00 UTC
    alice, bob = chat("alice"), chat("bob")
    await join(alice, wid)
    await join(bob, wid)
    clock.now = datetime(2026, 3, 3, 14, 30, tzinfo=UTC)
    await alice.send(f"/checkin {checkin_code_for(await workshop(app, wid))}")
    alice_reg = await registration_id(app, "alice", wid)
    await _unchanged(app, lambda: alice.press_action(act("ws.cancel_yes", alice_reg)))
    assert alice.text == "You attended this workshop, so the registration cannot be cancelled."
    clock.now = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)  # weeks later
    bob_reg = await registration_id(app, "bob", wid)
    await _unchanged(app, lambda: bob.press_action(act("ws.cancel_yes", bob_reg)))
    assert bob.text == "The workshop in Milan has already taken place."
    await _unchanged(app, lambda: bob.press_action(act("ws.cancel", bob_reg)))
    assert bob.text == "The workshop in Milan has already taken place."
    await bob.send("/mysignups")
    assert "Milan — Tuesday, March 3, 2026, 3:00\u202fPM Europe/Rome\n  This workshop has taken place." in bob.text
    assert [b.label for b in bob.last[0].buttons[0]] == ["Add my year of birth"]
    await alice.send("/mysignups")
    assert "You attended this workshop." in alice.text
    # Checked in without a year: adding one now would decide the certificate, so only the Secretariat can.
    assert "please write to the WeGO Secretariat at" in alice.text
    assert [b.label for row in alice.last[0].buttons for b in row] == ["All workshops"]


async def test_the_calendar_file_of_a_cancelled_workshop_says_it_is_cancelled(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    staff, alice = chat("staffer"), chat("alice")
    wid = await make_workshop(app, clock())
    tba = await make_workshop(app, clock(), city="Athens", zone="Europe/Athens", start="tba")
    await staff.send(f"/ws_cancel {wid}")
    await staff.press("Yes, cancel the workshop")
    await alice.press_action(act("ws.ics", wid))
    assert alice.text == "The workshop in Milan has been cancelled, so there is no calendar file."
    await alice.press_action(act("ws.ics", tba))
    assert alice.text == "This workshop has no date yet, so there is no calendar file."


async def workshop_row(app: App, workshop_id: int) -> Workshop:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return await uow.session.get_one(Workshop, workshop_id)


async def test_a_refused_edit_changes_nothing_it_named(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    """An edit is one use case: a refused date undoes the venue and capacity written before it was read."""
    staff = chat("staffer")
    wid = await make_workshop(app, clock(), capacity=5)
    before = await workshop_row(app, wid)
    await staff.send(f'/ws_edit {wid} venue="Palazzo Nuovo" capacity=9 start="2020-01-01 10:00"')
    assert staff.last[0].text == "That time is in the past."
    after = await workshop_row(app, wid)
    assert (after.venue, after.capacity, after.starts_at) == (before.venue, before.capacity, before.starts_at)
    await staff.send(f'/ws_edit {wid} venue="Palazzo Nuovo" capacity=9')
    assert ((await workshop_row(app, wid)).venue, (await workshop_row(app, wid)).capacity) == ("Palazzo Nuovo", 9)
