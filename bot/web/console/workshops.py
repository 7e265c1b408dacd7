"""Workshop pages: the list, a page per workshop with its registrants, every staff change with a confirmation
where it tells people or cannot be undone, attendance, the check-in code as a QR code, and the CSV export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web

from bot.i18n import N_, _, format_number
from bot.web.console import actions
from bot.web.console.auth import Staff, staff_page
from bot.web.console.layout import e, field, form, h2, link, notice, page, para, table, url, when

DONE = {
    "created": N_("The workshop is created."),
    "saved": N_("The changes are saved; everyone registered is told of a new date or place."),
    "dated": N_("The date is set; everyone registered is told."),
    "close": N_("Registration is closed."),
    "reopen": N_("Registration is open again."),
    "cancel": N_("The workshop is cancelled; everyone registered is told."),
    "attended": N_("Marked as attended."),
}
CONFIRM = {
    "close": (N_("Close registration"), N_("Nobody new can sign up until you open it again.")),
    "reopen": (N_("Open registration again"), N_("People can sign up again.")),
    "cancel": (N_("Cancel this workshop"), N_("Everyone registered is told it is cancelled. This cannot be undone.")),
}
REG_STATUS = {
    "confirmed": N_("confirmed"),
    "offered": N_("offered a seat"),
    "waitlisted": N_("waiting list"),
    "preregistered": N_("pre-registered"),
    "cancelled": N_("cancelled"),
}
AGE = {"under": N_("yes"), "unclear": N_("check (turns 35 that year)"), "not_under": N_("no"), "": N_("unknown")}


def _city(staff: Staff, city: str) -> str:
    """The city as the staff member's language says it (the content's names beside CLDR's)."""
    return staff.app.content.city_name(city, staff.lang)


def _local(moment: object, zone: str) -> str:
    from datetime import datetime

    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if isinstance(moment, datetime) else ""


def _fields_form(staff: Staff, action: str, w: actions.WorkshopInfo | None, button: str) -> str:
    zone = w.timezone if w else staff.app.settings.default_timezone
    inner = "".join(
        [
            field(_("City"), "city", w.city if w else "", extra=" required"),
            field(_("Title"), "title", w.title if w else staff.app.content.workshops.title),
            field(_("Venue"), "venue", w.venue if w else ""),
            field(_("Time zone"), "zone", zone, extra=" required"),
            "" if w else field(_("Start (venue time, YYYY-MM-DD HH:MM, or tba)"), "start", "tba"),
            field(_("Duration (minutes)"), "duration", w.duration_minutes if w else 180, kind="number"),
            field(_("Capacity"), "capacity", w.capacity if w else 30, kind="number", extra=" min=1 required"),
            field(_("Registration opens (venue time)"), "opens", _local(w.registration_opens_at, zone) if w else ""),
            field(_("Registration closes (venue time)"), "closes", _local(w.registration_closes_at, zone) if w else ""),
        ]
    )
    return form(staff.frame, action, inner, button=button, css="fields")


@staff_page
async def workshop_list(request: web.Request, staff: Staff) -> web.StreamResponse:
    rows = []
    for row in await actions.workshops(staff.app):
        w, s = row.workshop, row.seats
        rows.append(
            [
                f'<a href="{e(url(f"/workshops/{w.id}"))}">#{w.id} {e(_city(staff, w.city))}</a>',
                e(when(w.starts_at, w.timezone)),
                e(_(actions.STATUS_LABELS[row.status])),
                e(f"{s.taken}/{s.capacity}"),
                e(format_number(s.waiting)),
                e(format_number(s.preregistered)),
                e(format_number(s.attended)),
            ]
        )
    headers = [
        _("Workshop"),
        _("When"),
        _("Status"),
        _("Seats taken"),
        _("Waiting"),
        _("Pre-registered"),
        _("Attended"),
    ]
    content = (
        table(headers, rows)
        + "<p>"
        + link(url("/workshops/export.csv"), _("Export all registrants (CSV)"), download=True)
        + "</p>"
        + h2(_("New workshop"))
        + _fields_form(staff, url("/workshops/new"), None, _("Create workshop"))
    )
    return page(staff.frame, _("Workshops"), content)


@staff_page
async def workshop_create(request: web.Request, staff: Staff) -> web.StreamResponse:
    pairs = [
        (key, staff.form.get(key, ""))
        for key in ("city", "title", "venue", "zone", "start", "duration", "capacity", "opens", "closes")
    ]
    try:
        created = await actions.create_workshop(staff.app, staff.who, pairs)
    except actions.Refused as refused:
        return page(
            staff.frame,
            _("New workshop"),
            notice(str(refused), kind="error") + _fields_form(staff, url("/workshops/new"), None, _("Create workshop")),
            status=400,
        )
    raise web.HTTPSeeOther(url(f"/workshops/{created}", done="created"))


async def _show(staff: Staff, workshop_id: str, message: str = "", status: int = 200) -> web.Response:
    try:
        row, people, code = await actions.workshop(staff.app, workshop_id)
    except actions.Refused as refused:
        return page(staff.frame, _("Workshops"), notice(str(refused), kind="error"), status=404)
    w, s = row.workshop, row.seats
    base = f"/workshops/{w.id}"
    facts = table(
        [_("When"), _("Where"), _("Status"), _("Seats taken"), _("Waiting"), _("Attended")],
        [
            [
                e(when(w.starts_at, w.timezone)),
                e(" · ".join(part for part in (w.venue, _city(staff, w.city)) if part)),
                e(_(actions.STATUS_LABELS[row.status])),
                e(f"{s.taken}/{s.capacity}"),
                e(format_number(s.waiting)),
                e(format_number(s.attended)),
            ]
        ],
    )
    registrants = []
    for p in people:
        reg = p.registration
        attend = (
            e(when(reg.attended_at, w.timezone))
            if reg.attended_at
            else (
                form(
                    staff.frame,
                    url(f"{base}/attend"),
                    f'<input type="hidden" name="user" value="{reg.user_id}">',
                    button=_("Mark attended"),
                    css="inline",
                )
                if reg.status == "confirmed"
                else ""
            )
        )
        registrants.append(
            [
                e(f"#{reg.user_id}"),
                e(p.record_name or "—"),
                e(p.user.display_name),
                e(_(REG_STATUS.get(reg.status, reg.status))),
                e(p.position if p.position is not None else ""),
                attend,
                e(_(AGE[p.age])),
            ]
        )
    people_html = (
        table(
            [
                _("Participant"),
                _("Name on records"),
                _("Display name"),
                _("Status"),
                _("Waiting position"),
                _("Attended"),
                _("Under 35"),
            ],
            registrants,
        )
        if registrants
        else para(_("Nobody is registered yet."))
    )
    if code:
        import segno

        caption = _("Check-in code: {code}").format(code=code)
        drawn = segno.make(code, micro=False).svg_inline(scale=6, dark="#000", light="#fff")
        qr = f'<figure class="qr">{drawn}<figcaption>{e(caption)}</figcaption></figure>'
    else:
        qr = para(_("The check-in code appears once the date is set."))
    buttons = "".join(
        f'<a class="button" href="{e(url(f"{base}/confirm/{op}"))}">{e(_(CONFIRM[op][0]))}</a>'
        for op in (("reopen",) if w.status == "closed" else ("close",)) + ("cancel",)
        if w.status != "cancelled"
    )
    date_form = form(
        staff.frame,
        url(f"{base}/date"),
        field(_("Start (venue time, YYYY-MM-DD HH:MM)"), "start", _local(w.starts_at, w.timezone)),
        button=_("Set date"),
        css="fields",
    )
    content = "".join(
        [
            notice(message, kind="error" if status >= 400 else "info") if message else "",
            notice(_(DONE[done])) if (done := staff_query(staff)) in DONE else "",
            facts,
            f'<p class="actions">{buttons}</p>',
            h2(_("Registrants")),
            people_html,
            "<p>" + link(url(f"{base}/export.csv"), _("Export (CSV)"), download=True) + "</p>",
            h2(_("Check-in at the venue")),
            qr,
            h2(_("Set the date")),
            date_form,
            h2(_("Edit")),
            _fields_form(staff, url(f"{base}/edit"), w, _("Save changes")),
        ]
    )
    title = f"#{w.id} {_city(staff, w.city)}"
    return page(staff.frame, title, content, status=status)


def staff_query(staff: Staff) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(staff.frame.path).query).get("done", [""])[0]


@staff_page
async def workshop_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    return await _show(staff, request.match_info["id"])


@staff_page
async def workshop_confirm(request: web.Request, staff: Staff) -> web.StreamResponse:
    op, workshop_id = request.match_info["op"], request.match_info["id"]
    if op not in CONFIRM:
        raise web.HTTPNotFound()
    title, warning = CONFIRM[op]
    body = (
        notice(_(warning), kind="warning")
        + form(staff.frame, url(f"/workshops/{workshop_id}/{op}"), "", button=_(title))
        + "<p>"
        + link(url(f"/workshops/{workshop_id}"), _("Back"))
        + "</p>"
    )
    return page(staff.frame, _(title), body)


@staff_page
async def workshop_change(request: web.Request, staff: Staff) -> web.StreamResponse:
    op, workshop_id = request.match_info["op"], request.match_info["id"]
    app, who = staff.app, staff.who
    try:
        if op == "edit":
            row, _people, _code = await actions.workshop(app, workshop_id)
            pairs = _changed(row.workshop, staff.form)
            await actions.edit_workshop(app, who, workshop_id, pairs)
            done = "saved"
        elif op == "date":
            await actions.set_workshop_date(app, who, workshop_id, staff.form.get("start", ""))
            done = "dated"
        elif op in ("close", "reopen"):
            await actions.set_workshop_open(app, who, workshop_id, op == "reopen")
            done = op
        elif op == "cancel":
            await actions.cancel_workshop(app, who, workshop_id)
            done = op
        elif op == "attend":
            user = staff.form.get("user", "")
            try:
                number = actions.participant_number(user)
            except ValueError:
                raise actions.Refused(_("Not a participant number: {value}").format(value=user[:20])) from None
            await actions.mark_attended(app, who, workshop_id, number, user)
            done = "attended"
        else:
            raise web.HTTPNotFound()
    except actions.Refused as refused:
        return await _show(staff, workshop_id, str(refused), status=400)
    raise web.HTTPSeeOther(url(f"/workshops/{workshop_id}", done=done))


def _changed(w: actions.WorkshopInfo, posted: dict[str, str]) -> list[tuple[str, str]]:
    """Only the fields staff changed: an unchanged date must not tell everyone it was moved."""
    current = {
        "city": w.city,
        "title": w.title,
        "venue": w.venue,
        "zone": w.timezone,
        "duration": str(w.duration_minutes),
        "capacity": str(w.capacity),
        "opens": _local(w.registration_opens_at, w.timezone),
        "closes": _local(w.registration_closes_at, w.timezone),
    }
    pairs = []
    for key, value in current.items():
        new = posted.get(key, value).strip()
        if new != value:
            pairs.append((key, new or ("none" if key in ("opens", "closes") else new)))
    return pairs


@staff_page
async def workshop_export(request: web.Request, staff: Staff) -> web.StreamResponse:
    """Registrants with the names on their records, status, waiting position, attendance and under-35 rule: the
    file `/ws_export` and `wego-bot workshop export` give."""
    raw = request.match_info.get("id")
    try:
        exported = await actions.export_csv(staff.app, raw)
    except actions.Refused:
        raise web.HTTPNotFound() from None
    filename = f"workshop-{raw}.csv" if raw else "workshops.csv"
    return web.Response(
        text=exported.csv,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
