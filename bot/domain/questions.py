"""Questions for the program team: the limits and the one "can this question be answered" rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.statuses import QuestionStatus

MAX_QUESTION = 1000
MAX_ANSWER = 3000
# Staff names are kept to this length on the question row.
MAX_ANSWERED_BY = 100


def question_status(asked_at: datetime | None, answered_at: datetime | None) -> QuestionStatus:
    if answered_at is not None:
        return QuestionStatus.ANSWERED
    return QuestionStatus.DRAFT if asked_at is None else QuestionStatus.ASKED


class QuestionRefused(Exception):
    """A question or an answer that cannot go through; the subclass and its fields say why."""


@dataclass(eq=False)
class QuestionEmpty(QuestionRefused):
    """Nothing was typed."""


@dataclass(eq=False)
class QuestionTooLong(QuestionRefused):
    limit: int


@dataclass(eq=False)
class TooManyQuestions(QuestionRefused):
    """The person asked `per_day` questions in the last 24 hours; they may ask again at `until` (UTC)."""

    per_day: int
    until: datetime


@dataclass(eq=False)
class NoSuchQuestion(QuestionRefused):
    """No question with this id was asked (or it is someone else's draft)."""

    question_id: int


@dataclass(eq=False)
class AlreadyAsked(QuestionRefused):
    question_id: int


@dataclass(eq=False)
class AnswerEmpty(QuestionRefused):
    question_id: int


@dataclass(eq=False)
class AnswerTooLong(QuestionRefused):
    question_id: int
    limit: int


@dataclass(eq=False)
class AlreadyAnswered(QuestionRefused):
    question_id: int
    answered_by: str


@dataclass(eq=False)
class AskerGone(QuestionRefused):
    """The person who asked deleted their data: no answer can reach them."""

    question_id: int


@dataclass(eq=False)
class NotAnsweredYet(QuestionRefused):
    """Only an answered question can become an FAQ entry."""

    question_id: int


@dataclass(eq=False)
class AlreadySaved(QuestionRefused):
    question_id: int
    entry_id: str


@dataclass(eq=False)
class FaqNotSaved(QuestionRefused):
    """The FAQ file refused the entry (content error or disk); `reason` is the error as written."""

    question_id: int
    reason: str


def check_question(text: str) -> str:
    """The question as it will be stored, or a refusal."""
    text = text.strip()
    if not text:
        raise QuestionEmpty()
    if len(text) > MAX_QUESTION:
        raise QuestionTooLong(MAX_QUESTION)
    return text


def check_answer(question_id: int, answer: str) -> str:
    """The answer as it will be stored (stripped), or a refusal: what staff typed, apart from the question."""
    answer = answer.strip()
    if not answer:
        raise AnswerEmpty(question_id)
    if len(answer) > MAX_ANSWER:
        raise AnswerTooLong(question_id, MAX_ANSWER)
    return answer


def check_open(
    question_id: int, *, status: QuestionStatus | None, answered_by: str | None, asker_deleted: bool
) -> None:
    """The one rule for whether question `question_id` can take an answer at all (before any is typed: the
    Discord answer form is only offered then). `status` is None when no such row exists."""
    if status is None or status is QuestionStatus.DRAFT:
        raise NoSuchQuestion(question_id)
    if status is QuestionStatus.ANSWERED:
        raise AlreadyAnswered(question_id, answered_by or "")
    if asker_deleted:
        raise AskerGone(question_id)


def check_answerable(
    question_id: int,
    *,
    status: QuestionStatus | None,
    answered_by: str | None,
    asker_deleted: bool,
    answer: str,
) -> str:
    """The answer (stripped) when question `question_id` may take it, else a refusal.

    A bad answer is reported before the state of the question, as the answer is what staff can fix."""
    answer = check_answer(question_id, answer)
    check_open(question_id, status=status, answered_by=answered_by, asker_deleted=asker_deleted)
    return answer


@dataclass(frozen=True, slots=True)
class StaffQuestion:
    """A question as a staff chat is shown it (bot/staff_inbox.py posts it)."""

    id: int
    text: str
    language: str
    platform: str
    asked_by: str
    asked_at: datetime
