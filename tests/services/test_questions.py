"""Questions for the team as use cases: typed outcomes, outbox rows, and the one answerable rule."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain import questions as rules
from bot.domain.statuses import DeliveryStatus
from bot.services import questions as service
from bot.settings import LANGUAGES
from handlers.questions import answer_notice, undelivered_notice
from storage.models import Delivery, Question, User
from storage.uow import Storage
from tests.services.conftest import NOW, add_person


async def _ask(storage: Storage, user_id: int, text: str = "Is there parking?", *, per_day: int = 5) -> int:
    async with storage.unit_of_work() as uow:
        view = await service.ask_team(uow, user_id, text, language="it", platform="telegram", now=NOW, per_day=per_day)
    return view.id


async def _answer(storage: Storage, question_id: int, text: str = "Yes, behind the hall.", **kw: object):
    async with storage.unit_of_work() as uow:
        return await service.answer(
            uow,
            question_id,
            text,
            answered_by="telegram:Ada",
            now=NOW,
            default_locale="en",
            languages=LANGUAGES,
            write=answer_notice,
            **kw,  # type: ignore[arg-type]
        )


async def _two_people_and_a_draft(storage: Storage) -> tuple[int, int, int]:
    """Alice and Bob; a question of Alice's the FAQ drafted and nobody asked yet."""
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        bob = await add_person(uow, "bob")
        draft = Question(user_id=alice, text="draft", language="en", platform="telegram", created_at=NOW)
        uow.session.add(draft)
        await uow.session.flush()
        result = alice, bob, draft.id
        await uow.commit()
        return result


async def test_a_question_asked_is_listed_for_the_asker_and_for_staff(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    question_id = await _ask(storage, alice, "  Is there parking?  ")
    async with storage.unit_of_work() as uow:
        mine = await service.open_questions(uow, alice)
        staff = await service.unanswered(uow)
    assert [(q.id, q.text, q.language, q.asked_at) for q in mine] == [(question_id, "Is there parking?", "it", NOW)]
    assert [(q.id, q.asked_by) for q in staff] == [(question_id, "alice")]


async def test_empty_and_overlong_questions_are_refused_and_nothing_is_stored(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    with pytest.raises(rules.QuestionEmpty):
        await _ask(storage, alice, "   ")
    with pytest.raises(rules.QuestionTooLong) as refused:
        await _ask(storage, alice, "x" * (rules.MAX_QUESTION + 1))
    assert refused.value.limit == rules.MAX_QUESTION
    async with storage.unit_of_work() as uow:
        assert list(await uow.session.scalars(select(Question))) == []


async def test_the_daily_limit_refusal_says_when_asking_is_possible_again(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    await _ask(storage, alice, "one", per_day=2)
    await _ask(storage, alice, "two", per_day=2)
    with pytest.raises(rules.TooManyQuestions) as refused:
        await _ask(storage, alice, "three", per_day=2)
    assert (refused.value.per_day, refused.value.until) == (2, NOW + timedelta(days=1))


async def test_an_answer_queues_one_outbox_row_in_the_askers_language(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        # Never chose a language: the answer comes in the one the question was asked in (Italian).
        alice = await add_person(uow, "alice", locale=None)
    question_id = await _ask(storage, alice)
    answered = await _answer(storage, question_id, "  Sì, dietro la sala.  ")
    assert answered == service.Answered(question_id, "alice", "now")
    async with storage.unit_of_work() as uow:
        rows = list(await uow.session.scalars(select(Delivery)))
        question = await uow.session.get_one(Question, question_id)
    assert [(r.user_id, r.kind, r.ref_id, r.status) for r in rows] == [
        (alice, service.ANSWER_KIND, question_id, DeliveryStatus.PENDING)
    ]
    assert rows[0].text.startswith("<b>Il team del programma ha risposto alla tua domanda</b>")
    assert rows[0].text.endswith("Sì, dietro la sala.")
    assert (question.answer, question.answered_by, question.answered_at) == ("Sì, dietro la sala.", "telegram:Ada", NOW)


async def test_an_unreachable_asker_gets_no_outbox_row_and_staff_learn_it_at_once(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice", reachable=False)
    question_id = await _ask(storage, alice)
    answered = await _answer(storage, question_id)
    assert answered.reach == "never"
    async with storage.unit_of_work() as uow:
        assert list(await uow.session.scalars(select(Delivery))) == []


@pytest.mark.parametrize(
    ("answer", "refusal"),
    [("   ", rules.AnswerEmpty(7)), ("x" * (rules.MAX_ANSWER + 1), rules.AnswerTooLong(7, rules.MAX_ANSWER))],
)
def test_a_bad_answer_is_refused_before_the_question_is_looked_at(answer: str, refusal: Exception) -> None:
    with pytest.raises(type(refusal)) as refused:
        rules.check_answerable(7, status=None, answered_by=None, asker_deleted=True, answer=answer)
    assert vars(refused.value) == vars(refusal)


async def test_the_answerable_rule_refuses_unknown_draft_answered_and_deleted(storage: Storage) -> None:
    alice, bob, draft_id = await _two_people_and_a_draft(storage)
    with pytest.raises(rules.NoSuchQuestion) as unknown:
        await _answer(storage, 999)
    assert unknown.value.question_id == 999
    with pytest.raises(rules.NoSuchQuestion):
        await _answer(storage, draft_id)
    asked = await _ask(storage, alice)
    await _answer(storage, asked)
    with pytest.raises(rules.AlreadyAnswered) as twice:
        await _answer(storage, asked, "again")
    assert (twice.value.question_id, twice.value.answered_by) == (asked, "telegram:Ada")
    gone = await _ask(storage, bob)
    async with storage.unit_of_work() as uow:
        (await uow.session.get_one(User, bob)).deleted_at = NOW
        await uow.commit()
    with pytest.raises(rules.AskerGone):
        await _answer(storage, gone)


async def test_a_draft_becomes_a_question_once_and_only_for_its_author(storage: Storage) -> None:
    alice, bob, draft_id = await _two_people_and_a_draft(storage)
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.NoSuchQuestion):
            await service.ask_drafted(uow, bob, draft_id, now=NOW)
    async with storage.unit_of_work() as uow:
        asked = await service.ask_drafted(uow, alice, draft_id, now=NOW)
    assert asked.asked_at == NOW
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.AlreadyAsked):
            await service.ask_drafted(uow, alice, draft_id, now=NOW)


async def test_staff_who_answered_are_told_when_the_answer_did_not_arrive(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
        ada = await add_person(uow, "ada", locale="de")
    question_id = await _ask(storage, alice)
    await _answer(storage, question_id, answered_by_user_id=ada)
    async with storage.unit_of_work() as uow:
        told = await service.tell_staff_undelivered(
            uow,
            {question_id: DeliveryStatus.UNREACHABLE, 999: DeliveryStatus.FAILED},
            now=NOW,
            default_locale="en",
            # The chat's wording: the outbox writes it in the staff member's language.
            write=undelivered_notice,
        )
    assert told == 1
    async with storage.unit_of_work() as uow:
        notice = await uow.session.scalar(select(Delivery).where(Delivery.kind == service.UNDELIVERED_KIND))
    assert notice is not None
    assert (notice.user_id, notice.ref_id) == (ada, question_id)
    assert notice.text.startswith(f"⚠️ Deine Antwort auf Frage #{question_id} konnte alice nicht zugestellt werden")


async def test_saving_as_faq_needs_an_answer_and_happens_once(storage: Storage, tmp_path: Path) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    question_id = await _ask(storage, alice, "Is there parking at the venue?")
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.NotAnsweredYet):
            await service.save_as_faq(uow, question_id, tmp_path, now=NOW)
    await _answer(storage, question_id)
    async with storage.unit_of_work() as uow:
        entry = await service.save_as_faq(uow, question_id, tmp_path, now=NOW)
    assert entry == f"staff-{question_id}"
    async with storage.unit_of_work() as uow:
        with pytest.raises(rules.AlreadySaved) as again:
            await service.save_as_faq(uow, question_id, tmp_path, now=NOW)
    assert again.value.entry_id == entry


async def test_answerable_refuses_before_any_answer_is_written(storage: Storage) -> None:
    _alice, bob, draft_id = await _two_people_and_a_draft(storage)
    asked = await _ask(storage, bob)
    async with storage.unit_of_work() as uow:
        await service.answerable(uow, asked)
        with pytest.raises(rules.NoSuchQuestion):
            await service.answerable(uow, draft_id)
        (await uow.session.get_one(User, bob)).deleted_at = NOW
        await uow.commit()
        with pytest.raises(rules.AskerGone) as gone:
            await service.answerable(uow, asked)
    assert gone.value.question_id == asked


async def test_a_staff_chat_message_names_the_question_it_was_posted_for(storage: Storage) -> None:
    async with storage.unit_of_work() as uow:
        alice = await add_person(uow, "alice")
    first, second = await _ask(storage, alice, "Is there parking?"), await _ask(storage, alice, "Is there lunch?")
    async with storage.unit_of_work() as uow:
        await service.record_post(uow, first, "telegram", "-100:7", NOW)
        await service.record_post(uow, second, "discord", "-100:7", NOW)
    async with storage.unit_of_work() as uow:
        found = [
            await service.posted_as(uow, "telegram", "-100:7"),
            await service.posted_as(uow, "discord", "-100:7"),
            await service.posted_as(uow, "telegram", "-100:8"),
        ]
    assert found == [first, second, None]
