"""The staff channel on Discord: every question for the team is posted there with an "Answer" button.

The button carries the question id in its custom id, like every button of ours, so it works after a restart.
Pressing it opens a form (a modal) for staff; anyone else is refused and nothing changes. The form's submission
is handled from its custom id too, never by a modal object kept in this process's memory, so a form opened
before a restart is still taken after it. The answer then runs through the dispatcher exactly as `/answer ID
text` would: the same staff check, the same checks on the answer, the same notice to the participant (an
outbox row, sent in their language).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.adapters.discord.messenger import NO_MENTIONS
from bot.adapters.discord.render import MAX_LABEL, render
from bot.core.replies import Reply
from bot.core.staff import is_staff
from bot.core.text import parse_id
from bot.i18n import _, current_locale, use_locale
from bot.staff_inbox import StaffQuestion

if TYPE_CHECKING:
    from bot.adapters.discord.interactions import Interactions

log = logging.getLogger(__name__)

ANSWER_TEMPLATE = r"wans:(?P<id>[0-9]{1,12})"
MODAL_TEMPLATE = re.compile(r"wansm:(?P<id>[0-9]{1,12})")
ANSWER_FIELD = "answer"
# Discord's own limits: a modal title and a text input label take at most 45 characters, a value 4000.
MAX_MODAL_TITLE = 45
MAX_ANSWER_INPUT = 3000


class DiscordStaffInbox:
    """Posts questions to the staff channel; the message id is stored with the question."""

    platform = "discord"

    def __init__(self, client: discord.Client, channel_id: int, *, language: str = "en") -> None:
        self.client = client
        self.channel_id = channel_id
        self.language = language

    async def post(self, question: StaffQuestion, reply: Reply) -> str | None:
        channel = self.client.get_channel(self.channel_id) or await self.client.fetch_channel(self.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise RuntimeError(f"Discord staff channel {self.channel_id} cannot take messages")
        with use_locale(self.language):
            label = _("Answer")
        view = discord.ui.View(timeout=None)
        view.add_item(AnswerButton(question.id, label=label))
        messages = render(reply).messages()
        messages[-1]["view"] = view
        sent: discord.Message | None = None
        for message in messages:
            sent = await channel.send(**message, allowed_mentions=NO_MENTIONS)
        return str(sent.id) if sent is not None else None


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ANSWER_TEMPLATE):
    def __init__(self, question_id: int, *, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:MAX_LABEL] or "…", style=discord.ButtonStyle.primary, custom_id=f"wans:{question_id}"
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        # A forged id beyond the database's range becomes 0, which names no row: "there is no question #0".
        return cls(parse_id(match["id"]) or 0, label=getattr(item, "label", "") or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        from bot.adapters.discord.interactions import interactions_of

        await answer_pressed(interactions_of(interaction.client), interaction, self.question_id)


class AnswerModal(discord.ui.Modal):
    def __init__(self, question_id: int) -> None:
        super().__init__(
            title=_("Answer question #{id}").format(id=question_id)[:MAX_MODAL_TITLE], custom_id=f"wansm:{question_id}"
        )
        self.add_item(
            discord.ui.TextInput(
                label=_("Your answer")[:MAX_MODAL_TITLE],
                style=discord.TextStyle.paragraph,
                custom_id=ANSWER_FIELD,
                max_length=MAX_ANSWER_INPUT,
                required=True,
            )
        )
        # Stopped before it is sent, so discord.py does not keep it: the door takes the submission by its
        # custom id instead, which also works for a form opened before a restart.
        self.stop()


async def _tell(door: Interactions, interaction: discord.Interaction[Any], text: str) -> None:
    # Called in the presser's language: the reply says it, for right-to-left layout.
    await door.tell(interaction, Reply(text, lang=current_locale()))


async def answer_pressed(door: Interactions, interaction: discord.Interaction[Any], question_id: int) -> None:
    """Staff get the answer form; others a refusal. An answered or unknown question gets no form."""
    with use_locale(await door.language(interaction)):
        if not is_staff(door.settings, door.event_for(interaction)):
            await _tell(door, interaction, _("That is only for the program staff."))
            return
        problem = await _why_not_answerable(door, question_id)
        if problem is not None:
            await _tell(door, interaction, problem)
            return
        modal = AnswerModal(question_id)
    await interaction.response.send_modal(modal)


async def _why_not_answerable(door: Interactions, question_id: int) -> str | None:
    """The one answerable rule (bot.services.questions.answerable), worded as the chat words it."""
    storage = door.app.storage
    if storage is None:
        return _("There is no question #{id}.").format(id=question_id)
    from bot.domain.questions import QuestionRefused
    from bot.services.questions import answerable
    from handlers.questions import refusal_text

    try:
        async with storage.unit_of_work() as uow:
            await answerable(uow, question_id)
    except QuestionRefused as refusal:
        return refusal_text(refusal)
    return None


def submitted_value(data: Any, custom_id: str = ANSWER_FIELD) -> str | None:
    """A text input's value in a modal submission (rows of inputs, or labels holding one input each)."""
    if isinstance(data, list):
        for part in data:
            found = submitted_value(part, custom_id)
            if found is not None:
                return found
        return None
    if not isinstance(data, dict):
        return None
    if data.get("custom_id") == custom_id and isinstance(data.get("value"), str):
        return str(data["value"])
    return submitted_value(data.get("components", []), custom_id) or submitted_value(data.get("component"), custom_id)


async def on_modal_submit(door: Interactions, interaction: discord.Interaction[Any]) -> bool:
    """Take an answer form's submission; False when the submission is not one of ours."""
    data: Any = interaction.data or {}
    match = MODAL_TEMPLATE.fullmatch(str(data.get("custom_id", "")))
    answer = submitted_value(data.get("components", []))
    if match is None or answer is None:
        return False
    # The same text a staff member would type; the dispatcher checks staff again, the handler the answer.
    event = door.event_for(interaction, text=f"/answer {match['id']} {answer.strip()}")
    replies = await door.dispatch(interaction, event, component=False)
    await door.answer(interaction, replies, component=False, hidden=True)
    return True
