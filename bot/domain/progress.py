"""Progress through the online course: which marks count, per part and overall, what comes next, when it is done.

Marks on lectures the content no longer has are kept (the content may bring them back) but never counted."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.content import Content
from bot.content.models import Lecture


@dataclass(frozen=True, slots=True)
class PartProgress:
    number: int
    title: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class CourseProgress:
    """`done`: keys of current lectures marked watched; `next_key`: the first one not watched (None: complete)."""

    done: frozenset[str]
    parts: tuple[PartProgress, ...]
    total: int
    next_key: str | None

    @property
    def complete(self) -> bool:
        return self.total > 0 and len(self.done) == self.total

    @property
    def share(self) -> float:
        return len(self.done) / self.total if self.total else 0.0


def course_progress(content: Content, marked: Collection[str]) -> CourseProgress:
    """Count `marked` lecture keys against the course as the content has it now."""
    lectures = content.all_lectures()
    done = frozenset(lecture.key for lecture in lectures if lecture.key in marked)
    parts = tuple(
        PartProgress(
            number=part.number,
            title=part.title,
            done=sum(1 for lecture in part.lecture_list() if lecture.key in done),
            total=len(part.lectures),
        )
        for part in content.lectures.parts
    )
    upcoming = content.next_lecture(done)
    return CourseProgress(done, parts, len(lectures), upcoming.key if upcoming is not None else None)


@dataclass(eq=False)
class UnknownLecture(Exception):
    """No lecture has this key in the current content (a mistyped key, or a button from an older course)."""

    key: str


def current_lecture(content: Content, key: str) -> Lecture:
    """The lecture for `key` in the current content, or UnknownLecture."""
    lecture = content.lecture(key)
    if lecture is None:
        raise UnknownLecture(key)
    return lecture
