from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bot.app import App
from bot.core.actions import Action, act
from storage.models import LectureProgress
from tests.helpers import ChatDriver, user_id_of


async def _marked(app: App, name: str) -> set[str]:
    user_id = await user_id_of(app, name)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.scalars(select(LectureProgress.lecture_key).where(LectureProgress.user_id == user_id))
        return set(rows)


async def test_lectures_show_parts_and_a_part_marks_each_lecture(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/done 1.2")
    await alice.send("/lectures")
    assert "(24 lectures)" in alice.text
    assert "▓░░░░░░░░░ 1/8" in alice.text
    assert "░░░░░░░░░░ 0/6" in alice.text
    await alice.press("Part 1")
    assert "⬜ 1.1  Global Context and Local Conditions of Sustainability" in alice.text
    assert "✅ 1.2  The Metropolitan Century" in alice.text
    await alice.press("Done 1.1")
    assert "✅ 1.1  Global Context" in alice.text
    assert "▓▓░░░░░░░░ 2/8" in alice.text
    await alice.press("Undo 1.2")
    assert "⬜ 1.2  The Metropolitan Century" in alice.text
    assert await _marked(app, "alice") == {"1.1"}


async def test_done_and_undo_commands(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/done 3.2")
    assert alice.text.startswith("Marked 3.2 “Urban Planning & Future of Infrastructures” as watched.\n1 of 24")
    await alice.send("/done 3.2")
    assert "You had already marked 3.2" in alice.text
    await alice.send("/undo 3.2")
    assert "3.2 “Urban Planning & Future of Infrastructures” is no longer marked as watched.\n0 of 24" in alice.text
    await alice.send("/undo 3.2")
    assert "was not marked as watched" in alice.text
    assert await _marked(app, "alice") == set()


async def test_garbage_done_is_refused_and_changes_nothing(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/done 1.1")
    garbage_items = ["", "9", "0", "3.9", "9.1", "0.0", "1.1; DROP TABLE", "abc", "1.1.1", "-1.1", "2 1.9"]
    garbage_items += ["３.２", "３"]  # full-width digits are not lecture numbers
    for garbage in garbage_items:
        await alice.send(f"/done {garbage}".strip())
        assert ("There is no lecture" in alice.text) or ("Which lecture?" in alice.text), garbage
    assert await _marked(app, "alice") == {"1.1"}


async def test_forged_and_stale_buttons_are_refused_with_no_change(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/done 1.1")
    forged = [
        act("prog.done", "9.9"),
        act("prog.done", "1.1", "2.2"),
        Action("prog.done"),
        act("prog.undo", "7.1"),
        act("prog.next", "5.5"),
        act("prog.part", "7"),
        act("prog.part", "x"),
        act("prog.part"),
    ]
    for action in forged:
        await alice.press_action(action)
        assert "That button is no longer valid" in alice.text, action
    # A Continue pressed twice (a stale message): the second press changes nothing.
    await alice.send("/progress")
    await alice.press("Continue")
    assert await _marked(app, "alice") == {"1.1", "1.2"}
    await alice.press_action(act("prog.next", "1.2"))
    assert "You had already marked 1.2 as watched" in alice.text
    assert await _marked(app, "alice") == {"1.1", "1.2"}


async def test_progress_next_lecture_and_continue(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/done 1.1")
    await alice.send("/done 1.3")
    await alice.send("/progress")
    assert "Part 1: ▓▓░░░░░░░░ 2/8" in alice.text
    assert "Overall: 2 of 24 lectures (8%)." in alice.text
    assert "Next: 1.2 “The Metropolitan Century”" in alice.text
    assert alice.button("City Resilience Training").url == "https://www.cityresiliencetraining.com/"
    await alice.press("Continue: mark 1.2 watched")
    assert alice.last[0].edit
    assert "Overall: 3 of 24 lectures (12%)." in alice.text
    assert "Next: 1.4 “Data for Urban Inclusion”" in alice.text
    assert await _marked(app, "alice") == {"1.1", "1.2", "1.3"}


async def test_progress_on_lectures_removed_from_content_is_kept_not_counted(
    chat: Callable[..., ChatDriver], app: App
) -> None:
    alice = chat("alice")
    await alice.send("/done 2.1")
    user_id = await user_id_of(app, "alice")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        uow.session.add(LectureProgress(user_id=user_id, lecture_key="5.1"))
        uow.session.add(LectureProgress(user_id=user_id, lecture_key="1.9"))
        await uow.commit()
    await alice.send("/progress")
    assert "Overall: 1 of 24 lectures (4%)." in alice.text
    assert "Part 1: ░░░░░░░░░░ 0/8" in alice.text
    await alice.send("/done 1.9")
    assert "There is no lecture “1.9”" in alice.text
    async with app.storage.unit_of_work() as uow:
        count = await uow.session.scalar(select(func.count()).where(LectureProgress.user_id == user_id))
    assert count == 3


async def test_the_last_lecture_congratulates_with_the_course_certificate(
    chat: Callable[..., ChatDriver], app: App
) -> None:
    alice = chat("alice")
    await alice.send("/name Alice Liddell")
    keys = [lecture.key for lecture in app.content.all_lectures()]
    for key in keys[:-1]:
        await alice.send(f"/done {key}")
        assert "Congratulations" not in alice.text
    await alice.send("/progress")
    await alice.press("Continue")
    assert "Overall: 24 of 24 lectures (100%)." in alice.text
    assert "Congratulations: you have marked every lecture of the course as watched!" in alice.text
    assert "filling out the form available at the end of the course" in alice.text
    assert "It is not the official certificate, which needs the required coursework and the form" in alice.text
    assert "Your verifiable record: http://127.0.0.1:8080/verify/" in alice.text
    # Later looks at the progress are a plain summary: the congratulations came once.
    await alice.send("/progress")
    assert len(alice.last) == 1
    assert "Congratulations" not in alice.text
    assert alice.text.endswith(
        "Overall: 24 of 24 lectures (100%).\n\n✅ Every lecture is marked as watched. /certificate shows your course "
        "record and how to request the official certificate."
    )
    # Marking again what is already marked is no new completion either.
    await alice.send("/done 4.5")
    assert "Congratulations" not in alice.text and len(alice.last) == 1


async def test_done_takes_several_keys_or_a_whole_part(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/done 1.3 1.4")
    assert alice.text == "Marked 2 lectures as watched: 1.3, 1.4.\n2 of 24 lectures watched."
    await alice.send("/done 1.4, 2")
    assert alice.text == (
        "Marked 6 lectures as watched: 2.1, 2.2, 2.3, 2.4, 2.5, 2.6.\n1 was already marked: 1.4.\n"
        "8 of 24 lectures watched."
    )
    assert await _marked(app, "alice") == {"1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"}
    await alice.send("/done 2")
    assert alice.text == "6 were already marked: 2.1, 2.2, 2.3, 2.4, 2.5, 2.6.\n8 of 24 lectures watched."
    # One unknown item refuses the whole list: nothing from it is marked.
    await alice.send("/done 3.1 3.9")
    assert alice.text.startswith("There is no lecture “3.9”.")
    assert "3.1" not in await _marked(app, "alice")
    # A whole course in parts completes it once, with the congratulations.
    await alice.send("/name Alice")
    await alice.send("/done 1 3 4")
    assert alice.last[0].text.startswith("Marked 16 lectures as watched: 1.1, 1.2, 1.5, 1.6, 1.7, 1.8, 3.1,")
    assert "24 of 24 lectures watched." in alice.last[0].text
    assert "Congratulations: you have marked every lecture of the course as watched!" in alice.last[1].text
