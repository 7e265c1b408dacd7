"""The shape of the content files; validation errors name the file, line and reason."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cached_property
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    RootModel,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.i18n import current_locale
from bot.places.names import CityNames, city_list, city_name, cldr_knows
from bot.settings import LANGUAGES


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


NonEmpty = Field(min_length=1)


def _texts_by_language(value: Any, *, sentence: bool) -> str | dict[str, str]:
    """A content text checked: a plain string (a name, the same in every language) or one text per language."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("empty text")
        if sentence:
            raise ValueError(
                f"a sentence needs its text in every language, as a mapping {{{': …, '.join(LANGUAGES)}: …}}"
            )
        return value.strip()
    if not isinstance(value, dict):
        raise ValueError(f"expected a text or a mapping {{{': …, '.join(LANGUAGES)}: …}}")
    unknown = sorted(str(code) for code in value if code not in LANGUAGES)
    if unknown:
        raise ValueError(f"unknown language codes {unknown}; use {', '.join(LANGUAGES)}")
    missing = [code for code in LANGUAGES if code not in value]
    if missing:
        raise ValueError(f"missing languages {missing} (program text is in all of {list(LANGUAGES)})")
    empty = [code for code in LANGUAGES if not isinstance(value[code], str) or not value[code].strip()]
    if empty:
        raise ValueError(f"empty text in {empty}")
    return {code: value[code].strip() for code in LANGUAGES}


class Localized(RootModel[str | dict[str, str]]):
    """A name or text of the program: one string when it is the same in every language (an official title, a
    proper name), else `{en: …, it: …, de: …, fr: …, ar: …, ko: …, zh: …}` with every language."""

    model_config = ConfigDict(frozen=True)

    @field_validator("root", mode="before")
    @classmethod
    def _check(cls, value: Any) -> str | dict[str, str]:
        return _texts_by_language(value, sentence=False)

    def text(self, lang: str | None = None) -> str:
        """The text in `lang` (default: the current event's language)."""
        if isinstance(self.root, str):
            return self.root
        return self.root.get(lang or current_locale()) or self.root["en"]

    def __str__(self) -> str:
        return self.text()


class Translated(Localized):
    """A sentence of the program: always written out in every language (a plain string is an error)."""

    @field_validator("root", mode="before")
    @classmethod
    def _check(cls, value: Any) -> str | dict[str, str]:
        return _texts_by_language(value, sentence=True)


class Course(Strict):
    platform_name: str = NonEmpty
    url: HttpUrl
    cost: Translated
    registration: Translated
    reading_materials: Translated
    new_topic: Localized


class Subtitles(Strict):
    languages: list[str] = Field(min_length=1)
    machine_translated: list[str] = Field(default_factory=list)


class WorkshopInfo(Strict):
    title: Localized
    audience: Translated
    # As stored on the workshops (English); shown through city_name.
    cities: list[str] = Field(min_length=1)
    registration: Translated


class Certificates(Strict):
    course: Translated
    # What the course completion record is, beside the official certificate.
    course_record: Translated
    workshop: Translated
    # The steps to the workshop certificate, in order; staff edit them here, not in code.
    workshop_steps: list[Translated] = Field(min_length=1)
    workshop_signed_by: list[Localized] = Field(min_length=1)
    workshop_age_limit: int = Field(gt=0, lt=120)


class ContactInfo(Strict):
    name: Localized
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = NonEmpty


class Program(Strict):
    name: str = NonEmpty
    short_name: str = NonEmpty
    year: int = Field(ge=2020, le=2100)
    edition_note: Translated | None = None
    organizer: Localized
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

    @cached_property
    def lecture_tuple(self) -> tuple[Lecture, ...]:
        """The part's lectures, made once (the model is frozen): /progress and the reminders read them often."""
        return tuple(
            Lecture(key=f"{self.number}.{i}", part=self.number, position=i, title=title)
            for i, title in enumerate(self.lectures, start=1)
        )

    def lecture_list(self) -> list[Lecture]:
        return list(self.lecture_tuple)


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
    name: Localized
    partners: list[str] = Field(min_length=1)
    winners: int = Field(ge=1)


class Award(Strict):
    name: Localized
    edition: int = Field(ge=1)
    announcement: Localized
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
    # The city's name in the other languages, for cities CLDR does not name (it names only time-zone cities).
    names: dict[str, str] = Field(default_factory=dict)

    @field_validator("names")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            return value
        others = [code for code in LANGUAGES if code != "en"]
        unknown = sorted(set(value) - set(others))
        if unknown:
            raise ValueError(f"unknown language codes {unknown}; use {', '.join(others)}")
        missing = [code for code in others if not str(value.get(code, "")).strip()]
        if missing:
            raise ValueError(f"missing languages {missing}")
        return {code: value[code].strip() for code in others}

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

    @property
    def city_names(self) -> CityNames:
        return {seed.city: seed.names for seed in self.workshops.workshops if seed.names}

    def city_name(self, city: str, lang: str | None = None) -> str:
        """The one way a city is shown: Milan → Milano (it), 밀라노 (ko); see bot.places.names."""
        return city_name(city, lang, self.city_names)

    def city_list(self, cities: list[str], lang: str | None = None) -> str:
        return city_list(cities, lang, self.city_names)

    def unnamed_cities(self) -> list[str]:
        """Program and seed cities that would show in English in another language: neither CLDR nor the
        content names them."""
        named = {city.casefold() for city in self.city_names}
        cities = [*self.program.workshops.cities, *(seed.city for seed in self.workshops.workshops)]
        return sorted({c for c in cities if c.casefold() not in named and not cldr_knows(c)})

    @cached_property
    def lecture_tuple(self) -> tuple[Lecture, ...]:
        """Every lecture in course order, made once (the content is frozen)."""
        return tuple(lecture for part in self.lectures.parts for lecture in part.lecture_tuple)

    def all_lectures(self) -> list[Lecture]:
        return list(self.lecture_tuple)

    def lecture(self, key: str) -> Lecture | None:
        return next((lec for lec in self.lecture_tuple if lec.key == key), None)

    def next_lecture(self, done: Collection[str]) -> Lecture | None:
        """The first lecture in course order not marked as watched; None when the course is complete."""
        return next((lec for lec in self.lecture_tuple if lec.key not in done), None)
