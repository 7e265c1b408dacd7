"""The staff console's sign-in links, sessions and audit log.

Links and session cookies are random tokens of which only the SHA-256 is stored: a copy of the database hands out
neither a live link nor a live session. A link is used once (a guarded update marks it), within ten minutes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import utcnow

LINK_TTL = timedelta(minutes=10)
# A session ends after this long, and sooner after this long without a request.
SESSION_TTL = timedelta(hours=8)
SESSION_IDLE = timedelta(hours=1)


class _Staffer:
    """The staff identity a link or a session belongs to: re-checked against the configuration on every request."""

    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    # Discord roles held when asking for the link (staff by role); comma-separated.
    roles: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsoleLink(_Staffer, Base):
    """A one-time sign-in link a staff member asked for with /console."""

    __tablename__ = "console_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ConsoleSession(_Staffer, Base):
    """A signed-in browser. The cookie holds the token; the row its hash, who it is, and its CSRF token."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ConsoleAudit(Base):
    """One change made in the console, by whom: written in the same transaction as the change."""

    __tablename__ = "console_audit"
    __table_args__ = (Index("ix_console_audit_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # "telegram:123", "discord:456", "console:name"; kept when the person's data is deleted.
    actor: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Staffer:
    """Who a link or session belongs to."""

    platform: str
    platform_user_id: str
    roles: frozenset[str]
    user_id: int | None
    display_name: str

    @property
    def actor(self) -> str:
        return f"{self.platform}:{self.platform_user_id}"[:100]


async def create_link(session: AsyncSession, who: Staffer, language: str, now: datetime) -> str:
    """A new one-time link token for `who` (returned once, stored hashed)."""
    # Old links and ended sessions are of no further use: each new link sweeps those over a day past.
    stale = now - timedelta(days=1)
    await session.execute(delete(ConsoleLink).where(ConsoleLink.expires_at < stale))
    await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < stale))
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleLink(
            token_hash=hash_token(token),
            platform=who.platform,
            platform_user_id=who.platform_user_id,
            roles=",".join(sorted(who.roles)),
            user_id=who.user_id,
            display_name=who.display_name[:200],
            language=language,
            created_at=now,
            expires_at=now + LINK_TTL,
        )
    )
    await session.flush()
    return token


async def live_link_language(session: AsyncSession, token: str, now: datetime) -> str | None:
    """The language of the staff member who asked for this link, while it can still be used; else None."""
    row = await session.scalar(select(ConsoleLink).where(ConsoleLink.token_hash == hash_token(token)))
    return row.language if row is not None and row.used_at is None and row.expires_at > now else None


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    row: ConsoleSession


async def redeem_link(session: AsyncSession, token: str, now: datetime) -> NewSession | None:
    """Use a link once and open a session; None for an unknown, used or expired link."""
    digest = hash_token(token)
    # The guarded update is the one-time rule: of two browsers opening the same link at once, one row is updated.
    result = await session.execute(
        update(ConsoleLink)
        .where(ConsoleLink.token_hash == digest, ConsoleLink.used_at.is_(None), ConsoleLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        return None
    link = await session.scalar(select(ConsoleLink).where(ConsoleLink.token_hash == digest))
    assert link is not None
    cookie = secrets.token_urlsafe(32)
    row = ConsoleSession(
        token_hash=hash_token(cookie),
        csrf_token=secrets.token_urlsafe(32),
        platform=link.platform,
        platform_user_id=link.platform_user_id,
        roles=link.roles,
        user_id=link.user_id,
        display_name=link.display_name,
        language=link.language,
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_TTL,
    )
    session.add(row)
    await session.flush()
    return NewSession(cookie, row)


async def live_session(session: AsyncSession, token: str, now: datetime) -> ConsoleSession | None:
    """The session a cookie names, if it has not ended, expired or idled out; its idle clock restarts."""
    row = await session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == hash_token(token)))
    if row is None or row.ended_at is not None or row.expires_at <= now or row.last_seen_at + SESSION_IDLE <= now:
        return None
    row.last_seen_at = now
    return row


def staffer_of(row: ConsoleSession | ConsoleLink) -> Staffer:
    return Staffer(
        platform=row.platform,
        platform_user_id=row.platform_user_id,
        roles=frozenset(role for role in row.roles.split(",") if role),
        user_id=row.user_id,
        display_name=row.display_name,
    )


async def end_session(session: AsyncSession, row: ConsoleSession, now: datetime) -> None:
    row.ended_at = now


async def audit(session: AsyncSession, who: Staffer, action: str, target: str, now: datetime, **detail: Any) -> None:
    session.add(
        ConsoleAudit(
            at=now,
            actor=who.actor,
            actor_name=who.display_name[:200],
            action=action[:40],
            target=target[:100],
            detail=detail,
        )
    )


async def recent_audit(session: AsyncSession, limit: int = 50) -> list[ConsoleAudit]:
    return list(await session.scalars(select(ConsoleAudit).order_by(ConsoleAudit.id.desc()).limit(limit)))


class PartTally(Base):
    """How many lectures of each part (and, as part 0, of the whole course) a person has marked.

    Kept by database triggers on `lecture_progress` (migration 0014), whichever code writes the marks (marking,
    un-marking, merging two accounts, deleting a person's data): the overview's course funnel then counts index
    ranges instead of grouping every mark of every participant.
    """

    __tablename__ = "part_tally"
    __table_args__ = (Index("ix_part_tally_part_marks", "part", "marks"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # 0: the whole course; 1, 2, ...: the part numbers of the lecture keys ("3.2" is part 3); -1: any other key.
    part: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    marks: Mapped[int] = mapped_column(Integer, default=0)


# The number of tally rows per lecture: concurrent marks of one lecture by different people mostly update
# different rows, so they do not queue behind one row lock.
TALLY_SHARDS = 16


class LectureTally(Base):
    """How many people marked each lecture, in TALLY_SHARDS rows per lecture (by user id), kept by the same
    triggers: lecture-by-lecture completion sums a few hundred rows instead of counting every mark."""

    __tablename__ = "lecture_tally"

    lecture_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    people: Mapped[int] = mapped_column(Integer, default=0)
