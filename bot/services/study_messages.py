"""What the clock sends about the online course: a person's own weekly study reminder, and a nudge to someone who
stopped. Both are worded as they are queued, in the recipient's language (the outbox stores finished text), by the
chat layer's writer (handlers/reminders.py `study_message`) handed in by the caller.

scheduler/jobs.py opens the unit of work and calls these; each claims its work in the same transaction that queues
the message, so a second clock or a restart sends nothing twice."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from bot.domain.messages import Reply
from bot.domain.timing import after_quiet_hours, next_weekly, parse_time
from bot.services.outbox import enqueue_for_user
from bot.services.unit_of_work import commits
from storage import reminders as store
from storage.models import StudyReminder, User
from storage.progress import done_keys
from storage.users import person_zone

if TYPE_CHECKING:
    from bot.content import Content
    from bot.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StudyNote:
    """What a study message says, for the chat layer to word: a reminder the person set, or a nudge after a pause;
    and the next lecture they have not marked (None: they watched every one)."""

    kind: Literal["reminder", "nudge"]
    next_lecture: str | None


# Words a StudyNote in the recipient's language, which the outbox hands in as the last argument.
StudyWriter = Callable[[StudyNote, str], Reply]


def _note(content: Content, kind: Literal["reminder", "nudge"], done: set[str]) -> StudyNote:
    upcoming = content.next_lecture(done)
    return StudyNote(kind, upcoming.key if upcoming else None)


@commits
async def send_study_reminder(
    uow: UnitOfWork,
    reminder_id: int,
    *,
    now: datetime,
    content: Content,
    grace: timedelta,
    default_zone: str,
    default_locale: str,
    write: StudyWriter,
) -> bool:
    """Send one due study reminder and move it to its next occurrence; True when a message was queued.

    One missed by more than `grace` (the bot was down) is skipped, not sent late; one the person turned off moves on
    silently."""
    session = uow.session
    row = await session.get(StudyReminder, reminder_id)
    if row is None or row.paused or row.next_due_at is None or row.next_due_at > now:
        return False
    user = await session.get(User, row.user_id)
    zone = await person_zone(session, user, default_zone, default_locale)
    at: time | None = parse_time(row.at_local)
    days = [int(d) for d in row.weekdays.split(",") if d]
    if at is None or not days:
        return False
    due = row.next_due_at
    following = next_weekly(days, at, zone, max(now, due))
    if not await store.claim_study(session, reminder_id, due, following):
        return False
    late = now - due > grace
    if late or not await store.wants(session, row.user_id, "study"):
        if late:
            log.info("study reminder %d missed by %s: skipped", reminder_id, now - due)
        return False
    done = set(await done_keys(session, row.user_id))
    # The person chose this time themselves: quiet hours hold back what the bot starts, not what was asked for.
    await enqueue_for_user(
        session,
        row.user_id,
        functools.partial(write, _note(content, "reminder", done)),
        kind="study",
        ref_id=reminder_id,
        not_before=now,
        default_locale=default_locale,
    )
    return True


@commits
async def send_nudges(
    uow: UnitOfWork,
    *,
    now: datetime,
    content: Content,
    period: timedelta,
    quiet: tuple[time, time],
    default_zone: str,
    default_locale: str,
    after: int,
    limit: int,
    write: StudyWriter,
) -> list[int]:
    """Nudge up to `limit` people (by user id after `after`) who started the course and marked nothing for
    `period`, once per such period, outside their quiet hours. Returns their user ids, in order."""
    session = uow.session
    keys = [lecture.key for lecture in content.all_lectures()]
    users = list(await session.scalars(store.due_nudges_query(keys, now, period, after, limit)))
    for user in users:
        done = set(await done_keys(session, user.id))
        (await store.prefs(session, user.id)).last_nudge_at = now
        zone = await person_zone(session, user, default_zone, default_locale)
        await enqueue_for_user(
            session,
            user.id,
            functools.partial(write, _note(content, "nudge", done)),
            kind="nudge",
            ref_id=None,
            not_before=after_quiet_hours(now, zone, quiet),
            default_locale=default_locale,
        )
    return [user.id for user in users]
