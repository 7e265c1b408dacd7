"""Who a broadcast reaches, as staff write it ("platform=telegram lang=it", "workshop=3 registered").

Pure: storage turns an Audience into SQL (storage/broadcasts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.ids import parse_id

PLATFORMS = ("telegram", "discord", "console")
STAGES = ("not_started", "in_progress", "completed")
# registered: a confirmed place; waiting: on the waiting list (or offered a freed place); attended: checked in.
STAGE_ALIASES = {"not-started": "not_started", "in-progress": "in_progress", "done": "completed"}
REGISTRATION_STATES = ("registered", "waiting", "attended")


class AudienceError(ValueError):
    """An audience filter that names something unknown or is incomplete; `part` is the word, or what is missing."""

    @property
    def part(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who gets a broadcast: every given criterion must hold (none given: everyone)."""

    platform: str | None = None
    language: str | None = None
    workshop_id: int | None = None
    city: str | None = None
    registration: str | None = None
    stage: str | None = None
    # Urgent broadcasts ignore recipients' quiet hours.
    urgent: bool = False

    def to_json(self) -> dict[str, Any]:
        values = {key: getattr(self, key) for key in self.__dataclass_fields__}
        return {key: value for key, value in values.items() if value is not None and value is not False}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        fields = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**fields)

    @classmethod
    def parse(cls, text: str, languages: tuple[str, ...]) -> Audience:
        """Read "everyone", "platform=telegram lang=it", "workshop=3 registered", "city=Milan attended", "stage=done".

        Every criterion given must hold; an unknown word raises AudienceError naming it.
        """
        values: dict[str, Any] = {}
        for token in text.split():
            key, sep, value = token.partition("=")
            key = key.lower()
            if not sep and key in ("everyone", "all"):
                continue
            if not sep and key in REGISTRATION_STATES:
                values["registration"] = key
            elif not sep and key == "urgent":
                values["urgent"] = True
            elif key == "platform" and value.lower() in PLATFORMS:
                values["platform"] = value.lower()
            elif key in ("lang", "language") and value.lower() in languages:
                values["language"] = value.lower()
            elif key == "workshop" and parse_id(value) is not None:
                values["workshop_id"] = parse_id(value)
            elif key == "city" and value:
                values["city"] = value.replace("_", " ")
            elif key == "status" and value.lower() in REGISTRATION_STATES:
                values["registration"] = value.lower()
            elif key == "stage" and STAGE_ALIASES.get(value.lower(), value.lower()) in STAGES:
                values["stage"] = STAGE_ALIASES.get(value.lower(), value.lower())
            else:
                raise AudienceError(token)
        audience = cls(**values)
        if (audience.workshop_id or audience.city) and not audience.registration:
            raise AudienceError("registered|waiting|attended")
        if audience.registration and not (audience.workshop_id or audience.city):
            raise AudienceError("workshop=ID|city=NAME")
        return audience
