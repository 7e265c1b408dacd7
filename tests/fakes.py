"""Fakes at the platform edge: a Messenger that records sends and answers from a script."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.ports import SendOutcome
from bot.core.replies import Reply


@dataclass
class FakeMessenger:
    platform: str = "telegram"
    # chat_id → outcomes to answer in turn (then "sent"); or a function deciding per call.
    script: dict[str, list[SendOutcome]] = field(default_factory=dict)
    sent: list[tuple[str, str]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    decide: Callable[[str, Reply], SendOutcome] | None = None

    async def send(self, chat_id: str, reply: Reply) -> SendOutcome:
        self.calls.append(chat_id)
        if self.decide is not None:
            outcome = self.decide(chat_id, reply)
        else:
            queue = self.script.get(chat_id, [])
            outcome = queue.pop(0) if queue else SendOutcome("sent")
        if outcome.status == "sent":
            self.sent.append((chat_id, reply.text))
        return outcome
