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
from bot.domain.workshop_input import WorkshopFields
from bot.domain.workshops import RegistrationStatus, checkin_code_for
from bot.i18n import _, ngettext
from bot.services import workshop_admin as admin
from bot.services import workshop_reports as reports
from bot.services.workshop_checkin import mark_attended
from bot.services.workshops import WorkshopView
from handlers.workshop_input import pairs_of, parse_fields, participant_number, workshop_number
from handlers.workshop_refusals import answering_refusals
from handlers.workshop_views import context_notifier, seats_text, short_when, uow_of

router = Router()
refusals = answering_refusals()


def _words(ctx: Context) -> list[str]:
    try:
        return shlex.split(ctx.text)
    except ValueError:
        raise UserError(_("A quotation mark is not closed.")) from None


def _fields(words: list[str]) -> WorkshopFields:
    return parse_fields(pairs_of(words))


def _id_and_rest(ctx: Context, usage: str) -> tuple[int | None, list[str]]:
    words = _words(ctx)
    if not words:
        raise UserError(_("Usage: {usage}").format(usage=usage))
    return workshop_number(words[0]), words[1:]


def _summary(ctx: Context, view: WorkshopView) -> str:
    workshop = view.workshop
    return _("#{id} {city}: {when}; capacity {capacity}; {status}; check-in code {code}").format(
        id=workshop.id,
        city=esc(ctx.content.city_name(workshop.city)),
        when=short_when(workshop),
        capacity=workshop.capacity,
        status=seats_text(view.status, view.seats),
        # The session's own code (it changes with the date), never the stored secret it is derived from.
        code=f"<code>{checkin_code_for(workshop) or '—'}</code>",
    )


async def _summary_of(ctx: Context, workshop_id: int) -> str:
    return _summary(ctx, await reports.one_workshop(uow_of(ctx), workshop_id, ctx.now()))


@router.command("ws_new", staff=True, args_hint="city=… zone=… capacity=…")
@refusals
async def ws_new(ctx: Context) -> Reply:
    """Create a workshop: /ws_new city=Milan zone=Europe/Rome capacity=30 start="2026-05-14 15:00"."""
    workshop = await admin.create_workshop(
        uow_of(ctx), _fields(_words(ctx)), ctx.now(), default_title=ctx.content.workshops.title
    )
    return Reply(_("Created.") + "\n" + await _summary_of(ctx, workshop.id))


@router.command("ws_edit", staff=True, args_hint="ID key=value …")
@refusals
async def ws_edit(ctx: Context) -> Reply:
    """Change a workshop: /ws_edit ID venue="…" capacity=40 (people registered are told of a new date)."""
    workshop_id, rest = _id_and_rest(ctx, "/ws_edit ID key=value …")
    workshop = await admin.edit_workshop(
        uow_of(ctx),
        workshop_id,
        _fields(rest),
        ctx.now(),
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    return Reply(_("Saved.") + "\n" + await _summary_of(ctx, workshop.id))


@router.command("ws_date", staff=True, args_hint="ID YYYY-MM-DD HH:MM")
@refusals
async def ws_date(ctx: Context) -> Reply:
    """Set a workshop's date (venue time): everyone registered is told, pre-registrations confirmed."""
    workshop_id, rest = _id_and_rest(ctx, "/ws_date ID YYYY-MM-DD HH:MM")
    workshop = await admin.set_date(
        uow_of(ctx),
        workshop_id,
        " ".join(rest),
        ctx.now(),
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    return Reply(_("Date set; everyone registered has been told.") + "\n" + await _summary_of(ctx, workshop.id))


async def _set_open(ctx: Context, is_open: bool, usage: str) -> int:
    workshop_id, _rest = _id_and_rest(ctx, usage)
    return (await admin.set_registration_open(uow_of(ctx), workshop_id, is_open, ctx.now())).id


@router.command("ws_close", staff=True, args_hint="ID")
@refusals
async def ws_close(ctx: Context) -> Reply:
    """Close registration for a workshop."""
    workshop_id = await _set_open(ctx, False, "/ws_close ID")
    return Reply(_("Registration closed.") + "\n" + await _summary_of(ctx, workshop_id))


@router.command("ws_open", staff=True, args_hint="ID")
@refusals
async def ws_open(ctx: Context) -> Reply:
    """Open registration for a workshop again."""
    workshop_id = await _set_open(ctx, True, "/ws_open ID")
    return Reply(_("Registration open.") + "\n" + await _summary_of(ctx, workshop_id))


@router.command("ws_cancel", staff=True, args_hint="ID")
@refusals
async def ws_cancel(ctx: Context) -> Reply:
    """Cancel a workshop; everyone registered is told."""
    workshop_id, _rest = _id_and_rest(ctx, "/ws_cancel ID")
    preview = await admin.cancel_preview(uow_of(ctx), workshop_id)
    workshop, people = preview.workshop, preview.seats.registered
    return Reply(
        ngettext(
            "Cancel the workshop in {city} ({when})? {n} registered person will be told.",
            "Cancel the workshop in {city} ({when})? {n} registered people will be told.",
            people,
        ).format(city=esc(ctx.content.city_name(workshop.city)), when=short_when(workshop), n=people),
        buttons=[[Button(_("Yes, cancel the workshop"), act("wss.cancel", workshop.id))]],
    )


@router.action("wss.cancel", staff=True)
@refusals
async def ws_cancel_confirmed(ctx: Context) -> Reply:
    workshop_id = workshop_number(ctx.args[0]) if ctx.args else None
    told = await admin.cancel_workshop(uow_of(ctx), workshop_id, ctx.now(), notify=context_notifier(ctx))
    return Reply(
        ngettext(
            "The workshop is cancelled; {n} person has been told.",
            "The workshop is cancelled; {n} people have been told.",
            len(told),
        ).format(n=len(told))
    )


@router.command("ws_list", staff=True, args_hint="[ID]")
@refusals
async def ws_list(ctx: Context) -> Reply:
    """All workshops with ids and check-in codes; with an ID, its registrants and waiting list."""
    words = _words(ctx)
    uow = uow_of(ctx)
    if not words:
        lines = [_summary(ctx, view) for view in await reports.all_workshops(uow, ctx.now())]
        return Reply("\n".join(lines) or _("No workshops yet."), personal=True)
    view = await reports.one_workshop(uow, workshop_number(words[0]), ctx.now())
    lines = [_summary(ctx, view), ""]
    labels = {
        RegistrationStatus.CONFIRMED: _("confirmed"),
        RegistrationStatus.OFFERED: _("seat offered"),
        RegistrationStatus.WAITLISTED: _("waiting"),
        RegistrationStatus.PREREGISTERED: _("pre-registered"),
    }
    for entry in await reports.registrants(uow, view.workshop.id):
        registration, user = entry.registration, entry.user
        label = labels.get(RegistrationStatus(registration.status))
        if label is None:
            continue
        number = f" {entry.number}" if entry.number is not None else ""
        attended = " ✓" if registration.attended_at else ""
        name = esc(user.full_name or user.display_name or "?")
        lines.append(f"{user.id}  {name} — {label}{number}{attended}")
    if len(lines) == 2:
        lines.append(_("Nobody has signed up yet."))
    return Reply("\n".join(lines), personal=True)


@router.command("ws_attend", staff=True, args_hint="ID USER")
@refusals
async def ws_attend(ctx: Context) -> Reply:
    """Mark attendance by hand: /ws_attend WORKSHOP_ID USER_ID (user ids are in /ws_list ID)."""
    usage = "/ws_attend WORKSHOP_ID USER_ID"
    workshop_id, rest = _id_and_rest(ctx, usage)
    try:
        user_id = participant_number(rest[0]) if rest else None
    except ValueError:
        rest = []
    if not rest:
        raise UserError(_("Usage: {usage}").format(usage=usage))
    _workshop, registration = await mark_attended(uow_of(ctx), workshop_id, user_id, ctx.now(), typed_user=rest[0])
    return Reply(_("Attendance recorded for participant {user}.").format(user=registration.user_id))


@router.command("ws_counts", staff=True)
async def ws_counts(ctx: Context) -> Reply:
    """Registered, waiting and attended, per city."""
    rows = await reports.counts_per_city(uow_of(ctx))
    lines = [_("<b>Workshops per city</b>: registered / waiting / attended")]
    lines += [f"{esc(ctx.content.city_name(r.city))}: {r.registered} / {r.waiting} / {r.attended}" for r in rows]
    return Reply("\n".join(lines))


@router.command("ws_export", staff=True, args_hint="[ID]")
@refusals
async def ws_export(ctx: Context) -> Reply:
    """Registrants as a CSV file (one workshop, or all)."""
    words = _words(ctx)
    ids = [workshop_number(words[0])] if words else None
    export = await reports.export_registrants(
        uow_of(ctx), ids, age_limit=ctx.content.program.certificates.workshop_age_limit
    )
    n = export.workshops
    return Reply(
        ngettext("Registrants ({n} workshop).", "Registrants ({n} workshops).", n).format(n=n),
        files=[Attachment("workshop-registrations.csv", export.csv.encode(), "text/csv")],
        personal=True,
    )
