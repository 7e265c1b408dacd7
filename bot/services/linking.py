"""One participant on several platforms: a one-time link code on one, redeemed on the other, merges the two.

/link calls these; the staff console can merge the same way. A wrong code is returned (not raised) as
LinkRejected, so that the failed try is committed and counts towards the pause on guessing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.linking import LinkCodeProblem, LinkingPaused
from bot.services.seats import release_seats
from bot.services.unit_of_work import commits
from storage.attempts import blocked_until, record_failure
from storage.linking import LINK_ATTEMPTS, LINK_CODE_TTL, LinkRefused, create_link_code, merge_users, redeem_link_code

if TYPE_CHECKING:
    from bot.services.seats import Notify
    from bot.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkCodeIssued:
    code: str
    expires_at: datetime
    valid_for: timedelta


@dataclass(frozen=True, slots=True)
class Linked:
    """The accounts are one participant now (`kept_user_id`); what was brought over from the other one."""

    kept_user_id: int
    lectures_added: int
    registrations: int


@dataclass(frozen=True, slots=True)
class LinkRejected:
    """The code was refused; `paused_until` is set when this wrong code was one too many."""

    problem: LinkCodeProblem
    paused_until: datetime | None


@commits
async def new_link_code(uow: UnitOfWork, user_id: int, *, now: datetime) -> LinkCodeIssued:
    """A fresh one-time code for the person (their earlier unused codes stop working)."""
    code = await create_link_code(uow.session, user_id, now)
    return LinkCodeIssued(code, now + LINK_CODE_TTL, LINK_CODE_TTL)


@commits
async def link_accounts(
    uow: UnitOfWork, user_id: int, code: str, *, now: datetime, notify: Notify, offer_hours: int
) -> Linked | LinkRejected:
    """Redeem a code made on the person's other account and merge this account's user into that one.

    Raises LinkingPaused while too many wrong codes were sent. Seats given up by the merge (both accounts held
    one) are offered to those waiting, told through `notify`."""
    session = uow.session
    until = await blocked_until(session, user_id, LINK_ATTEMPTS, now)
    if until is not None:
        # Ids only: the code someone tries is as secret as a password.
        log.warning("link code refused for user %s: too many wrong codes, blocked until %s", user_id, until)
        raise LinkingPaused(until)
    try:
        keep_id = await redeem_link_code(session, code, user_id, now)
    except LinkRefused as refusal:
        failures = await record_failure(session, user_id, LINK_ATTEMPTS, now)
        log.warning(
            "link code refused for user %s: %s (%d of %d wrong codes allowed)",
            user_id,
            refusal.reason,
            failures,
            LINK_ATTEMPTS.failures,
        )
        return LinkRejected(LinkCodeProblem(refusal.reason), await blocked_until(session, user_id, LINK_ATTEMPTS, now))
    summary = await merge_users(session, keep_id, user_id, now)
    await release_seats(session, summary.freed_workshops, now, notify=notify, offer_hours=offer_hours)
    return Linked(keep_id, summary.lectures_added, summary.registrations_moved + summary.registrations_merged)
