"""Marking lectures of the online course as watched, undoing a mark, and reading a person's progress.

Chat (/done, /undo, /progress and their buttons) calls these; the certificate and reminder rules read the same
counts (bot.domain.progress). Keys are re-checked against the current content: a button may be older than it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.progress import CourseProgress, course_progress, current_lecture
from bot.services.unit_of_work import commits
from storage import progress as store

if TYPE_CHECKING:
    from bot.content import Content
    from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Marked:
    """`newly`: keys this call marked; `already`: keys that were marked before; both in course order."""

    newly: tuple[str, ...]
    already: tuple[str, ...]
    progress: CourseProgress

    @property
    def completed_now(self) -> bool:
        """This call marked the last lecture: the one moment to congratulate (not every later look)."""
        return bool(self.newly) and self.progress.complete


@dataclass(frozen=True, slots=True)
class Unmarked:
    removed: bool
    progress: CourseProgress


async def progress_of(uow: UnitOfWork, user_id: int, content: Content) -> CourseProgress:
    """The person's progress through the course as the content has it now."""
    return course_progress(content, await store.done_keys(uow.session, user_id))


@commits
async def mark_watched(
    uow: UnitOfWork, user_id: int, keys: Sequence[str], *, now: datetime, content: Content
) -> Marked:
    """Mark lectures as watched. One unknown key (UnknownLecture) refuses them all, so nothing is marked from a
    mistyped list; marking one twice is no error (`already`)."""
    lectures = [current_lecture(content, key) for key in dict.fromkeys(keys)]
    order = {lecture.key: index for index, lecture in enumerate(content.all_lectures())}
    lectures.sort(key=lambda lecture: order[lecture.key])
    newly, already = [], []
    for lecture in lectures:
        if await store.mark_done(uow.session, user_id, lecture.key, now):
            newly.append(lecture.key)
        else:
            already.append(lecture.key)
    return Marked(tuple(newly), tuple(already), await progress_of(uow, user_id, content))


@commits
async def unmark_watched(uow: UnitOfWork, user_id: int, key: str, *, content: Content) -> Unmarked:
    """Take back a mark (UnknownLecture for a key the content does not have)."""
    lecture = current_lecture(content, key)
    removed = await store.unmark(uow.session, user_id, lecture.key)
    return Unmarked(removed, await progress_of(uow, user_id, content))
