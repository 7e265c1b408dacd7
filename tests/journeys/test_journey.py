"""One participant's whole journey, written once and run on every door and both databases.

Anna (her platform speaks German) pre-registers for a workshop whose date is to be announced; staff set the date
with the CLI while the bot runs; the workshop fills and Bruno (Italian) is wait-listed; Anna cancels and the seat
offer reaches Bruno, whose Confirm button in the notice confirms the seat; Bruno asks the team, staff answer from
their staff chat; his study reminder fires at its time; a staff broadcast to his segment arrives once; after
/deleteme nothing more arrives. Every message that comes later is checked where the platform shows it: exactly
once, privately, in the person's language, with buttons that work.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage.models import Delivery, Question, Registration
from tests.journeys.conftest import door_world
from tests.journeys.world import DoorDriver, Person, Seen, World, plain, tr

# "mixed": each person linked on Telegram and Discord with /link, switching between them as they go.
DOORS = ["console", "telegram", "discord", "mixed"]

# The program's own messages (msgids), as the person must read them in their language.
PREREGISTERED = (
    "You are pre-registered for the workshop in {city} (number {position}). Its date is not announced "
    "yet; when it is, I will tell you, and places are confirmed in order of registration."
)
WAITLISTED = (
    "The workshop in {city} is full. You are number {position} on the waiting list. If a seat becomes "
    "free I will message you, and you will have {duration} to confirm it."
)
OFFERED = (
    "Good news: a seat is free at the workshop in {city}, and it is yours if you confirm it by {deadline} "
    "({zone}). After that it passes to the next person on the waiting list."
)
CONFIRMED = "You are confirmed for the workshop in {city} on {when}. The calendar file is attached."


# -- reading what people see ----------------------------------------------------------------------------------------


def fragment(lang: str, message: str, **known: object) -> str:
    """The longest stretch of a translated message that does not depend on values the test cannot know."""
    text = tr(lang, message)
    assert lang == "en" or text != message, f"no {lang} translation of {message!r}"
    for key, value in known.items():
        text = text.replace("{" + key + "}", str(value))
    return max(re.split(r"\{\w+\}", plain(text)), key=len).strip()


def says(seen: Seen, lang: str, message: str, **known: object) -> bool:
    return fragment(lang, message, **known) in seen.text


def with_button(seen: list[Seen], label: str) -> Seen:
    found = [s for s in seen if label in s.labels]
    assert found, f"no message with a {label!r} button in {[s.labels for s in seen]}"
    return found[-1]


def milan_in(lang: str) -> str:
    """Milan as the person's language names it (Mailand, Milano...)."""
    from bot.content import load_content
    from bot.settings import PROJECT_ROOT

    return load_content(PROJECT_ROOT / "content").city_name("Milan", lang)


async def choose(door: DoorDriver, person: Person, seen: list[Seen], *labels: str) -> list[Seen]:
    """Press a series of buttons, each in the answer to the one before."""
    for label in labels:
        seen = await door.press(person, with_button(seen, label), label)
    return seen


def one(door: DoorDriver, person: Person) -> Seen:
    """The one message that reached the person since the last look; it must be theirs alone."""
    arrived = door.inbox(person)
    assert len(arrived) == 1, f"{person.name} got {len(arrived)} messages: {[s.text[:60] for s in arrived]}"
    [seen] = arrived
    assert seen.private and seen.only_them, f"{person.name}'s notice was not private: {seen.text[:60]}"
    return seen


async def sign_up(door: DoorDriver, person: Person, city: str, first_button: str) -> list[Seen]:
    lang = person.lang
    listing = await door.say(person, "/workshops")
    shown = await choose(door, person, listing, city)
    return await choose(door, person, shown, tr(lang, first_button), tr(lang, "I agree"), "2000–2009", "2001")


async def deliveries_for(world: World, user_id: int) -> int:
    """Outbox rows for a person, whatever became of them."""
    assert world.app.storage is not None
    async with world.app.storage.unit_of_work() as uow:
        found = await uow.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.user_id == user_id))
        return int(found or 0)


async def asker_of(world: World, question_id: int) -> int:
    assert world.app.storage is not None
    async with world.app.storage.unit_of_work() as uow:
        question = await uow.session.get_one(Question, question_id)
        return question.user_id


# -- the journey ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", DOORS)
async def test_a_participants_whole_journey(
    platform: str, db_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with door_world(platform, db_kind, tmp_path, monkeypatch) as (world, door):
        anna = door.person("anna", "de")
        bruno = door.person("bruno", "it")
        staff = door.staff()
        milan = await world.workshop_id("milan-2026")

        # 1. Anna opens the bot and pre-registers for Milan, whose date is to be announced.
        [welcome, *_rest] = await door.say(anna, "/start")
        assert says(welcome, "de", "Hello, {name}!")
        assert tr("de", "Workshops") in welcome.labels
        done = await sign_up(door, anna, milan_in("de"), "Pre-register")
        assert says(
            done[-1],
            "de",
            PREREGISTERED,
            city=milan_in("de"),
            position=1,
        )
        await world.settle()
        assert door.inbox(anna) == []

        # 2. Staff set the date with the CLI while the bot runs: the notice reaches Anna, in German.
        starts = (world.clock.now + timedelta(days=30)).astimezone(ZoneInfo("Europe/Rome"))
        await world.cli("workshop", "edit", str(milan), "--capacity", "1")
        await world.cli("workshop", "set-date", str(milan), starts.strftime("%Y-%m-%d 10:00"))
        await world.settle()
        dated = one(door, anna)
        assert says(
            dated, "de", "The date of the workshop in {city} is set, and your place is confirmed.", city=milan_in("de")
        )
        mine = await door.press(anna, dated, tr("de", "My sign-ups"))
        assert any(milan_in("de") in seen.text for seen in mine)

        # 3. The workshop is full: Bruno is wait-listed; Anna cancels; the offer reaches Bruno, who confirms it in
        # the notice itself.
        waiting = await sign_up(door, bruno, milan_in("it"), "Join the waiting list")
        assert says(
            waiting[-1],
            "it",
            WAITLISTED,
            city=milan_in("it"),
            position=1,
        )
        listing = await door.say(anna, "/mysignups")
        cancelled = await choose(
            door, anna, listing, tr("de", "Cancel: {city}", city=milan_in("de")), tr("de", "Yes, cancel it")
        )
        assert says(
            cancelled[-1], "de", "Your registration for the workshop in {city} is cancelled.", city=milan_in("de")
        )
        await world.settle()
        offer = one(door, bruno)
        assert says(
            offer,
            "it",
            OFFERED,
            city=milan_in("it"),
        )
        confirmed = await door.press(bruno, offer, tr("it", "Confirm my seat"))
        assert any(
            says(
                s,
                "it",
                CONFIRMED,
                city=milan_in("it"),
            )
            for s in confirmed
        )
        assert world.app.storage is not None
        async with world.app.storage.unit_of_work() as uow:
            statuses = sorted((await uow.session.scalars(select(Registration.status))).all())
        assert statuses == ["cancelled", "confirmed"]
        assert door.inbox(anna) == []

        # 4. Bruno asks the team; staff answer from their staff chat; the answer reaches him.
        thanks = await door.say(bruno, "/team C'è un parcheggio vicino alla sede?")
        assert thanks and all(seen.only_them for seen in thanks)
        await world.settle()
        [question_id] = await world.question_ids()
        confirmation = await door.answer_question(staff, question_id, "Sì, dietro la sede & gratis.")
        assert confirmation[-1].text == plain(
            tr("en", "Answer to #{id} is on its way to {name}. If it cannot be delivered, I will tell you.")
        ).format(id=question_id, name=bruno_name(door, bruno))
        await world.settle()
        answered = one(door, bruno)
        assert says(answered, "it", "<b>The program team answered your question</b>")
        assert "Sì, dietro la sede & gratis." in answered.text
        assert door.inbox(staff) == []

        # 5. A study reminder fires at its time (the clock moves; nothing sleeps), naming the next lecture.
        await door.say(bruno, "/remind daily 19:00")
        await world.later(hours=9, minutes=1)
        reminder = one(door, bruno)
        assert says(reminder, "it", "⏰ Time to study!")
        first = world.app.content.all_lectures()[0]
        assert f" {first.key} " in reminder.text and first.title in reminder.text

        # 6. A staff broadcast to a segment that includes Bruno arrives once; Anna is not in it.
        await world.cli(
            "broadcast", "new", "--to", "lang=it", "--text", "Hello", "--text-in", "it", "Ciao a tutti!", "--yes"
        )
        await world.settle()
        broadcast = one(door, bruno)
        assert says(broadcast, "it", "📣 <b>Message from the program team</b>") and "Ciao a tutti!" in broadcast.text
        assert door.inbox(anna) == []

        # 7. After /deleteme nothing more arrives: not the next reminder, not a broadcast to everyone.
        bruno_id = await asker_of(world, question_id)
        asked = await door.say(bruno, "/deleteme")
        await choose(door, bruno, asked, tr("it", "Yes, delete my data"))
        assert await deliveries_for(world, bruno_id) == 0
        await world.cli("broadcast", "new", "--to", "everyone", "--text", "For everyone", "--yes")
        await world.later(days=1)
        assert door.inbox(bruno) == []
        assert "For everyone" in one(door, anna).text
        assert await deliveries_for(world, bruno_id) == 0
        assert door.misdirected() == []


def bruno_name(door: DoorDriver, person: Person) -> str:
    """The name staff see: the display name on the platform the person used last."""
    platform = getattr(person, "last", door.platform)
    return person.name.title() if platform == "telegram" else person.name
