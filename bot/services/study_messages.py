"""What the clock sends about the online course: a person's own weekly study reminder, and a nudge to someone who
stopped. Both are worded here, in the recipient's language, as they are queued (the outbox stores finished text).

scheduler/jobs.py opens the unit of work and calls these; each claims its work in the same transaction that queues
the message, so a second clock or a restart sends nothing twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.domain.messages import Reply, esc, link
from bot.domain.timing import after_quiet_hours, next_weekly, parse_time
from bot.i18n import _
from bot.services.outbox import enqueue_for_user
from storage import reminders as store
from storage.models import StudyReminder, User
from storage.progress import done_keys
from storage.users import person_zone

if TYPE_CHECKING:
    from bot.content import Content
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def _lecture_line(content: Content, key: str | None) -> str:
    course_link = link(str(content.program.course.url))
    lecture = content.lecture(key) if key else None
    if lecture is None:
        return _("You have watched every lecture. The course is at {link}.").format(link=course_link)
    return _("Next lecture: {key} “{title}” — {link}").format(
        key=lecture.key, title=esc(lecture.title), link=course_link
    )


def _message(content: Content, headline: Callable[[], str], done: set[str]) -> Callable[[], Reply]:
    """Worded later, inside the recipient's locale (enqueue_for_user sets it)."""
    upcoming = content.next_lecture(done)
    key = upcoming.key if upcoming else None
    return lambda: Reply(headline() + "\n" + _lecture_line(content, key))


async def send_study_reminder(
    uow: UnitOfWork,
    reminder_id: int,
    *,
    now: datetime,
    content: Content,
    grace: timedelta,
    default_zone: str,
    default_locale: str,
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
        _message(content, lambda: _("⏰ Time to study!"), done),
        kind="study",
        ref_id=reminder_id,
        not_before=now,
        default_locale=default_locale,
    )
    return True


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
            _message(content, lambda: _("👋 It has been a while since your last lecture."), done),
            kind="nudge",
            ref_id=None,
            not_before=after_quiet_hours(now, zone, quiet),
            default_locale=default_locale,
        )
    return [user.id for user in users]
