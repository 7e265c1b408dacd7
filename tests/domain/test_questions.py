"""The one rule for answering a question, in the order staff can act on it."""

from __future__ import annotations

import pytest

from bot.domain import questions as rules
from bot.domain.statuses import QuestionStatus


def answerable(**overrides: object) -> str:
    values: dict[str, object] = {
        "status": QuestionStatus.ASKED,
        "answered_by": None,
        "asker_deleted": False,
        "answer": "  Yes.  ",
    }
    values.update(overrides)
    return rules.check_answerable(5, **values)  # type: ignore[arg-type]


def test_an_asked_question_takes_the_stripped_answer() -> None:
    assert answerable() == "Yes."


@pytest.mark.parametrize(
    ("overrides", "refusal", "fields"),
    [
        ({"answer": " "}, rules.AnswerEmpty, {"question_id": 5}),
        ({"answer": "x" * 3001}, rules.AnswerTooLong, {"question_id": 5, "limit": 3000}),
        ({"status": None}, rules.NoSuchQuestion, {"question_id": 5}),
        ({"status": QuestionStatus.DRAFT}, rules.NoSuchQuestion, {"question_id": 5}),
        (
            {"status": QuestionStatus.ANSWERED, "answered_by": "cli:ada"},
            rules.AlreadyAnswered,
            {"question_id": 5, "answered_by": "cli:ada"},
        ),
        ({"asker_deleted": True}, rules.AskerGone, {"question_id": 5}),
        # A bad answer is reported first, whatever the state of the question.
        ({"answer": "", "status": None}, rules.AnswerEmpty, {"question_id": 5}),
    ],
)
def test_refusals_carry_their_data(overrides: dict[str, object], refusal: type, fields: dict[str, object]) -> None:
    with pytest.raises(refusal) as refused:
        answerable(**overrides)
    assert vars(refused.value) == fields


def test_a_question_is_checked_and_stripped() -> None:
    assert rules.check_question("  Parking?\n") == "Parking?"
    with pytest.raises(rules.QuestionEmpty):
        rules.check_question(" \n ")
    with pytest.raises(rules.QuestionTooLong) as refused:
        rules.check_question("x" * 1001)
    assert refused.value.limit == 1000
