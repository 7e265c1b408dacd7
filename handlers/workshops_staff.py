"""Workshops for staff: create, edit, set the date, close, cancel, registrants, attendance, counts and export.

Fields are given as `key=value` pairs (quote values with spaces): city, title, venue, zone, start, duration,
capacity, opens, closes. Times are wall-clock times at the venue, `YYYY-MM-DD HH:MM`.
"""

from __future__ import annotations

import shlex

from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Attachment, Button, Reply, esc
from bot.core.router import Router
from bot.core.text import is_number, parse_id
from bot.i18n import _, ngettext
from handlers.workshop_views import context_notifier, seats_text, short_when
from storage import workshops as ws
from storage.models import Workshop

router = Router()


def _words(ctx: Context) -> list[str]:
    try:
        return shlex.split(ctx.text)
    except ValueError:
        raise UserError(_("A quotation mark is not closed.")) from None


def _fields(words: list[str]) -> ws.WorkshopFields:
    pairs = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            raise UserError(
                _('Give fields as key=value, e.g. capacity=30 venue="City Hall". Fields: {fields}.').format(
                    fields=", ".join(ws.FIELD_NAMES)
                )
            )
        pairs.append((key, value))
    return ws.parse_fields(pairs)


def _id_and_rest(ctx: Context, usage: str) -> tuple[str, list[str]]:
    words = _words(ctx)
    if not words:
        raise UserError(_("Usage: {usage}").format(usage=usage))
    return words[0], words[1:]


async def _summary(ctx: Context, workshop: Workshop) -> str:
    seats = (await ws.seat_counts(ctx.session, [workshop]))[workshop.id]
    status = ws.display_status(workshop, seats, ctx.now())
    return _("#{id} {city}: {when}; capacity {capacity}; {status}; check-in code {code}").format(
        id=workshop.id,
        city=esc(ctx.content.city_name(workshop.city)),
        when=short_when(workshop),
        capacity=workshop.capacity,
        status=seats_text(status, seats),
        # The session's own code (it changes with the date), never the stored secret it is derived from.
        code=f"<code>{ws.checkin_code_for(workshop) or '—'}</code>",
    )


@router.command("ws_new", staff=True, args_hint="city=… zone=… capacity=…")
async def ws_new(ctx: Context) -> Reply:
    """Create a workshop: /ws_new city=Milan zone=Europe/Rome capacity=30 start="2026-05-14 15:00"."""
    fields = _fields(_words(ctx))
    if fields.title is None:
        fields.title = ctx.content.workshops.title
    workshop = await ws.create_workshop(ctx.session, fields, ctx.now())
    return Reply(_("Created.") + "\n" + await _summary(ctx, workshop))


@router.command("ws_edit", staff=True, args_hint="ID key=value …")
async def ws_edit(ctx: Context) -> Reply:
    """Change a workshop: /ws_edit ID venue="…" capacity=40 (people registered are told of a new date)."""
    raw_id, rest = _id_and_rest(ctx, "/ws_edit ID key=value …")
    workshop = await ws.edit_workshop(
        ctx.session,
        raw_id,
        _fields(rest),
        ctx.now(),
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    return Reply(_("Saved.") + "\n" + await _summary(ctx, workshop))


@router.command("ws_date", staff=True, args_hint="ID YYYY-MM-DD HH:MM")
async def ws_date(ctx: Context) -> Reply:
    """Set a workshop's date (venue time): everyone registered is told, pre-registrations confirmed."""
    raw_id, rest = _id_and_rest(ctx, "/ws_date ID YYYY-MM-DD HH:MM")
    workshop = await ws.set_date(
        ctx.session,
        raw_id,
        " ".join(rest),
        ctx.now(),
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    return Reply(_("Date set; everyone registered has been told.") + "\n" + await _summary(ctx, workshop))


@router.command("ws_close", staff=True, args_hint="ID")
async def ws_close(ctx: Context) -> Reply:
    """Close registration for a workshop."""
    raw_id, _rest = _id_and_rest(ctx, "/ws_close ID")
    workshop = await ws.set_registration_open(ctx.session, raw_id, False, ctx.now())
    return Reply(_("Registration closed.") + "\n" + await _summary(ctx, workshop))


@router.command("ws_open", staff=True, args_hint="ID")
async def ws_open(ctx: Context) -> Reply:
    """Open registration for a workshop again."""
    raw_id, _rest = _id_and_rest(ctx, "/ws_open ID")
    workshop = await ws.set_registration_open(ctx.session, raw_id, True, ctx.now())
    return Reply(_("Registration open.") + "\n" + await _summary(ctx, workshop))


@router.command("ws_cancel", staff=True, args_hint="ID")
async def ws_cancel(ctx: Context) -> Reply:
    """Cancel a workshop; everyone registered is told."""
    raw_id, _rest = _id_and_rest(ctx, "/ws_cancel ID")
    workshop = await ws.workshop_or_refuse(ctx.session, raw_id)
    seats = (await ws.seat_counts(ctx.session, [workshop]))[workshop.id]
    people = seats.taken + seats.waiting + seats.preregistered
    return Reply(
        ngettext(
            "Cancel the workshop in {city} ({when})? {n} registered person will be told.",
            "Cancel the workshop in {city} ({when})? {n} registered people will be told.",
            people,
        ).format(city=esc(ctx.content.city_name(workshop.city)), when=short_when(workshop), n=people),
        buttons=[[Button(_("Yes, cancel the workshop"), act("wss.cancel", workshop.id))]],
    )


@router.action("wss.cancel", staff=True)
async def ws_cancel_confirmed(ctx: Context) -> Reply:
    told = await ws.cancel_workshop(
        ctx.session, ctx.args[0] if ctx.args else "", ctx.now(), notify=context_notifier(ctx)
    )
    return Reply(
        ngettext(
            "The workshop is cancelled; {n} person has been told.",
            "The workshop is cancelled; {n} people have been told.",
            len(told),
        ).format(n=len(told))
    )


@router.command("ws_list", staff=True, args_hint="[ID]")
async def ws_list(ctx: Context) -> Reply:
    """All workshops with ids and check-in codes; with an ID, its registrants and waiting list."""
    words = _words(ctx)
    if not words:
        lines = [await _summary(ctx, w) for w in await ws.list_workshops(ctx.session)]
        return Reply("\n".join(lines) or _("No workshops yet."), personal=True)
    workshop = await ws.workshop_or_refuse(ctx.session, words[0])
    lines = [await _summary(ctx, workshop), ""]
    labels = {
        ws.CONFIRMED: _("confirmed"),
        ws.OFFERED: _("seat offered"),
        ws.WAITLISTED: _("waiting"),
        ws.PREREGISTERED: _("pre-registered"),
    }
    counters = {ws.WAITLISTED: 0, ws.PREREGISTERED: 0}
    for registration, user in await ws.registrants(ctx.session, workshop.id):
        if registration.status not in labels:
            continue
        label = labels[registration.status]
        if registration.status in counters:
            counters[registration.status] += 1
            label += f" {counters[registration.status]}"
        attended = " ✓" if registration.attended_at else ""
        name = esc(user.full_name or user.display_name or "?")
        lines.append(f"{user.id}  {name} — {label}{attended}")
    if len(lines) == 2:
        lines.append(_("Nobody has signed up yet."))
    return Reply("\n".join(lines), personal=True)


@router.command("ws_attend", staff=True, args_hint="ID USER")
async def ws_attend(ctx: Context) -> Reply:
    """Mark attendance by hand: /ws_attend WORKSHOP_ID USER_ID (user ids are in /ws_list ID)."""
    raw_id, rest = _id_and_rest(ctx, "/ws_attend WORKSHOP_ID USER_ID")
    if not rest or not is_number(rest[0].removeprefix("#")):
        raise UserError(_("Usage: {usage}").format(usage="/ws_attend WORKSHOP_ID USER_ID"))
    workshop = await ws.workshop_or_refuse(ctx.session, raw_id)
    user_id = parse_id(rest[0])
    if user_id is None:
        # Out of range: no row can have it, so it is answered like any participant without a seat.
        raise ws.no_seat(rest[0])
    await ws.mark_attended(ctx.session, workshop, user_id, ctx.now())
    return Reply(_("Attendance recorded for participant {user}.").format(user=user_id))


@router.command("ws_counts", staff=True)
async def ws_counts(ctx: Context) -> Reply:
    """Registered, waiting and attended, per city."""
    rows = await ws.counts_per_city(ctx.session)
    lines = [_("<b>Workshops per city</b>: registered / waiting / attended")]
    lines += [f"{esc(ctx.content.city_name(r.city))}: {r.registered} / {r.waiting} / {r.attended}" for r in rows]
    return Reply("\n".join(lines))


@router.command("ws_export", staff=True, args_hint="[ID]")
async def ws_export(ctx: Context) -> Reply:
    """Registrants as a CSV file (one workshop, or all)."""
    words = _words(ctx)
    if words:
        ids = [(await ws.workshop_or_refuse(ctx.session, words[0])).id]
    else:
        ids = [w.id for w in await ws.list_workshops(ctx.session)]
    data = await ws.export_csv(ctx.session, ids)
    return Reply(
        ngettext("Registrants ({n} workshop).", "Registrants ({n} workshops).", len(ids)).format(n=len(ids)),
        files=[Attachment("workshop-registrations.csv", data.encode(), "text/csv")],
        personal=True,
    )
