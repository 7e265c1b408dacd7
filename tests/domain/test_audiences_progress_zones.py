"""Audiences as staff type them, course progress counting, and the home-zone rule."""

from __future__ import annotations

import pytest

from bot.content import Content, load_content
from bot.domain.audiences import Audience, AudienceError
from bot.domain.broadcasts import MAX_TEXT, EmptyText, TextTooLong, check_text
from bot.domain.home_zone import inferred_zone, zone_rule
from bot.domain.progress import UnknownLecture, course_progress, current_lecture
from bot.settings import LANGUAGES, PROJECT_ROOT


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(PROJECT_ROOT / "content")


def test_an_audience_reads_every_criterion() -> None:
    audience = Audience.parse("platform=Telegram lang=IT city=Reggio_Emilia attended urgent", LANGUAGES)
    assert audience == Audience(
        platform="telegram", language="it", city="Reggio Emilia", registration="attended", urgent=True
    )
    assert Audience.from_json(audience.to_json()) == audience
    assert Audience.parse("everyone", LANGUAGES) == Audience()
    assert Audience.parse("stage=done", LANGUAGES).stage == "completed"


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("lang=xx", "lang=xx"),
        ("workshop=abc registered", "workshop=abc"),
        ("workshop=3", "registered|waiting|attended"),
        ("waiting", "workshop=ID|city=NAME"),
    ],
)
def test_an_audience_refusal_names_the_part(text: str, part: str) -> None:
    with pytest.raises(AudienceError) as refused:
        Audience.parse(text, LANGUAGES)
    assert refused.value.part == part


def test_broadcast_text_is_stripped_and_limited() -> None:
    assert check_text("  hi \n") == "hi"
    with pytest.raises(EmptyText):
        check_text("   ")
    with pytest.raises(TextTooLong) as refused:
        check_text("x" * (MAX_TEXT + 1), "de")
    assert (refused.value.length, refused.value.limit, refused.value.language) == (MAX_TEXT + 1, MAX_TEXT, "de")


def test_progress_counts_current_lectures_only(content: Content) -> None:
    first_part = content.lectures.parts[0]
    keys = [lecture.key for lecture in first_part.lecture_list()]
    progress = course_progress(content, {*keys, "99.1"})
    assert progress.done == frozenset(keys)
    assert (progress.parts[0].done, progress.parts[0].total) == (len(keys), len(keys))
    assert [part.done for part in progress.parts[1:]] == [0] * (len(progress.parts) - 1)
    assert progress.total == len(content.all_lectures())
    assert progress.next_key == content.lectures.parts[1].lecture_list()[0].key
    assert not progress.complete


def test_every_lecture_marked_is_complete(content: Content) -> None:
    progress = course_progress(content, [lecture.key for lecture in content.all_lectures()])
    assert (progress.complete, progress.next_key, progress.share) == (True, None, 1.0)
    assert course_progress(content, []).share == 0.0


def test_a_lecture_key_is_checked_against_the_current_content(content: Content) -> None:
    assert current_lecture(content, "1.1").key == "1.1"
    with pytest.raises(UnknownLecture) as refused:
        current_lecture(content, "99.1")
    assert refused.value.key == "99.1"


def test_the_home_zone_rule_prefers_chosen_then_venue_then_language_then_default() -> None:
    assert zone_rule("America/Lima", "Europe/Rome", "ko", "UTC") == "America/Lima"
    assert zone_rule(None, "Europe/Rome", "ko", "UTC") == "Europe/Rome"
    assert zone_rule("Not/AZone", None, "ko", "UTC") == "Asia/Seoul"
    assert zone_rule(None, None, "fr", "Europe/Paris") == "Europe/Paris"
    assert inferred_zone(None, "en") is None
