"""The words for every workshop refusal (bot/domain/workshop_refusals.py), for the chat and the CLI alike."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from bot.core.errors import UserError
from bot.core.replies import Button, esc
from bot.domain.dates import MAX_YEARS_AHEAD
from bot.domain.workshop_input import FIELD_NAMES
from bot.domain.workshop_refusals import (
    AlreadyRegistered,
    AttendedCannotCancel,
    BadField,
    BadTime,
    BadZone,
    CapacityBelowTaken,
    MissingFields,
    NoConfirmedSeat,
    NoDate,
    NoSuchRegistration,
    NoSuchWorkshop,
    OfferGone,
    OfferLapsed,
    RegistrationClosed,
    WorkshopCancelled,
    WorkshopOver,
    WorkshopRefusal,
)
from bot.i18n import _, format_date, ngettext


def refusal_text(refusal: WorkshopRefusal) -> str:
    """The refusal in the current language, as HTML (staff- and user-given values escaped)."""
    match refusal:
        case NoSuchWorkshop():
            return _("There is no workshop with that number. Send /workshops to see them.")
        case WorkshopCancelled(city=city):
            return _("The workshop in {city} has been cancelled.").format(city=esc(city))
        case WorkshopOver(city=city):
            return _("The workshop in {city} has already taken place.").format(city=esc(city))
        case RegistrationClosed(city=city):
            return _("Registration for the workshop in {city} is closed.").format(city=esc(city))
        case AlreadyRegistered():
            return _("You are already registered for this workshop.")
        case NoSuchRegistration():
            return _("I can't find that sign-up among yours. Send /mysignups to see them.")
        case AttendedCannotCancel():
            return _("You attended this workshop, so the registration cannot be cancelled.")
        case OfferLapsed():
            return _("That seat offer has expired; the seat passes to the next person on the waiting list.")
        case OfferGone():
            return _("That seat offer has expired and the seat went to the next person. You are no longer registered.")
        case NoDate():
            return _("This workshop has no date yet, so there is no calendar file.")
        case CapacityBelowTaken(taken=taken):
            return ngettext(
                "{n} person already holds a seat; the capacity cannot go below that.",
                "{n} people already hold seats; the capacity cannot go below that.",
                taken,
            ).format(n=taken)
        case NoConfirmedSeat(user=user):
            return _(
                "Participant {user} has no confirmed seat at this workshop; only confirmed people can attend."
            ).format(user=esc(user[:20]))
        case MissingFields():
            return _("A new workshop needs at least a city, a time zone (zone=) and a capacity.")
        case BadField():
            return _field_text(refusal)
        case BadZone():
            return _zone_text(refusal)
        case BadTime():
            return _time_text(refusal)
    raise AssertionError(f"no words for {type(refusal).__name__}")  # a new refusal needs its message here


def _field_text(refusal: BadField) -> str:
    field = esc(refusal.field[:30])
    if refusal.reason == "empty":
        return _("The {field} cannot be empty.").format(field=field)
    if refusal.reason == "not_a_number":
        return _("The {field} must be a whole number above zero.").format(field=field)
    if refusal.reason == "no_value":
        return _('Give fields as key=value, e.g. capacity=30 venue="City Hall". Fields: {fields}.').format(
            fields=", ".join(FIELD_NAMES)
        )
    return _("I don't know the field “{field}”. Use: {fields}.").format(field=field, fields=", ".join(FIELD_NAMES))


def _zone_text(refusal: BadZone) -> str:
    if refusal.is_folder:
        return _("“{zone}” is a group of time zones, not one. Use a full name, for example: {zones}.").format(
            zone=esc(refusal.text), zones=", ".join(refusal.suggestions[:6])
        )
    return _("“{zone}” is not a time zone I know. Use an IANA name such as Europe/Rome.").format(
        zone=esc(refusal.text[:64])
    )


def _time_text(refusal: BadTime) -> str:
    text, zone = esc(refusal.text), refusal.zone
    if refusal.reason == "unreadable":
        return _("I could not read the time “{text}”. Write it as YYYY-MM-DD HH:MM, e.g. 2026-05-14 15:00.").format(
            text=text
        )
    if refusal.reason == "skipped":
        return _("{time} does not exist in {zone} (the clocks jump forward then). Choose another time.").format(
            time=text, zone=esc(zone)
        )
    if refusal.reason == "past":
        return _("That time is in the past.")
    if refusal.reason == "too_early":
        assert refusal.earliest is not None
        return _("{time} is too long ago. Choose a time after {earliest}.").format(
            time=text, earliest=format_date(refusal.earliest, zone)
        )
    assert refusal.latest is not None
    return ngettext(
        "{time} is too far ahead: dates can be at most {n} year from now, until {latest}.",
        "{time} is too far ahead: dates can be at most {n} years from now, until {latest}.",
        MAX_YEARS_AHEAD,
    ).format(time=text, n=MAX_YEARS_AHEAD, latest=format_date(refusal.latest, zone))


def refused(refusal: WorkshopRefusal, buttons: list[list[Button]] | None = None) -> UserError:
    """The refusal as the error the dispatcher answers with (and rolls the event's writes back for)."""
    return UserError(refusal_text(refusal), buttons)


P = ParamSpec("P")
R = TypeVar("R")


def answering_refusals(
    buttons: Callable[[WorkshopRefusal], list[list[Button]]] | None = None,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Turn the domain's refusals into the translated UserError the dispatcher (or the CLI) answers with;
    `buttons` adds the buttons that help after a given refusal."""

    def wrap(function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(function)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await function(*args, **kwargs)
            except WorkshopRefusal as refusal:
                raise refused(refusal, buttons(refusal) if buttons else None) from None

        return run

    return wrap
