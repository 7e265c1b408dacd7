"""Statuses as the database stores them: StrEnums whose values are the stored strings, so rows written before
the enums existed read back unchanged and a typo in a status is a name error, not a query that matches nothing."""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    """An outbox row: pending → sending (claimed) → sent | unreachable | failed, or back to pending (retry)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self in FINAL_DELIVERY


FINAL_DELIVERY = frozenset({DeliveryStatus.SENT, DeliveryStatus.UNREACHABLE, DeliveryStatus.FAILED})


class BroadcastStatus(StrEnum):
    """draft → scheduled → sending → done; a draft or a scheduled one may become cancelled."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


# Not started yet: staff may still cancel these.
CANCELLABLE_BROADCAST = (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED)


class QuestionStatus(StrEnum):
    """A question has no status column: it is a draft until asked (asked_at), then asked until answered."""

    DRAFT = "draft"
    ASKED = "asked"
    ANSWERED = "answered"


class UpdateStatus(StrEnum):
    """A Telegram webhook update kept before it is acknowledged: pending → handling → done, or interrupted when a
    crash left it in hand (never handled twice)."""

    PENDING = "pending"
    HANDLING = "handling"
    DONE = "done"
    INTERRUPTED = "interrupted"


class RecordStatus(StrEnum):
    """What verifying a record's code shows: valid; superseded (a newer record, made for a new name, replaced it;
    it still shows the name it was issued with); revoked; invalid (unknown, tampered or a deleted person)."""

    VALID = "valid"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    INVALID = "invalid"
