"""What staff read in the web console: the overview's figures (storage/stats.py, one set-based query each), the
broadcasts sent, the questions waiting and answered, and the people. Reads only: nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.progress import CourseProgress, course_progress
from bot.services.unit_of_work import UnitOfWork
from storage import certificates as records
from storage import progress
from storage import registrations as regs
from storage import stats as store
from storage.models import Broadcast, Certificate, Question, Registration, User, Workshop
from storage.stats import BroadcastRow, CityRow, DayCount, Funnel, QuestionFigures

if TYPE_CHECKING:
    from bot.content import Content

# The rows staff read, named here for the console's pages (which do not import storage).
__all__ = [
    "Broadcast",
    "BroadcastRow",
    "Certificate",
    "CityRow",
    "DayCount",
    "Funnel",
    "Person",
    "Question",
    "QuestionFigures",
    "Registration",
    "User",
    "Workshop",
    "delivery_reasons",
    "funnel",
    "joined_by_language",
    "joined_by_platform",
    "lecture_completion",
    "person",
    "question_figures",
    "recent_broadcasts",
    "recently_answered",
    "search_people",
    "unanswered_texts",
    "workshop_cities",
    "workshops_per_city",
]


async def joined_by_platform(uow: UnitOfWork) -> list[DayCount]:
    return await store.joined_by_platform(uow.session)


async def joined_by_language(uow: UnitOfWork, default_language: str) -> list[DayCount]:
    return await store.joined_by_language(uow.session, default_language)


async def funnel(uow: UnitOfWork, parts: Sequence[tuple[int, int]], lectures: int) -> Funnel:
    return await store.funnel(uow.session, parts, lectures)


async def lecture_completion(uow: UnitOfWork) -> dict[str, int]:
    return await store.lecture_completion(uow.session)


async def workshops_per_city(uow: UnitOfWork) -> list[CityRow]:
    return await store.workshops_per_city(uow.session)


async def recent_broadcasts(uow: UnitOfWork, limit: int = 12) -> list[BroadcastRow]:
    return await store.recent_broadcasts(uow.session, limit=limit)


async def delivery_reasons(uow: UnitOfWork, broadcast_id: int) -> list[tuple[str, str, int]]:
    return await store.delivery_reasons(uow.session, broadcast_id)


async def question_figures(uow: UnitOfWork, now: datetime) -> QuestionFigures:
    return await store.questions(uow.session, now)


async def unanswered_texts(uow: UnitOfWork) -> list[tuple[int, str, str]]:
    return await store.unanswered_texts(uow.session)


async def recently_answered(uow: UnitOfWork, limit: int = 20) -> list[Question]:
    return await store.recently_answered(uow.session, limit)


async def workshop_cities(uow: UnitOfWork) -> set[str]:
    return await store.workshop_cities(uow.session)


async def search_people(uow: UnitOfWork, text: str, number: int | None) -> list[User]:
    return await store.search_people(uow.session, text, number)


@dataclass(frozen=True, slots=True)
class Person:
    user: User
    # Every lecture key they marked (with when), and their progress counted as the chat counts it.
    lectures: dict[str, datetime]
    progress: CourseProgress
    registrations: list[tuple[Registration, Workshop]]
    records: list[Certificate]
    platforms: list[str]


async def person(uow: UnitOfWork, user_id: int, content: Content) -> Person | None:
    """One participant as staff see them (None when unknown or deleted)."""
    user = await uow.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        return None
    marked = await progress.done_keys(uow.session, user_id)
    return Person(
        user,
        marked,
        course_progress(content, marked),
        await regs.registrations_of_user(uow.session, user_id),
        await records.records_of(uow.session, user_id),
        await store.platforms_of(uow.session, user_id),
    )
