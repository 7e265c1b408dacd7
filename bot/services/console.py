"""The staff console's own records: one-time sign-in links (asked for with /console in the chat), browser
sessions and the audit log of every change made from the console. The pages and the chat call these; storage
only stores (storage/console.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services.unit_of_work import UnitOfWork, commits
from storage import console as store
from storage.console import LINK_TTL, SESSION_TTL, ConsoleAudit, Staffer

__all__ = [
    "LINK_TTL",
    "SESSION_TTL",
    "OpenSession",
    "SignedIn",
    "Staffer",
    "audit",
    "create_link",
    "end_session",
    "live_link_language",
    "open_session",
    "recent_audit",
    "redeem_link",
    "set_session_language",
]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A link just used: the session cookie's token (given once), the session's id and who it is."""

    token: str
    session_id: int
    who: Staffer


@dataclass(frozen=True, slots=True)
class OpenSession:
    session_id: int
    who: Staffer
    csrf_token: str
    language: str


@commits
async def create_link(uow: UnitOfWork, who: Staffer, language: str, now: datetime) -> str:
    """A new one-time sign-in link token for `who`, valid LINK_TTL."""
    return await store.create_link(uow.session, who, language, now)


async def live_link_language(uow: UnitOfWork, token: str, now: datetime) -> str | None:
    """The language of whoever asked for this link while it can still be used; None otherwise."""
    return await store.live_link_language(uow.session, token, now)


@commits
async def redeem_link(uow: UnitOfWork, token: str, now: datetime) -> SignedIn | None:
    """Use a link once and open a session (audited); None for an unknown, used or expired link."""
    opened = await store.redeem_link(uow.session, token, now)
    if opened is None:
        return None
    who = store.staffer_of(opened.row)
    await store.audit(uow.session, who, "sign-in", f"session:{opened.row.id}", now)
    return SignedIn(opened.token, opened.row.id, who)


@commits
async def open_session(uow: UnitOfWork, token: str, now: datetime) -> OpenSession | None:
    """The live session a cookie names (its idle clock restarts), or None."""
    row = await store.live_session(uow.session, token, now)
    if row is None:
        return None
    return OpenSession(row.id, store.staffer_of(row), row.csrf_token, row.language)


@commits
async def end_session(uow: UnitOfWork, session_id: int, who: Staffer, now: datetime) -> None:
    """Sign out (audited); a session already ended stays as it was."""
    row = await uow.session.get(store.ConsoleSession, session_id)
    if row is not None and row.ended_at is None:
        await store.end_session(uow.session, row, now)
        await store.audit(uow.session, who, "sign-out", f"session:{session_id}", now)


@commits
async def set_session_language(uow: UnitOfWork, session_id: int, language: str) -> None:
    row = await uow.session.get(store.ConsoleSession, session_id)
    if row is not None:
        row.language = language


@commits
async def audit(uow: UnitOfWork, /, who: Staffer, action: str, target: str, now: datetime, **detail: Any) -> None:
    """One row of the audit log, just after the change it records was committed (a change refused raises before
    it: no row)."""
    await store.audit(uow.session, who, action, target, now, **detail)


async def recent_audit(uow: UnitOfWork, limit: int = 50) -> list[ConsoleAudit]:
    return await store.recent_audit(uow.session, limit)
