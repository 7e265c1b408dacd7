"""The staff inbox port: where questions for a human go (a staff Telegram group, a Discord channel).

The `questions` table is the outbox: asking the team only writes a row, in the asking event's transaction.
`forward_questions` then posts every row not yet forwarded to each configured inbox and records the message
id, so a staff reply to that message can be traced back to its question. The platform adapters implement
`StaffInbox`; the clock's tick calls `forward_questions` with the inboxes of every running platform.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.core.replies import Reply, esc
from bot.domain.questions import StaffQuestion
from bot.i18n import LANGUAGE_NAMES, _, use_locale

__all__ = ["StaffInbox", "StaffQuestion", "forward_questions", "staff_message"]

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitsOfWork

log = logging.getLogger(__name__)


class StaffInbox(Protocol):
    """Posts a question to a staff chat; returns the posted message's id (None when it has none)."""

    platform: str

    async def post(self, question: StaffQuestion, reply: Reply) -> str | None: ...


def staff_message(question: StaffQuestion) -> Reply:
    """The question as staff see it, with how to answer it (in the current locale, staff's language)."""
    return Reply(
        "\n".join(
            [
                _("<b>Question #{id}</b> from {name} ({language}, {platform}):").format(
                    id=question.id,
                    name=esc(question.asked_by or "?"),
                    language=LANGUAGE_NAMES.get(question.language, question.language),
                    platform=esc(question.platform),
                ),
                f"“{esc(question.text)}”",
                _("Answer with /answer {id} followed by your answer.").format(id=question.id),
            ]
        )
    )


async def forward_questions(
    storage: UnitsOfWork, inboxes: list[StaffInbox], now: datetime, *, staff_language: str = "en"
) -> int:
    """Post every asked, unanswered question to each inbox that has not had it yet; returns how many posts.

    The platform's message id on the row records that its inbox took the question, so the doors may call this
    apart, each with its own inbox, and every staff chat still gets every question once. Posting happens outside
    any transaction (a slow chat must not hold the database's write lock) and each post is recorded right after
    it: a crash in between posts that question again, which is better than staff never seeing it. An inbox that
    fails leaves the question for the next run.
    """
    from bot.services import questions

    posts = 0
    for inbox in inboxes:
        async with storage.unit_of_work() as uow:
            waiting = await questions.not_posted_to(uow, inbox.platform)
        for question in waiting:
            with use_locale(staff_language):
                reply = staff_message(question)
            try:
                message_id = await inbox.post(question, reply)
            except Exception:
                log.exception("staff inbox %s refused question %s", inbox.platform, question.id)
                continue
            async with storage.unit_of_work() as uow:
                await questions.record_post(uow, question.id, inbox.platform, message_id, now)
            posts += 1
    return posts
