"""The shape of the content files; validation errors name the file, line and reason."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationInfo, field_validator, model_validator

from bot.settings import LANGUAGES


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


NonEmpty = Field(min_length=1)


class Course(Strict):
    platform_name: str = NonEmpty
    url: HttpUrl
    cost: str = NonEmpty
    registration: str = NonEmpty
    reading_materials: str = NonEmpty
    new_topic: str = NonEmpty


class Subtitles(Strict):
    languages: list[str] = Field(min_length=1)
    machine_translated: list[str] = Field(default_factory=list)


class WorkshopInfo(Strict):
    title: str = NonEmpty
    audience: str = NonEmpty
    cities: list[str] = Field(min_length=1)
    registration: str = NonEmpty


class Certificates(Strict):
    course: str = NonEmpty
    workshop: str = NonEmpty
    workshop_signed_by: list[str] = Field(min_length=1)
    workshop_age_limit: int = Field(gt=0, lt=120)


class ContactInfo(Strict):
    name: str = NonEmpty
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = NonEmpty


class Program(Strict):
    name: str = NonEmpty
    short_name: str = NonEmpty
    year: int = Field(ge=2020, le=2100)
    edition_note: str = ""
    organizer: str = NonEmpty
    course: Course
    subtitles: Subtitles
    workshops: WorkshopInfo
    certificates: Certificates
    contact: ContactInfo


class Lecture(Strict):
    key: str
    part: int
    position: int
    title: str


class Part(Strict):
    number: int = Field(ge=1)
    title: str = NonEmpty
    lectures: list[str] = Field(min_length=1)

    @field_validator("lectures")
    @classmethod
    def _titles(cls, value: list[str]) -> list[str]:
        if any(not title.strip() for title in value):
            raise ValueError("a lecture title is empty")
        return value

    def lecture_list(self) -> list[Lecture]:
        return [
            Lecture(key=f"{self.number}.{i}", part=self.number, position=i, title=title)
            for i, title in enumerate(self.lectures, start=1)
        ]


class Lectures(Strict):
    parts: list[Part] = Field(min_length=1)

    @field_validator("parts")
    @classmethod
    def _numbers(cls, parts: list[Part]) -> list[Part]:
        numbers = [part.number for part in parts]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"parts must be numbered 1..{len(numbers)} in order, found {numbers}")
        return parts


class AwardCategory(Strict):
    number: int = Field(ge=1)
    name: str = NonEmpty
    partners: list[str] = Field(min_length=1)
    winners: int = Field(ge=1)


class Award(Strict):
    name: str = NonEmpty
    edition: int = Field(ge=1)
    announcement: str = NonEmpty
    categories: list[AwardCategory] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _numbers(cls, categories: list[AwardCategory]) -> list[AwardCategory]:
        numbers = [c.number for c in categories]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"category numbers repeat: {numbers}")
        return categories


FAQ_ID = r"^[a-z0-9][a-z0-9-]{0,39}$"


class FaqEntry(Strict):
    """One question people ask, in several wordings per language, and its answer per language.

    Program entries carry every language. Entries staff saved from an answered question (`source: staff`) may
    carry only the languages staff wrote; the bot falls back across languages for them.
    """

    id: str = Field(pattern=FAQ_ID)
    source: Literal["program", "staff"] = "program"
    # Commands offered as buttons under the answer (e.g. `workshops` for "Sign up").
    actions: list[str] = Field(default_factory=list)
    questions: dict[str, list[str]]
    answer: dict[str, str]
    added_by: str = ""
    added_at: str = ""

    @field_validator("questions", "answer")
    @classmethod
    def _languages(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language codes {unknown}; use {', '.join(LANGUAGES)}")
        for lang, text in value.items():
            texts = text if isinstance(text, list) else [text]
            if not texts or any(not isinstance(t, str) or not t.strip() for t in texts):
                raise ValueError(f"{lang}: empty {info.field_name}")
        if info.data.get("source") == "staff":
            if not value:
                raise ValueError(f"a staff entry needs its {info.field_name} in at least one language")
        else:
            missing = [lang for lang in LANGUAGES if lang not in value]
            if missing:
                raise ValueError(f"missing languages {missing} (every program entry is in all of {list(LANGUAGES)})")
        return value

    @field_validator("actions")
    @classmethod
    def _action_names(cls, value: list[str]) -> list[str]:
        bad = [name for name in value if not re.fullmatch(r"[a-z_]{1,32}", name)]
        if bad:
            raise ValueError(f"not command names: {bad}")
        return value

    def answer_in(self, lang: str, fallback: str = "en") -> tuple[str, str]:
        """(language, answer) in `lang`, else `fallback`, else the first language the entry has."""
        for code in (lang, fallback, *self.answer):
            if code in self.answer:
                return code, self.answer[code]
        raise LookupError(self.id)

    def title_in(self, lang: str, fallback: str = "en") -> str:
        """The entry's first wording of the question, as a topic label."""
        for code in (lang, fallback, *self.questions):
            if self.questions.get(code):
                return self.questions[code][0]
        return self.id


class Faq(Strict):
    entries: list[FaqEntry] = Field(default_factory=list)

    def get(self, entry_id: str) -> FaqEntry | None:
        return next((entry for entry in self.entries if entry.id == entry_id), None)


class WorkshopSeed(Strict):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    city: str = Field(min_length=1, max_length=100)
    timezone: str
    # Per-workshop overrides of the file's defaults.
    capacity: int | None = Field(default=None, ge=1, le=10000)
    duration_minutes: int | None = Field(default=None, ge=1, le=24 * 60)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value


class WorkshopSeeds(Strict):
    title: str = Field(min_length=1, max_length=300)
    default_capacity: int = Field(ge=1, le=10000)
    default_duration_minutes: int = Field(ge=1, le=24 * 60)
    workshops: list[WorkshopSeed] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> WorkshopSeeds:
        slugs = [w.slug for w in self.workshops]
        repeated = sorted({s for s in slugs if slugs.count(s) > 1})
        if repeated:
            raise ValueError(f"slugs repeat: {repeated}")
        return self


class Content(Strict):
    program: Program
    lectures: Lectures
    award: Award
    workshops: WorkshopSeeds
    faq: Faq = Field(default_factory=Faq)

    def all_lectures(self) -> list[Lecture]:
        return [lecture for part in self.lectures.parts for lecture in part.lecture_list()]

    def lecture(self, key: str) -> Lecture | None:
        return next((lec for lec in self.all_lectures() if lec.key == key), None)

    def next_lecture(self, done: Collection[str]) -> Lecture | None:
        """The first lecture in course order not marked as watched; None when the course is complete."""
        return next((lec for lec in self.all_lectures() if lec.key not in done), None)
