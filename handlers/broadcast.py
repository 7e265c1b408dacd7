"""Staff broadcasts: choose the audience, write the text per language, preview the exact count, confirm, send now or
at a time; list and cancel scheduled ones. The clock fans a confirmed broadcast out into the outbox.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.core.text import parse_id
from bot.i18n import LANGUAGE_NAMES, N_, _, format_moment, ngettext, use_locale
from bot.settings import LANGUAGES
from handlers.workshop_input import parse_local
from scheduler.jobs import broadcast_message
from storage import broadcasts as store
from storage.broadcasts import Audience, AudienceError
from storage.models import Broadcast

router = Router()

STATUS_LABELS = {
    "draft": N_("draft"),
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}


def status_text(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return _(label) if label else esc(status)


def recipients_text(count: int) -> str:
    return ngettext("{n} recipient", "{n} recipients", count).format(n=count)


USAGE = (
    "/broadcast new everyone | platform=telegram | lang=it | workshop=ID registered|waiting|attended | "
    "city=Milan attended | stage=not_started|in_progress|completed\n"
    "/broadcast text [lang=xx] TEXT\n/broadcast preview\n/broadcast send\n/broadcast at YYYY-MM-DD HH:MM\n"
    "/broadcast list\n/broadcast cancel ID\n/broadcast status ID"
)


async def _draft(ctx: Context) -> Broadcast:
    draft = await store.latest_draft(ctx.session, ctx.user_id)
    if draft is None:
        raise UserError(_("You have no broadcast draft. Start one with /broadcast new everyone"))
    return draft


async def _count(ctx: Context, broadcast: Broadcast) -> int:
    audience = Audience.from_json(broadcast.audience or {})
    ids = await store.recipient_ids(ctx.session, audience, ctx.content, ctx.settings.default_language)
    return len(ids)


def _audience_text(broadcast: Broadcast) -> str:
    items = broadcast.audience or {}
    return esc(" ".join(f"{k}={v}" for k, v in items.items()) or "everyone")


async def _new(ctx: Context, rest: str) -> Reply:
    try:
        audience = Audience.parse(rest, LANGUAGES)
    except AudienceError as exc:
        raise UserError(
            _("I don't understand the audience “{part}”.").format(part=esc(str(exc)[:60])) + "\n" + esc(USAGE)
        ) from exc
    draft = Broadcast(
        author_user_id=ctx.user_id,
        audience=audience.to_json(),
        texts={},
        default_language=ctx.settings.default_language,
        status="draft",
        created_at=ctx.now(),
    )
    ctx.session.add(draft)
    await ctx.session.flush()
    count = await _count(ctx, draft)
    return Reply(
        _("Draft #{id} for {audience}: {recipients}. Now send the text: /broadcast text YOUR MESSAGE").format(
            id=draft.id, audience=_audience_text(draft), recipients=recipients_text(count)
        )
    )


async def _text(ctx: Context, rest: str) -> Reply:
    draft = await _draft(ctx)
    first, _sep, remainder = rest.strip().partition(" ")
    lang = draft.default_language
    # Only an explicit marker names the language: a text may well start with a word such as "It" or "De".
    if first.lower().startswith("lang="):
        lang, rest = first[5:].lower(), remainder
        if lang not in LANGUAGES:
            raise UserError(
                _("I don't know the language “{code}”. Use one of: {codes}.").format(
                    code=esc(lang[:12]), codes=", ".join(LANGUAGES)
                )
            )
    if not rest.strip():
        raise UserError(_("The text is empty. Write it after the command: /broadcast text YOUR MESSAGE"))
    if len(rest.strip()) > store.MAX_TEXT:
        raise UserError(
            ngettext(
                "That text has {n} character; a broadcast can have at most {limit}, so it fits one message.",
                "That text has {n} characters; a broadcast can have at most {limit}, so it fits one message.",
                len(rest.strip()),
            ).format(n=len(rest.strip()), limit=store.MAX_TEXT)
        )
    draft.texts = {**(draft.texts or {}), lang: rest.strip()}
    return await _preview(ctx, draft)


async def _preview(ctx: Context, draft: Broadcast | None = None) -> Reply:
    draft = draft or await _draft(ctx)
    count = await _count(ctx, draft)
    lines = [
        _("<b>Broadcast #{id}</b> to {audience}: exactly {recipients}.").format(
            id=draft.id, audience=_audience_text(draft), recipients=recipients_text(count)
        )
    ]
    if draft.default_language not in (draft.texts or {}):
        lines.append(
            _("Missing the text in {language}, which everyone else receives.").format(
                language=LANGUAGE_NAMES[draft.default_language]
            )
        )
    for lang, text in (draft.texts or {}).items():
        with use_locale(lang):
            lines += ["", f"— {LANGUAGE_NAMES.get(lang, lang)} —", broadcast_message(text)]
    buttons = []
    if draft.default_language in (draft.texts or {}):
        buttons.append(
            [
                Button(_("Send now to {count}").format(count=count), act("bc.send", draft.id)),
                Button(_("Discard"), act("bc.cancel", draft.id)),
            ]
        )
        lines += ["", _("Or schedule it: /broadcast at YYYY-MM-DD HH:MM (your time zone)")]
    return Reply("\n".join(lines), buttons=buttons)


async def _confirm(ctx: Context, broadcast_id: int, at: datetime | None) -> Reply:
    broadcast = await ctx.session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.status != "draft":
        raise UserError(_("Broadcast #{id} is not a draft any more.").format(id=broadcast_id))
    if broadcast.default_language not in (broadcast.texts or {}):
        raise UserError(_("Write the text first: /broadcast text YOUR MESSAGE"))
    broadcast.status = "scheduled"
    broadcast.scheduled_at = at or ctx.now()
    count = await _count(ctx, broadcast)
    if at is None:
        return Reply(
            _("Broadcast #{id} is on its way to {recipients}. You will get a report when it is done.").format(
                id=broadcast.id, recipients=recipients_text(count)
            ),
            edit=True,
        )
    zone = ctx.zone
    return Reply(
        _("Broadcast #{id} is scheduled for {time} ({recipients} now). /broadcast list shows it.").format(
            id=broadcast.id, time=format_moment(at, zone), recipients=recipients_text(count)
        )
    )


def _parse_at(ctx: Context, text: str) -> datetime:
    if not text.strip():
        raise UserError(_("Write the time like this: /broadcast at 2026-05-04 18:30"))
    # The staff tools' one reading of a date: daylight-saving gaps, the past and far-off years are refused.
    return parse_local(text, ctx.zone, now=ctx.now())


async def _list(ctx: Context) -> Reply:
    rows = await store.scheduled(ctx.session)
    if not rows:
        return Reply(_("No broadcast is scheduled or sending."))
    zone = ctx.zone
    lines = [_("<b>Scheduled and sending broadcasts</b>")]
    buttons = []
    for row in rows:
        when = format_moment(row.scheduled_at, zone) if row.scheduled_at else "—"
        lines.append(f"#{row.id} {status_text(row.status)} {when} — {_audience_text(row)}")
        if row.status == "scheduled":
            buttons.append([Button(_("Cancel #{id}").format(id=row.id), act("bc.cancel", row.id))])
    return Reply("\n".join(lines), buttons=buttons)


async def _cancel(ctx: Context, raw: str) -> Reply:
    broadcast_id = parse_id(raw)
    if broadcast_id is None or not await store.cancel(ctx.session, broadcast_id):
        raise UserError(
            _("Broadcast #{id} cannot be cancelled (unknown, or already sending).").format(id=esc(raw[:12]))
        )
    return Reply(_("Broadcast #{id} is cancelled.").format(id=raw), edit=ctx.event.action is not None)


async def _status(ctx: Context, raw: str) -> Reply:
    broadcast_id = parse_id(raw)
    broadcast = await ctx.session.get(Broadcast, broadcast_id) if broadcast_id is not None else None
    if broadcast is None:
        raise UserError(_("There is no broadcast #{id}.").format(id=esc(raw[:12])))
    counts = await store.progress(ctx.session, broadcast.id)
    return Reply(
        _(
            "Broadcast #{id} ({status}): {delivered} delivered, {unreachable} unreachable, {failed} failed, "
            "{waiting} waiting, of {total}."
        ).format(
            id=broadcast.id,
            status=status_text(broadcast.status),
            delivered=counts.get("sent", 0),
            unreachable=counts.get("unreachable", 0),
            failed=counts.get("failed", 0),
            waiting=counts.get("pending", 0) + counts.get("sending", 0),
            total=broadcast.recipients,
        )
    )


@router.command("broadcast", staff=True, args_hint="new everyone")
async def broadcast(ctx: Context) -> Reply:
    """Message participants (staff): new, text [lang=xx], preview, send, at, list, cancel, status."""
    verb, _sep, rest = ctx.text.strip().partition(" ")
    verb = verb.lower()
    if verb == "new":
        return await _new(ctx, rest)
    if verb == "text":
        return await _text(ctx, rest)
    if verb == "preview":
        return await _preview(ctx)
    if verb == "send":
        return await _confirm(ctx, (await _draft(ctx)).id, None)
    if verb == "at":
        at = _parse_at(ctx, rest)
        return await _confirm(ctx, (await _draft(ctx)).id, at)
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
    return await _confirm(ctx, broadcast_id, None)


@router.action("bc.cancel", staff=True)
async def cancel_pressed(ctx: Context) -> Reply:
    if len(ctx.args) != 1:
        raise UserError(_("That button is no longer valid. Here is the menu again."))
    return await _cancel(ctx, ctx.args[0])
