"""Broadcast rules: the text limit and the typed refusals of composing, scheduling and cancelling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.statuses import BroadcastStatus

# A broadcast must fit one message everywhere (Discord's limit is 2,000 characters, with the header and escaping
# on top): a message sent in parts would spend several sends of the rate limit and could be half re-sent.
MAX_TEXT = 1500


class BroadcastRefused(Exception):
    """A broadcast operation that cannot go through; the subclass and its fields say why."""


@dataclass(eq=False)
class BadAudience(BroadcastRefused):
    """`part` is the word of the audience that was not understood, or the criterion it lacks."""

    part: str


@dataclass(eq=False)
class NoDraft(BroadcastRefused):
    """The staff member has no broadcast draft to work on."""


@dataclass(eq=False)
class UnknownLanguage(BroadcastRefused):
    code: str
    languages: tuple[str, ...]


@dataclass(eq=False)
class EmptyText(BroadcastRefused):
    pass


@dataclass(eq=False)
class TextTooLong(BroadcastRefused):
    length: int
    limit: int
    language: str = ""


@dataclass(eq=False)
class NotADraft(BroadcastRefused):
    broadcast_id: int


@dataclass(eq=False)
class TextMissing(BroadcastRefused):
    """No text in the default language, which everyone without their own language's text receives."""

    broadcast_id: int
    language: str


@dataclass(eq=False)
class CannotCancel(BroadcastRefused):
    """Unknown, or already sending, done or cancelled (`status`, None when unknown)."""

    broadcast_id: int
    status: BroadcastStatus | None


@dataclass(eq=False)
class NoSuchBroadcast(BroadcastRefused):
    broadcast_id: int


def check_text(text: str, language: str = "") -> str:
    """The broadcast text as it will be stored (stripped), or a refusal."""
    text = text.strip()
    if not text:
        raise EmptyText()
    if len(text) > MAX_TEXT:
        raise TextTooLong(len(text), MAX_TEXT, language)
    return text


def check_texts(texts: Mapping[str, str], *, languages: Sequence[str], default_language: str) -> dict[str, str]:
    """A broadcast's texts by language, each checked (check_text) and stripped; one must be in the default
    language, which everyone without a text in their own language receives (TextMissing otherwise)."""
    checked = {}
    for language, text in texts.items():
        if language not in languages:
            raise UnknownLanguage(language, tuple(languages))
        checked[language] = check_text(text, language)
    if default_language not in checked:
        raise TextMissing(0, default_language)
    return checked
