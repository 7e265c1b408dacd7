"""Questions for the program team: ask, list, answer, tell staff when an answer could not arrive, save as FAQ.

Chat (/team, /answer, the "Ask the team" and "Save as FAQ" buttons), the CLI (`wego-bot questions`), the adapters
(a staff reply to a forwarded question) and the delivery worker all call these. Refusals are the typed exceptions
of bot.domain.questions; nothing here returns text for staff or participants. The two outbox messages (the answer
for the participant, the "not delivered" notice for staff) are worded by the writers the caller hands in, in the
recipient's language, which the outbox hands them: the outbox stores finished text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from bot.content import ContentError
from bot.domain.messages import Reply
from bot.domain.questions import (
    MAX_ANSWERED_BY,
    AlreadyAsked,
    AlreadySaved,
    FaqNotSaved,
    NoSuchQuestion,
    NotAnsweredYet,
    StaffQuestion,
    TooManyQuestions,
    check_answerable,
    check_open,
    check_question,
    question_status,
)
from bot.domain.statuses import DeliveryStatus, QuestionStatus
from bot.faq.library import save_staff_entry
from bot.services.outbox import enqueue_for_user
from bot.services.unit_of_work import commits
from storage.models import Question, User
from storage.questions import QuestionRepository

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork
    from storage.reachability import Reach

# Outbox rows that carry staff's answer to a question (ref_id: the question) and the notice that one failed.
ANSWER_KIND = "question.answer"
UNDELIVERED_KIND = "question.undelivered"


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question as lists show it; `asked_by` is the asker's display name ("" when unknown)."""

    id: int
    text: str
    language: str
    platform: str
    asked_at: datetime
    asked_by: str = ""


@dataclass(frozen=True, slots=True)
class Answered:
    question_id: int
    asker_name: str
    # How the answer reaches the person: on its way now, once they open a private chat, or not at all.
    reach: Reach


def _view(question: Question, asked_by: str = "") -> QuestionView:
    return QuestionView(
        id=question.id,
        text=question.text,
        language=question.language,
        platform=question.platform,
        asked_at=question.asked_at or question.created_at,
        asked_by=asked_by,
    )


@commits
async def ask_team(
    uow: UnitOfWork, user_id: int, text: str, *, language: str, platform: str, now: datetime, per_day: int
) -> QuestionView:
    """Ask the team directly (/team TEXT). Refused when empty, too long, or over `per_day` in 24 hours."""
    text = check_question(text)
    questions = QuestionRepository(uow.session)
    until = await questions.next_question_allowed(user_id, now, per_day)
    if until is not None:
        raise TooManyQuestions(per_day, until)
    question = await questions.add(
        user_id=user_id, text=text, language=language, platform=platform, now=now, asked=True
    )
    return _view(question)


@commits
async def ask_drafted(uow: UnitOfWork, user_id: int, question_id: int, *, now: datetime) -> QuestionView:
    """Hand a draft (a question the FAQ could not answer well) to the team: the "Ask the team" button.

    The button's id is never trusted: someone else's question is refused as unknown."""
    question = await QuestionRepository(uow.session).get(question_id, lock=True)
    if question is None or question.user_id != user_id:
        raise NoSuchQuestion(question_id)
    if question.asked_at is not None:
        raise AlreadyAsked(question_id)
    question.asked_at = now
    return _view(question)


async def open_questions(uow: UnitOfWork, user_id: int) -> list[QuestionView]:
    """One person's questions the team has not answered yet, oldest first."""
    return [_view(row) for row in await QuestionRepository(uow.session).open_of(user_id)]


async def unanswered(uow: UnitOfWork, limit: int = 50) -> list[QuestionView]:
    """Every asked, unanswered question of people who still exist, oldest first (staff's list)."""
    rows = await QuestionRepository(uow.session).unanswered(limit=limit)
    names = await _names(uow, {row.user_id for row in rows})
    return [_view(row, names.get(row.user_id, "")) for row in rows]


async def _names(uow: UnitOfWork, user_ids: set[int]) -> dict[int, str]:
    names = {}
    for user_id in sorted(user_ids):
        user = await uow.session.get(User, user_id)
        names[user_id] = user.display_name if user is not None else ""
    return names


# The answer as the asker reads it (their question, staff's answer), worded in the language the outbox hands in last.
AnswerWriter = Callable[[str, str, str], Reply]
# What the staff member who answered is told when it could not reach the person: the question's number, the
# asker's name and how the delivery ended, in the staff member's language (handed in last).
UndeliveredWriter = Callable[[int, str, DeliveryStatus, str], Reply]


@commits
async def answer(
    uow: UnitOfWork,
    question_id: int,
    text: str,
    *,
    answered_by: str,
    now: datetime,
    default_locale: str,
    languages: tuple[str, ...],
    write: AnswerWriter,
    answered_by_user_id: int | None = None,
) -> Answered:
    """Record staff's answer and queue it for the participant in their language (one outbox row).

    `answered_by` names the staff member ("telegram:Ada", "cli:ada"); `answered_by_user_id`, when staff are a
    participant too, is told later if the answer cannot be delivered. Refusals: bot.domain.questions."""
    from storage.reachability import reach_of

    session = uow.session
    # A row lock on PostgreSQL, so two staff answering at once cannot both notify; SQLite serializes writers.
    question, asker = await _question_and_asker(uow, question_id, lock=True)
    text = check_answerable(question_id, **_state(question, asker), answer=text)
    assert question is not None and asker is not None
    question.answer = text
    question.answered_by = answered_by[:MAX_ANSWERED_BY]
    question.answered_by_user_id = answered_by_user_id
    question.answered_at = now
    reach = await reach_of(session, question.user_id)
    if reach != "never":
        # Kept while they have no private chat yet (a Telegram user who only wrote in a group): it goes out when
        # they open one. With every account refusing us, staff are told at once instead.
        await enqueue_for_user(
            session,
            question.user_id,
            functools.partial(write, question.text, text),
            kind=ANSWER_KIND,
            ref_id=question.id,
            not_before=now,
            # Someone who never chose a language gets the answer in the one they asked in, not the bot's default.
            default_locale=question.language if question.language in languages else default_locale,
        )
    return Answered(question.id, asker.display_name, reach)


async def _question_and_asker(uow: UnitOfWork, question_id: int, *, lock: bool) -> tuple[Question | None, User | None]:
    question = await QuestionRepository(uow.session).get(question_id, lock=lock)
    asker = await uow.session.get(User, question.user_id) if question is not None else None
    return question, asker


class _State(TypedDict):
    status: QuestionStatus | None
    answered_by: str | None
    asker_deleted: bool


def _state(question: Question | None, asker: User | None) -> _State:
    """What the answerable rule (bot.domain.questions) asks of a question and its asker."""
    return _State(
        status=question_status(question.asked_at, question.answered_at) if question is not None else None,
        answered_by=question.answered_by if question is not None else None,
        asker_deleted=asker is None or asker.deleted_at is not None,
    )


async def answerable(uow: UnitOfWork, question_id: int) -> None:
    """Refuse (typed) a question that cannot take an answer, before staff write one (the Discord answer form)."""
    question, asker = await _question_and_asker(uow, question_id, lock=False)
    check_open(question_id, **_state(question, asker))


@commits
async def tell_staff_undelivered(
    uow: UnitOfWork,
    ended: Mapping[int, DeliveryStatus],
    *,
    now: datetime,
    default_locale: str,
    write: UndeliveredWriter,
) -> int:
    """The delivery of answers to these questions ended without reaching the person (question id → final status):
    the staff member who answered each is told, in their own language. Returns how many notices were queued."""
    told = 0
    for question_id, status in sorted(ended.items()):
        question = await uow.session.get(Question, question_id)
        if question is None or question.answered_by_user_id is None:
            continue
        asker = await uow.session.get(User, question.user_id)
        name = asker.display_name if asker is not None else "?"
        queued = await enqueue_for_user(
            uow.session,
            question.answered_by_user_id,
            functools.partial(write, question_id, name, DeliveryStatus(status)),
            kind=UNDELIVERED_KIND,
            ref_id=question_id,
            not_before=now,
            default_locale=default_locale,
        )
        told += queued is not None
    return told


@commits
async def save_as_faq(uow: UnitOfWork, question_id: int, content_dir: Path, *, now: datetime) -> str:
    """Append an answered question to the staff FAQ file; returns the new entry's id."""
    question = await QuestionRepository(uow.session).get(question_id, lock=True)
    if question is None or question.answer is None:
        raise NotAnsweredYet(question_id)
    if question.faq_id:
        raise AlreadySaved(question_id, question.faq_id)
    entry_id = f"staff-{question.id}"
    try:
        save_staff_entry(
            content_dir,
            entry_id=entry_id,
            question=question.text,
            language=question.language,
            answer=question.answer,
            added_by=question.answered_by or "",
            now=now,
        )
    except (ContentError, OSError) as exc:
        raise FaqNotSaved(question_id, str(exc)) from exc
    question.faq_id = entry_id
    return entry_id


# -- the staff inboxes (bot/staff_inbox.py posts, the clock calls it) ---------------------------------------------


async def not_posted_to(uow: UnitOfWork, platform: str) -> list[StaffQuestion]:
    """The oldest asked, unanswered questions this one staff inbox has not had. Asked per inbox: in one query
    across inboxes, questions a dead staff chat keeps refusing would fill the page and the working chats would
    never see newer ones."""
    rows = await QuestionRepository(uow.session).not_posted_to([platform])
    names = await _names(uow, {row.user_id for row in rows})
    return [
        StaffQuestion(
            id=row.id,
            text=row.text,
            language=row.language,
            platform=row.platform,
            asked_by=names.get(row.user_id, ""),
            asked_at=row.asked_at or row.created_at,
        )
        for row in rows
    ]


@commits
async def record_post(uow: UnitOfWork, question_id: int, platform: str, message_id: str | None, now: datetime) -> None:
    """A staff inbox took the question (`message_id`: its post there, so a reply to it finds the question)."""
    await QuestionRepository(uow.session).record_post(question_id, platform, message_id, now)


async def posted_as(uow: UnitOfWork, platform: str, message_id: str) -> int | None:
    """The id of the question a staff chat message was posted for (a reply to it answers it); None for any other."""
    question = await QuestionRepository(uow.session).by_forwarded_message(platform, message_id)
    return None if question is None else question.id
