"""The staff inbox port: where questions for a human go (a staff Telegram group, a Discord channel).

The `questions` table is the outbox: asking the team only writes a row, in the asking event's transaction.
`forward_questions` then posts every row not yet forwarded to each configured inbox and records the message
id, so a staff reply to that message can be traced back to its question. The platform adapters implement
`StaffInbox`; the wiring calls `forward_questions` after commits and on a timer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.core.replies import Reply, esc
from bot.i18n import LANGUAGE_NAMES, _, use_locale

if TYPE_CHECKING:
    from storage.uow import Storage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StaffQuestion:
    id: int
    text: str
    language: str
    platform: str
    asked_by: str
    asked_at: datetime


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
    storage: Storage, inboxes: list[StaffInbox], now: datetime, *, staff_language: str = "en"
) -> int:
    """Post the questions no inbox has taken yet; returns how many were forwarded.

    A question is marked forwarded once every inbox took it; an inbox that fails leaves it for the next run
    (so the other inbox may see it twice, which is better than staff never seeing it).
    """
    if not inboxes:
        return 0
    from storage.models import User
    from storage.questions import QuestionRepository

    forwarded = 0
    async with storage.unit_of_work() as uow:
        for row in await QuestionRepository(uow.session).unforwarded():
            user = await uow.session.get(User, row.user_id)
            question = StaffQuestion(
                id=row.id,
                text=row.text,
                language=row.language,
                platform=row.platform,
                asked_by=user.display_name if user else "",
                asked_at=row.asked_at or row.created_at,
            )
            with use_locale(staff_language):
                reply = staff_message(question)
            refs: dict[str, str | None] = {}
            for inbox in inboxes:
                try:
                    refs[inbox.platform] = await inbox.post(question, reply)
                except Exception:
                    log.exception("staff inbox %s refused question %s", inbox.platform, row.id)
                    break
            else:
                row.telegram_message_id = refs.get("telegram") or row.telegram_message_id
                row.discord_message_id = refs.get("discord") or row.discord_message_id
                row.forwarded_at = now
                forwarded += 1
    return forwarded
