"""Why a workshop action is refused, as data: the chat and the CLI word each one (handlers/workshop_refusals.py).

Every refusal is raised before anything is written, so the unit of work it leaves rolls back nothing of value.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.workshops import RegistrationStatus


class WorkshopRefusal(Exception):
    """A workshop action that is not allowed now; subclasses carry what the reply needs."""


class NoSuchWorkshop(WorkshopRefusal):
    def __init__(self, raw_id: object) -> None:
        super().__init__(raw_id)
        self.raw_id = raw_id


class WorkshopCancelled(WorkshopRefusal):
    def __init__(self, workshop_id: int, city: str) -> None:
        super().__init__(workshop_id, city)
        self.workshop_id, self.city = workshop_id, city


class WorkshopOver(WorkshopRefusal):
    """The workshop has taken place (it started): no sign-up, cancellation or offer any more."""

    def __init__(self, workshop_id: int, city: str) -> None:
        super().__init__(workshop_id, city)
        self.workshop_id, self.city = workshop_id, city


class RegistrationClosed(WorkshopRefusal):
    def __init__(self, workshop_id: int, city: str) -> None:
        super().__init__(workshop_id, city)
        self.workshop_id, self.city = workshop_id, city


class AlreadyRegistered(WorkshopRefusal):
    """The person holds an active registration (`status`) at this workshop: a second one changes nothing."""

    def __init__(self, workshop_id: int, registration_id: int, status: RegistrationStatus) -> None:
        super().__init__(workshop_id, registration_id, status)
        self.workshop_id, self.registration_id, self.status = workshop_id, registration_id, status


class NoSuchRegistration(WorkshopRefusal):
    """Not one of the person's active registrations: someone else's gets the same answer as a missing one."""


class AttendedCannotCancel(WorkshopRefusal):
    def __init__(self, workshop_id: int) -> None:
        super().__init__(workshop_id)
        self.workshop_id = workshop_id


class OfferLapsed(WorkshopRefusal):
    """The offer's deadline passed; the seat is about to pass to the next person waiting."""

    def __init__(self, registration_id: int) -> None:
        super().__init__(registration_id)
        self.registration_id = registration_id


class OfferGone(WorkshopRefusal):
    """The offer lapsed and the seat went on: the person is no longer registered."""

    def __init__(self, registration_id: int) -> None:
        super().__init__(registration_id)
        self.registration_id = registration_id


class NoDate(WorkshopRefusal):
    """The workshop has no date yet (no calendar file, no check-in)."""

    def __init__(self, workshop_id: int) -> None:
        super().__init__(workshop_id)
        self.workshop_id = workshop_id


class CapacityBelowTaken(WorkshopRefusal):
    def __init__(self, workshop_id: int, taken: int) -> None:
        super().__init__(workshop_id, taken)
        self.workshop_id, self.taken = workshop_id, taken


class NoConfirmedSeat(WorkshopRefusal):
    """Staff marked attendance for someone without a confirmed seat (or a participant number out of range)."""

    def __init__(self, workshop_id: int, user: str) -> None:
        super().__init__(workshop_id, user)
        self.workshop_id, self.user = workshop_id, user


class MissingFields(WorkshopRefusal):
    """A new workshop needs at least a city, a zone and a capacity."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(missing)
        self.missing = missing


# ------------------------------------------------------------------------------------------ staff input


class BadField(WorkshopRefusal):
    """A `key=value` field staff gave that cannot be used; `reason`: empty | not_a_number | unknown | no_value."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)
        self.field, self.reason = field, reason


class BadZone(WorkshopRefusal):
    """Not one IANA zone: a folder of zones (`suggestions` names some in it) or unknown."""

    def __init__(self, text: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(text, suggestions)
        self.text, self.suggestions = text, suggestions

    @property
    def is_folder(self) -> bool:
        return bool(self.suggestions)


class BadTime(WorkshopRefusal):
    """A venue time that cannot be used; `reason`: unreadable | skipped | past | too_early | too_late."""

    def __init__(
        self,
        text: str,
        zone: str,
        reason: str,
        *,
        earliest: datetime | None = None,
        latest: datetime | None = None,
    ) -> None:
        super().__init__(text, zone, reason)
        self.text, self.zone, self.reason = text, zone, reason
        self.earliest, self.latest = earliest, latest
