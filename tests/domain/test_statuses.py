"""Statuses keep the strings already stored in the database."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.questions import question_status
from bot.domain.statuses import BroadcastStatus, DeliveryStatus, QuestionStatus

AT = datetime(2026, 3, 2, tzinfo=UTC)


def test_stored_values_are_unchanged() -> None:
    assert [s.value for s in DeliveryStatus] == ["pending", "sending", "sent", "unreachable", "failed"]
    assert [s.value for s in BroadcastStatus] == ["draft", "scheduled", "sending", "done", "cancelled"]
    assert DeliveryStatus("sent") is DeliveryStatus.SENT
    assert BroadcastStatus.DONE == "done"


def test_only_sent_unreachable_and_failed_are_final() -> None:
    assert [s for s in DeliveryStatus if s.final] == [
        DeliveryStatus.SENT,
        DeliveryStatus.UNREACHABLE,
        DeliveryStatus.FAILED,
    ]


def test_a_question_is_a_draft_until_asked_and_asked_until_answered() -> None:
    assert question_status(None, None) is QuestionStatus.DRAFT
    assert question_status(AT, None) is QuestionStatus.ASKED
    assert question_status(AT, AT) is QuestionStatus.ANSWERED
