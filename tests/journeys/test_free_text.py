"""A conversation in each language that uses only free text and the buttons it brings, from a greeting to a
workshop pre-registration, on the doors where people type freely (Discord members talk through slash commands,
so it has no free text to test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Registration
from tests.journeys.conftest import door_world
from tests.journeys.test_journey import PREREGISTERED, choose, milan_in, says
from tests.journeys.world import tr

# The one seven-language table of a free-text conversation; tests/test_faq_understanding.py drives it through the
# dispatcher alone, this module through each door.
CONVERSATIONS = [
    ("en", "hello!", "when's the workshop in Milan?"),
    ("it", "buongiorno", "quando si tiene il workshop di Milano?"),
    ("de", "guten Tag", "wann findet der Workshop in Mailand statt?"),
    ("fr", "bonjour", "quand a lieu l'atelier de Milan ?"),
    ("ar", "اهلا وسهلا", "ورشة ميلانو امتى؟"),
    ("ko", "안녕하세요", "밀라노 워크숍은 언제 열려요?"),
    ("zh", "您好", "米兰的工作坊是哪天？"),
]


@pytest.mark.parametrize("platform", ["console", "telegram"])
@pytest.mark.parametrize(("lang", "greeting", "question"), CONVERSATIONS)
async def test_from_hello_to_a_workshop_sign_up_in_words_only(
    platform: str, lang: str, greeting: str, question: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with door_world(platform, "sqlite", tmp_path, monkeypatch) as (world, door):
        person = door.person("lin", lang)
        hello = await door.say(person, greeting)
        assert hello and tr(lang, "Workshops") in hello[-1].labels
        answer = await door.say(person, question)
        done = await choose(door, person, answer, tr(lang, "Pre-register"), tr(lang, "I agree"), tr(lang, "Skip"))
        assert says(done[-1], lang, PREREGISTERED, city=milan_in(lang), position=1)
        assert world.app.storage is not None
        async with world.app.storage.unit_of_work() as uow:
            assert (await uow.session.scalars(select(Registration.status))).all() == ["preregistered"]
