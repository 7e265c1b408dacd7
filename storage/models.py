"""The tables. Times are stored in UTC; IANA zones sit beside them where local time matters."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.domain.statuses import BroadcastStatus, DeliveryStatus, UpdateStatus
from bot.domain.workshops import WorkshopStatus
from storage.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class User(Base):
    """One participant, whatever platforms they use."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The name printed on certificate records, set by the user with /name.
    full_name: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str | None] = mapped_column(String(8))
    # The platform's latest idea of the person's language (a program language), for messages sent to them while
    # they have not chosen one with /language.
    locale_hint: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    accounts: Mapped[list[Account]] = relationship(back_populates="user")


class Account(Base):
    """A user's identity on one platform; a user may link several."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64), default="")
    # False once the platform said the person cannot be reached (blocked the bot, DMs closed).
    reachable: Mapped[bool] = mapped_column(default=True)
    # Set when a message could not reach the person (Discord DMs closed); the next time they use the bot where it
    # can answer them privately they are told once how to let notices through, and it is cleared.
    unreachable_notice_due: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="accounts")


class Delivery(Base):
    """The outbox: one message for one user, claimed, sent, then marked, so a crash re-sends at most one."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_status_not_before", "status", "not_before"),
        # A broadcast's progress (checked every tick while it sends) without reading every delivery.
        Index("ix_deliveries_kind_ref_status", "kind", "ref_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Which account to use; None lets the sender pick the user's most recently seen reachable account.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Set when a worker claims the row (pending → sending); a row left "sending" past its lease was in flight
    # at a crash and goes back to pending.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]


# The claim reads pending rows in its own order (retries first, then oldest) and stops at its limit: this partial
# index holds only pending rows in that order, so no claim sorts the whole outbox.
Index(
    "ix_deliveries_pending_claim",
    Delivery.attempts.desc(),
    Delivery.id,
    postgresql_where=Delivery.status == DeliveryStatus.PENDING.value,
    sqlite_where=Delivery.status == DeliveryStatus.PENDING.value,
)


class Workshop(Base):
    """An in-person workshop. `starts_at` is None while the date is to be announced."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stable key for workshops seeded from content files (None for workshops staff create in chat).
    slug: Mapped[str | None] = mapped_column(String(64), unique=True)
    city: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    venue: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime | None]
    # IANA zone of the venue, e.g. Europe/Rome; local times are always computed from starts_at and this.
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=180)
    capacity: Mapped[int] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    # scheduled | closed (registration closed by staff) | cancelled; "full", "past" and "open" are derived.
    status: Mapped[str] = mapped_column(String(16), default=WorkshopStatus.SCHEDULED)
    # The workshop's check-in secret (never shown): the code at the venue is derived from it and the session's
    # date (bot/domain/workshops.py checkin_code_for), so each session has its own code.
    checkin_code: Mapped[str] = mapped_column(String(32))
    # True once staff changed it: a content reload must not overwrite staff edits.
    staff_edited: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Registration(Base):
    """One person's place at one workshop: confirmed, waitlisted (with an order) or cancelled."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id"),
        Index("ix_registrations_workshop_status", "workshop_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # confirmed | waitlisted | offered (promoted, must confirm before offer_expires_at) | cancelled
    # | preregistered (signed up while the date is to be announced; see bot/domain/workshops.py RegistrationStatus)
    status: Mapped[str] = mapped_column(String(16))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    offer_expires_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Set by check-in (code at the venue, or staff by hand); feeds the workshop certificate.
    attended_at: Mapped[datetime | None]
    consent_at: Mapped[datetime | None]


class CheckinAttempts(Base):
    """Wrong check-in codes a person sent recently; after too many, check-in pauses for them until paused_until.

    A row, not memory: a restart must not hand a guesser a fresh set of tries.
    """

    __tablename__ = "checkin_attempts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]


class BirthYearPrompt(Base):
    """The assistant asked this person's year of birth: a year they type next answers it (for a sign-up to
    workshop_id, or to add or correct the year when workshop_id is None). Gone once answered."""

    __tablename__ = "birth_year_prompts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)


class LectureProgress(Base):
    """A lecture a user marked as watched. Keys come from content (e.g. "3.2")."""

    __tablename__ = "lecture_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lecture_key"),
        # The nudge scan's latest mark and count of marks per person, read from the index alone.
        Index("ix_lecture_progress_user_latest", "user_id", "completed_at", "lecture_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lecture_key: Mapped[str] = mapped_column(String(16))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(Base):
    """A completion (course) or attendance (workshop) record that anyone can verify by its code.

    The code is an HMAC over the id (see bot/certificates/codes.py), so it is set right after the insert.
    `name` is the name the record was issued with, copied from the user's /name and never changed afterwards (a
    new name makes a new record); cleared when the user deletes their data.
    """

    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_user_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # course | workshop
    kind: Mapped[str] = mapped_column(String(16))
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"))
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # Set when a new /name made a newer record of the same kind: this one keeps the name it was issued with and
    # verifies as superseded, never as someone else.
    superseded_at: Mapped[datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))


class LinkCode(Base):
    """A one-time code that joins the account sending it to the user who asked for it (/link)."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the code: a leaked database does not hand out live codes.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class NotificationPrefs(Base):
    """Which kinds of reminder a user wants; no row means every kind is on."""

    __tablename__ = "notification_prefs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    workshop: Mapped[bool] = mapped_column(default=True)
    study: Mapped[bool] = mapped_column(default=True)
    nudge: Mapped[bool] = mapped_column(default=True)
    last_nudge_at: Mapped[datetime | None]


class StudyReminder(Base):
    """A weekly study reminder at a local time on chosen weekdays, in the user's zone at the time it fires."""

    __tablename__ = "study_reminders"
    __table_args__ = (Index("ix_study_reminders_due", "paused", "next_due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # ISO weekday numbers, Monday = 1, comma-separated ("1,4").
    weekdays: Mapped[str] = mapped_column(String(32))
    # Local wall-clock time "HH:MM".
    at_local: Mapped[str] = mapped_column(String(5))
    paused: Mapped[bool] = mapped_column(default=False)
    # The next occurrence in UTC; the firing job advances it with a guarded update, so it fires once.
    next_due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SentReminder(Base):
    """One reminder slot that has been handled (sent or dropped): the unique key makes it happen once."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("kind", "user_id", "ref_id", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ref_id: Mapped[int] = mapped_column(Integer)
    slot: Mapped[str] = mapped_column(String(32))
    # sent | dropped (too late to be useful)
    outcome: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Broadcast(Base):
    """A staff message to an audience; fanned out into one delivery row per recipient when due."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status_scheduled", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The audience filter, e.g. {"platform": "telegram", "language": "it", "stage": "in_progress"}.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Text per language code; `default_language`'s text goes to everyone else.
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    default_language: Mapped[str] = mapped_column(String(8))
    # draft | scheduled | sending | done | cancelled
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.DRAFT)
    scheduled_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    # The fan-out queues recipients in user id order, one short transaction per chunk: the last user id queued,
    # and when the last chunk was (None while sending means a fan-out to resume at the cursor).
    fanout_cursor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fanned_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # When the public copy went to the announcement channel; None until a door took it (retried every tick).
    announced_at: Mapped[datetime | None]


class Question(Base):
    """A question the bot could not answer, handed to staff; the row is also the staff inbox's outbox.

    `forwarded_*` are the staff chat messages it was posted as, so a staff reply to that message can be traced
    back to the question; `forwarded_at` is None until a staff inbox has taken it.
    """

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_answered_at_asked_at", "answered_at", "asked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    platform: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None while it is only a draft: kept so the "Ask the team" button under an unsure reply can carry an id
    # (button data cannot carry the text); set when the person asks the team.
    asked_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)
    # Who answered: "console:name", "telegram:123", "discord:456" or "cli:login".
    answered_by: Mapped[str | None] = mapped_column(String(100))
    # The staff participant who answered (None from the CLI): told if the answer cannot be delivered.
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    # The FAQ entry id the answer was saved as, if staff saved it.
    faq_id: Mapped[str | None] = mapped_column(String(40))
    forwarded_at: Mapped[datetime | None]
    telegram_message_id: Mapped[str | None] = mapped_column(String(64))
    discord_message_id: Mapped[str | None] = mapped_column(String(64))


class FailedAttempt(Base):
    """One wrong code a person sent (a /link code, say): counted per person over a window to stop guessing.

    In the database, so a restart does not reset the count; a person's rows older than the window are deleted
    when they fail again, so the table holds at most a few rows per person.
    """

    __tablename__ = "failed_attempts"
    __table_args__ = (Index("ix_failed_attempts_user_id_kind_at", "user_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # What was guessed: "link" (more kinds may share the table, each with its own limit).
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]


class TelegramUpdate(Base):
    """A Telegram webhook update, stored before Telegram is told "ok" (it never resends an acknowledged update).

    pending → handling (claimed by the one worker) → done, when its payload is dropped; a row left "handling" by
    a crash becomes "interrupted" at the next start and is not handled again (at most once). Done rows are kept a
    day, without payload, so an update Telegram sends twice is recognised by its id.
    """

    __tablename__ = "telegram_updates"
    __table_args__ = (Index("ix_telegram_updates_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    # The update as Telegram posted it (JSON); "" once handled: it may hold personal data.
    payload: Mapped[str] = mapped_column(Text)
    # pending | handling | done | interrupted
    status: Mapped[str] = mapped_column(String(16), default=UpdateStatus.PENDING)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]


# The staff console's tables live beside the console's storage code; imported here so that they are in the one
# metadata the migrations are checked against. A module import: it works whichever of the two is imported first.
import storage.console  # noqa: E402, F401
