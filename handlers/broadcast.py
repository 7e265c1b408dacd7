"""Staff broadcasts: choose the audience, write the text per language, preview the exact count, confirm, send now or
at a time; list and cancel scheduled ones. The clock fans a confirmed broadcast out into the outbox.

The use cases are in bot/services/broadcasts.py; here the chat is parsed and the outcomes are worded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.core.text import parse_id
from bot.domain import broadcasts as rules
from bot.domain.audiences import Audience
from bot.domain.statuses import BroadcastStatus, DeliveryStatus
from bot.i18n import LANGUAGE_NAMES, N_, _, format_moment, ngettext, use_locale
from bot.services import broadcasts as service
from bot.services.broadcasts import AudienceCheck, BroadcastView, Report
from bot.settings import LANGUAGES
from handlers.workshop_input import parse_local

router = Router()

STATUS_LABELS = {
    BroadcastStatus.DRAFT: N_("draft"),
    BroadcastStatus.SCHEDULED: N_("scheduled"),
    BroadcastStatus.SENDING: N_("sending"),
    BroadcastStatus.DONE: N_("done"),
    BroadcastStatus.CANCELLED: N_("cancelled"),
}


def status_text(status: str) -> str:
    try:
        label = STATUS_LABELS[BroadcastStatus(status)]
    except ValueError:
        return esc(status)
    return _(label)


def recipients_text(count: int) -> str:
    return ngettext("{n} recipient", "{n} recipients", count).format(n=count)


USAGE = (
    "/broadcast new everyone | platform=telegram | lang=it | workshop=ID registered|waiting|attended | "
    "city=Milan attended | stage=not_started|in_progress|completed\n"
    "/broadcast text [lang=xx] TEXT\n/broadcast preview\n/broadcast send\n/broadcast at YYYY-MM-DD HH:MM\n"
    "/broadcast list\n/broadcast cancel ID\n/broadcast status ID"
)


def refusal_text(refusal: rules.BroadcastRefused) -> str:
    """The one wording of every broadcast refusal, for the chat and the CLI."""
    match refusal:
        case rules.BadAudience(part=part):
            return _("I don't understand the audience “{part}”.").format(part=esc(part[:60])) + "\n" + esc(USAGE)
        case rules.NoDraft():
            return _("You have no broadcast draft. Start one with /broadcast new everyone")
        case rules.UnknownLanguage(code=code, languages=languages):
            return _("I don't know the language “{code}”. Use one of: {codes}.").format(
                code=esc(code[:12]), codes=", ".join(languages)
            )
        case rules.EmptyText():
            return _("The text is empty. Write it after the command: /broadcast text YOUR MESSAGE")
        case rules.TextTooLong(length=length, limit=limit):
            return ngettext(
                "That text has {n} character; a broadcast can have at most {limit}, so it fits one message.",
                "That text has {n} characters; a broadcast can have at most {limit}, so it fits one message.",
                length,
            ).format(n=length, limit=limit)
        case rules.NotADraft(broadcast_id=broadcast_id):
            return _("Broadcast #{id} is not a draft any more.").format(id=broadcast_id)
        case rules.TextMissing():
            return _("Write the text first: /broadcast text YOUR MESSAGE")
        case rules.CannotCancel(broadcast_id=broadcast_id):
            return _("Broadcast #{id} cannot be cancelled (unknown, or already sending).").format(id=broadcast_id)
        case rules.NoSuchBroadcast(broadcast_id=broadcast_id):
            return _("There is no broadcast #{id}.").format(id=broadcast_id)
    raise AssertionError(f"unworded refusal {refusal!r}")


def audience_text(audience: Mapping[str, Any]) -> str:
    return esc(" ".join(f"{k}={v}" for k, v in audience.items()) or "everyone")


def audience_warnings(check: AudienceCheck, audience: Audience) -> list[str]:
    """What staff must hear before writing to this audience (the chat's draft and the console's builder), as plain
    text: each caller escapes it for its own markup."""
    found = []
    if check.empty:
        found.append(_("Nobody matches this audience: the broadcast would reach no one."))
    if check.unknown_city:
        found.append(_("No workshop is in the city “{city}”. Check the spelling.").format(city=audience.city or ""))
    if check.unknown_workshop:
        found.append(_("There is no workshop #{id}.").format(id=audience.workshop_id))
    return found


async def _warnings(ctx: Context, audience: Mapping[str, Any]) -> list[str]:
    parsed = Audience.from_json(dict(audience))
    check = await service.check_audience(ctx.unit_of_work, parsed, ctx.content, ctx.settings.default_language)
    return ["⚠️ " + esc(warning) for warning in audience_warnings(check, parsed)]


async def _new(ctx: Context, rest: str) -> Reply:
    draft = await service.new_draft(
        ctx.unit_of_work,
        ctx.user_id,
        rest,
        content=ctx.content,
        languages=LANGUAGES,
        default_language=ctx.settings.default_language,
        now=ctx.now(),
    )
    lines = [
        _("Draft #{id} for {audience}: {recipients}. Now send the text: /broadcast text YOUR MESSAGE").format(
            id=draft.id, audience=audience_text(draft.audience), recipients=recipients_text(draft.recipients)
        )
    ]
    return Reply("\n".join([*lines, *await _warnings(ctx, draft.audience)]))


async def _text(ctx: Context, rest: str) -> Reply:
    first, _sep, remainder = rest.strip().partition(" ")
    language = None
    # Only an explicit marker names the language: a text may well start with a word such as "It" or "De".
    if first.lower().startswith("lang="):
        language, rest = first[5:].lower(), remainder
    draft = await service.set_text(
        ctx.unit_of_work, ctx.user_id, rest, language=language, languages=LANGUAGES, content=ctx.content
    )
    preview = _preview(draft)
    warnings = await _warnings(ctx, draft.audience)
    return replace(preview, text="\n".join([*warnings, "", preview.text])) if warnings else preview


def broadcast_message(text: str) -> str:
    """Staff text is escaped, never interpreted: `<`, `&` and right-to-left script arrive exactly as typed."""
    return _("📣 <b>Message from the program team</b>") + "\n\n" + esc(text)


def announcement(text: str, language: str) -> str:
    """The broadcast as a recipient in `language` reads it (bot/services/broadcasts.py's AnnouncementWriter)."""
    with use_locale(language):
        return broadcast_message(text)


def broadcast_report(number: int, delivered: int, unreachable: int, failed: int, language: str) -> Reply:
    """The author's report when a broadcast is done (bot/services/broadcasts.py's ReportWriter)."""
    with use_locale(language):
        return Reply(
            _("📊 Broadcast #{id} is done: {delivered} delivered, {unreachable} unreachable, {failed} failed.").format(
                id=number, delivered=delivered, unreachable=unreachable, failed=failed
            )
        )


def _preview(draft: BroadcastView) -> Reply:
    lines = [
        _("<b>Broadcast #{id}</b> to {audience}: exactly {recipients}.").format(
            id=draft.id, audience=audience_text(draft.audience), recipients=recipients_text(draft.recipients)
        )
    ]
    if not draft.ready:
        lines.append(
            _("Missing the text in {language}, which everyone else receives.").format(
                language=LANGUAGE_NAMES[draft.default_language]
            )
        )
    for lang, text in draft.texts.items():
        lines += ["", f"— {LANGUAGE_NAMES.get(lang, lang)} —", announcement(text, lang)]
    buttons = []
    if draft.ready:
        buttons.append(
            [
                Button(_("Send now to {count}").format(count=draft.recipients), act("bc.send", draft.id)),
                Button(_("Discard"), act("bc.cancel", draft.id)),
            ]
        )
        lines += ["", _("Or schedule it: /broadcast at YYYY-MM-DD HH:MM (your time zone)")]
    return Reply("\n".join(lines), buttons=buttons)


async def _confirm(ctx: Context, broadcast_id: int, at: datetime | None) -> Reply:
    scheduled = await service.schedule(ctx.unit_of_work, broadcast_id, at=at, now=ctx.now(), content=ctx.content)
    if at is None:
        return Reply(
            _("Broadcast #{id} is on its way to {recipients}. You will get a report when it is done.").format(
                id=scheduled.id, recipients=recipients_text(scheduled.recipients)
            ),
            edit=True,
        )
    return Reply(
        _("Broadcast #{id} is scheduled for {time} ({recipients} now). /broadcast list shows it.").format(
            id=scheduled.id, time=format_moment(at, ctx.zone), recipients=recipients_text(scheduled.recipients)
        )
    )


def _parse_at(ctx: Context, text: str) -> datetime:
    if not text.strip():
        raise UserError(_("Write the time like this: /broadcast at 2026-05-04 18:30"))
    # The staff tools' one reading of a date: daylight-saving gaps, the past and far-off years are refused.
    return parse_local(text, ctx.zone, now=ctx.now())


async def _list(ctx: Context) -> Reply:
    rows = await service.active(ctx.unit_of_work, content=ctx.content)
    if not rows:
        return Reply(_("No broadcast is scheduled or sending."))
    zone = ctx.zone
    lines = [_("<b>Scheduled and sending broadcasts</b>")]
    buttons = []
    for row in rows:
        when = format_moment(row.scheduled_at, zone) if row.scheduled_at else "—"
        lines.append(f"#{row.id} {status_text(row.status)} {when} — {audience_text(row.audience)}")
        if row.status is BroadcastStatus.SCHEDULED:
            buttons.append([Button(_("Cancel #{id}").format(id=row.id), act("bc.cancel", row.id))])
    return Reply("\n".join(lines), buttons=buttons)


async def _cancel(ctx: Context, raw: str) -> Reply:
    broadcast_id = parse_id(raw)
    if broadcast_id is None:
        raise UserError(
            _("Broadcast #{id} cannot be cancelled (unknown, or already sending).").format(id=esc(raw[:12]))
        )
    await service.cancel(ctx.unit_of_work, broadcast_id)
    return Reply(_("Broadcast #{id} is cancelled.").format(id=broadcast_id), edit=ctx.event.action is not None)


def report_text(report: Report) -> str:
    return _(
        "Broadcast #{id} ({status}): {delivered} delivered, {unreachable} unreachable, {failed} failed, "
        "{waiting} waiting, of {total}."
    ).format(
        id=report.id,
        status=status_text(report.status),
        delivered=report.delivered,
        unreachable=report.count(DeliveryStatus.UNREACHABLE),
        failed=report.count(DeliveryStatus.FAILED),
        waiting=report.waiting,
        total=report.total,
    )


async def _status(ctx: Context, raw: str) -> Reply:
    broadcast_id = parse_id(raw)
    if broadcast_id is None:
        raise UserError(_("There is no broadcast #{id}.").format(id=esc(raw[:12])))
    return Reply(report_text(await service.report(ctx.unit_of_work, broadcast_id)))


@router.command("broadcast", staff=True, args_hint="new everyone")
async def broadcast(ctx: Context) -> Reply:
    """Message participants (staff): new, text [lang=xx], preview, send, at, list, cancel, status."""
    try:
        return await _run(ctx)
    except rules.BroadcastRefused as refusal:
        raise UserError(refusal_text(refusal)) from None


async def _run(ctx: Context) -> Reply:
    verb, _sep, rest = ctx.text.strip().partition(" ")
    verb = verb.lower()
    if verb == "new":
        return await _new(ctx, rest)
    if verb == "text":
        return await _text(ctx, rest)
    if verb == "preview":
        return _preview(await service.current_draft(ctx.unit_of_work, ctx.user_id, content=ctx.content))
    if verb == "send":
        draft = await service.current_draft(ctx.unit_of_work, ctx.user_id, content=ctx.content)
        return await _confirm(ctx, draft.id, None)
    if verb == "at":
        at = _parse_at(ctx, rest)
        draft = await service.current_draft(ctx.unit_of_work, ctx.user_id, content=ctx.content)
        return await _confirm(ctx, draft.id, at)
    if verb == "list":
        return await _list(ctx)
    if verb == "cancel":
        return await _cancel(ctx, rest.strip().lstrip("#"))
    if verb == "status":
        return await _status(ctx, rest.strip().lstrip("#"))
    return Reply(esc(USAGE))


@router.action("bc.send", staff=True)
async def send_pressed(ctx: Context) -> Reply:
    broadcast_id = parse_id(ctx.args[0]) if len(ctx.args) == 1 else None
    if broadcast_id is None:
        raise UserError(_("That button is no longer valid. Here is the menu again."))
    try:
        return await _confirm(ctx, broadcast_id, None)
    except rules.BroadcastRefused as refusal:
        raise UserError(refusal_text(refusal)) from None


@router.action("bc.cancel", staff=True)
async def cancel_pressed(ctx: Context) -> Reply:
    if len(ctx.args) != 1:
        raise UserError(_("That button is no longer valid. Here is the menu again."))
    try:
        return await _cancel(ctx, ctx.args[0])
    except rules.BroadcastRefused as refusal:
        raise UserError(refusal_text(refusal)) from None
