"""The year of birth: given at sign-up or added/corrected from /mysignups, typed or chosen, and fixed once a
record rests on it (an attendance counted or a workshop record issued)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.core.actions import act
from bot.domain import workshops as ws
from storage.models import Certificate
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver
from tests.workshop_helpers import make_workshop, registrations, user_row, workshop

IN_USE = (
    "Your year of birth can no longer be added or changed here: your workshop attendance and its certificate rest "
    "on it. To add or correct it, please write to the WeGO Secretariat at secretariat@we-gov.org."
)
NOT_A_YEAR = (
    "That year of birth does not look right. Type it with four digits (for example 1999) or choose it from the buttons."
)


async def _workshop_records(app: App, name: str) -> list[Certificate]:
    user = await user_row(app, name)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        query = select(Certificate).where(Certificate.user_id == user.id, Certificate.kind == "workshop")
        return list(await uow.session.scalars(query))


async def test_an_old_year_button_after_check_in_changes_nothing_and_issues_no_record(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), start="2026-03-03 15:00", duration=120)  # 14:00-16:00 UTC
    alice = chat("alice")
    await alice.send("/name Alice Example")
    await alice.press_action(act("ws.consent", wid))
    await alice.press("1980–1989")
    await alice.press("1980")
    assert alice.text.startswith("You are confirmed for the workshop in Milan")
    assert (await user_row(app, "alice")).birth_year == 1980

    clock.now = datetime(2026, 3, 3, 13, 30, tzinfo=UTC)  # at the venue, half an hour before the start
    await alice.send(f"/checkin {ws.checkin_code_for(await workshop(app, wid))}")
    assert alice.text == "Welcome to the workshop in Milan! Your attendance is recorded."
    await alice.send("/certificate")
    assert "Not eligible by the age rule: 2026 − 1980 = 46, more than 34." in alice.text

    # The 2000 button of the same year question, pressed now.
    await alice.press_action(act("ws.join", wid, 2000))
    assert alice.text == "You are already registered for this workshop.\nYou attended this workshop."
    assert (await user_row(app, "alice")).birth_year == 1980
    # The add/correct flow, forged or pressed: refused, pointing to the Secretariat.
    for action in (act("ws.byear", 2000), act("ws.birth"), act("ws.bdecade", 2000)):
        await alice.press_action(action)
        assert alice.text == IN_USE
    # A year typed with no question pending is not an answer to anything.
    await alice.send("2000")
    assert alice.text != "Thank you: your year of birth (2000) is saved."
    assert (await user_row(app, "alice")).birth_year == 1980

    await alice.send("/certificate")
    assert "Not eligible by the age rule: 2026 − 1980 = 46, more than 34." in alice.text
    assert await _workshop_records(app, "alice") == []
    await alice.send("/mysignups")
    assert not any("year of birth" in b.label for row in alice.last[0].buttons for b in row)


async def test_the_year_is_corrected_only_through_its_flow_while_nothing_rests_on_it(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock())
    bob = chat("bob")
    await bob.press_action(act("ws.consent", wid))
    await bob.press("1990–1999")
    await bob.press("1990")
    # A stale year button of the sign-up question: already registered, the year unchanged.
    await bob.press_action(act("ws.join", wid, 1995))
    assert bob.text == "You are already registered for this workshop.\nYour place is confirmed."
    assert (await user_row(app, "bob")).birth_year == 1990

    await bob.send("/mysignups")
    await bob.press("Correct my year of birth (1990)")
    assert bob.text == "In which year were you born?\nYou can also type the year, for example 1999."
    await bob.press("1990–1999")
    await bob.press("1991")
    assert bob.text == "Thank you: your year of birth (1991) is saved."
    assert (await user_row(app, "bob")).birth_year == 1991

    # Signing up elsewhere with the year known does not ask it again, and an old year button does not change it.
    other = await make_workshop(app, clock(), city="Athens", zone="Europe/Athens")
    await bob.press_action(act("ws.join", other, 1970))
    assert bob.text.startswith("You are confirmed for the workshop in Athens")
    assert (await user_row(app, "bob")).birth_year == 1991


async def test_a_typed_year_answers_the_question_just_asked(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock())
    carol, dave, erin = chat("carol"), chat("dave"), chat("erin")

    await carol.press_action(act("ws.consent", wid))
    assert carol.text.endswith("\nYou can also type the year, for example 1999.")
    await carol.send("1999")
    assert carol.text.startswith("You are confirmed for the workshop in Milan")
    assert (await user_row(app, "carol")).birth_year == 1999

    await dave.press_action(act("ws.consent", wid))
    for wrong in ("1850", "2020", "99", "١٩٩٩٩"):
        await dave.send(wrong)
        assert dave.text == NOT_A_YEAR
    assert [who for who, _status, _at in await registrations(app, wid)] == ["carol"]
    await dave.send("١٩٨٥")  # Arabic-Indic digits
    assert dave.text.startswith("You are confirmed for the workshop in Milan")
    assert (await user_row(app, "dave")).birth_year == 1985
    # Answered: the next number is not a year of birth any more.
    await dave.send("1990")
    assert (await user_row(app, "dave")).birth_year == 1985

    await erin.press_action(act("ws.join", wid, "skip"))
    await erin.send("/mysignups")
    await erin.press("Add my year of birth")
    await erin.send("2001")
    assert erin.text == "Thank you: your year of birth (2001) is saved."
    assert (await user_row(app, "erin")).birth_year == 2001


async def test_a_year_typed_long_after_the_question_is_not_taken_as_the_answer(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock())
    frank = chat("frank")
    await frank.press_action(act("ws.consent", wid))
    clock.advance(hours=2)
    await frank.send("1999")
    assert not frank.text.startswith("You are confirmed")
    assert await registrations(app, wid) == []
    assert (await user_row(app, "frank")).birth_year is None


async def test_an_old_year_button_or_typed_year_after_skipping_leaves_the_year_unset(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    wid = await make_workshop(app, clock(), capacity=1)
    await chat("first").press_action(act("ws.join", wid, "skip"))
    gina = chat("gina")
    await gina.press_action(act("ws.consent", wid))  # the year question, on a screen she keeps
    await gina.press("Skip")
    assert gina.text.startswith("The workshop in Milan is full. You are number 1 on the waiting list.")
    # The year buttons of the question she skipped, and the same question asked again, after the sign-up.
    await gina.press_action(act("ws.join", wid, 1960))
    assert gina.text == "You are already registered for this workshop.\nYou are number 1 on the waiting list."
    await gina.press_action(act("ws.consent", wid))
    assert gina.text == "You are already registered for this workshop."
    await gina.send("1960")
    assert gina.text != "Thank you: your year of birth (1960) is saved."
    assert (await user_row(app, "gina")).birth_year is None
    assert [status for _who, status, _at in await registrations(app, wid)] == ["confirmed", "waitlisted"]
