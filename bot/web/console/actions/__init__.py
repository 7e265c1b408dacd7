"""Every call the console makes into the program: the same functions the chat and the CLI use, one unit of work
each, and an audit row written in the same transaction as each change.

Every staff operation here calls the use case in bot/services that the chat and the CLI call, and a refusal is
worded by the chat's own wording function. One package on purpose: every page imports it as `actions` and calls
nothing else."""

from __future__ import annotations

from bot.domain.audiences import Audience
from bot.domain.broadcasts import MAX_TEXT
from bot.domain.questions import MAX_ANSWER
from bot.domain.workshop_info import WorkshopInfo
from bot.services.broadcasts import AudienceCheck
from bot.services.console import SESSION_TTL, Staffer
from bot.web.console.actions.base import Refused
from bot.web.console.actions.broadcasts import (
    audience_of,
    broadcast_report,
    broadcasts,
    cancel_broadcast,
    check_audience,
    parse_local,
    schedule_broadcast,
    text_problem,
)
from bot.web.console.actions.overview import Overview, overview
from bot.web.console.actions.participants import (
    Person,
    delete_person,
    export_person,
    person,
    revoke_record,
    search_people,
)
from bot.web.console.actions.questions import answer_question, inbox, recently_answered, save_faq, waiting_texts
from bot.web.console.actions.sessions import (
    end_session,
    live_link_language,
    open_session,
    redeem_link,
    set_session_language,
)
from bot.web.console.actions.workshops import (
    Registrant,
    WorkshopRow,
    cancel_workshop,
    create_workshop,
    edit_workshop,
    export_csv,
    mark_attended,
    set_workshop_date,
    set_workshop_open,
    workshop,
    workshops,
)
from handlers.broadcast import broadcast_message, status_text
from handlers.workshop_input import participant_number
from handlers.workshop_views import STATUS_LABELS

# Also through here: the labels and message formats the pages show exactly as the chat shows them, and the types
# they read. The pages import nothing else from the program.

__all__ = [
    "MAX_ANSWER",
    "MAX_TEXT",
    "SESSION_TTL",
    "STATUS_LABELS",
    "Audience",
    "AudienceCheck",
    "Overview",
    "Person",
    "Refused",
    "Registrant",
    "Staffer",
    "WorkshopInfo",
    "WorkshopRow",
    "answer_question",
    "audience_of",
    "broadcast_message",
    "broadcast_report",
    "broadcasts",
    "cancel_broadcast",
    "cancel_workshop",
    "check_audience",
    "create_workshop",
    "delete_person",
    "edit_workshop",
    "end_session",
    "export_csv",
    "export_person",
    "inbox",
    "live_link_language",
    "mark_attended",
    "open_session",
    "overview",
    "parse_local",
    "participant_number",
    "person",
    "recently_answered",
    "redeem_link",
    "revoke_record",
    "save_faq",
    "schedule_broadcast",
    "search_people",
    "set_session_language",
    "set_workshop_date",
    "set_workshop_open",
    "status_text",
    "text_problem",
    "waiting_texts",
    "workshop",
    "workshops",
]
