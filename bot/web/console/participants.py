"""Participants: search by name or number; a person's progress, registrations and records; revoke a record; a
copy of their data or its deletion on their request (the same code as /mydata and /deleteme)."""

from __future__ import annotations

from aiohttp import web

from bot.certificates import codes
from bot.i18n import _, format_number
from bot.web.console import actions
from bot.web.console.auth import Staff, staff_page
from bot.web.console.layout import e, field, form, h2, link, notice, page, para, path_id, table, url, when
from bot.web.console.workshops import REG_STATUS


def _city(staff: Staff, city: str) -> str:
    """The city as the staff member's language says it (the content's names beside CLDR's)."""
    return staff.app.content.city_name(city, staff.lang)


@staff_page
async def search(request: web.Request, staff: Staff) -> web.StreamResponse:
    query = request.query.get("q", "")
    search_form = (
        f'<form method="get" action="{e(url("/participants"))}" role="search">'
        + field(_("Name or participant number"), "q", query)
        + '<button type="submit">'
        + e(_("Search"))
        + "</button></form>"
    )
    results = ""
    if query.strip():
        people = await actions.search_people(staff.app, query)
        rows = [
            [f'<a href="{e(url(f"/participants/{p.id}"))}">#{p.id}</a>', e(p.full_name or "—"), e(p.display_name)]
            for p in people
        ]
        results = (
            table([_("Participant"), _("Name on records"), _("Display name")], rows)
            if rows
            else para(_("Nobody matches “{query}”.").format(query=query[:100]))
        )
    deleted = notice(_("Their data is deleted.")) if request.query.get("deleted") else ""
    return page(staff.frame, _("Participants"), deleted + search_form + results)


async def _show(staff: Staff, user_id: int, message_html: str = "", status: int = 200) -> web.Response:
    found = await actions.person(staff.app, user_id)
    if found is None:
        return page(
            staff.frame, _("Participants"), notice(_("There is no participant #{id}.").format(id=user_id)), status=404
        )
    user, zone = found.user, staff.frame.zone
    facts = table(
        [_("Name on records"), _("Display name"), _("Language"), _("Platforms"), _("Joined"), _("Lectures")],
        [
            [
                e(user.full_name or "—"),
                e(user.display_name),
                e(user.locale or user.locale_hint or "—"),
                e(", ".join(found.platforms)),
                e(when(user.created_at, zone)),
                e(f"{format_number(len(found.progress.done))}/{format_number(found.progress.total)}"),
            ]
        ],
    )
    lectures = table(
        [_("Lecture"), _("Marked")], [[e(k), e(when(at, zone))] for k, at in sorted(found.lectures.items())]
    )
    regs = table(
        [_("Workshop"), _("Status"), _("Attended")],
        [
            [
                f'<a href="{e(url(f"/workshops/{w.id}"))}">#{w.id} {e(_city(staff, w.city))}</a>',
                e(_(REG_STATUS.get(r.status, r.status))),
                e(when(r.attended_at, w.timezone)),
            ]
            for r, w in found.registrations
        ],
    )
    record_rows = []
    for record in found.records:
        code = codes.group(record.code or "")
        if record.revoked_at:
            state = _("revoked on {date}").format(date=when(record.revoked_at, zone))
            action = ""
        else:
            state = _("replaced") if record.superseded_at else _("valid")
            action = form(
                staff.frame,
                url(f"/participants/{user.id}/revoke"),
                f'<input type="hidden" name="code" value="{e(record.code or "")}">',
                button=_("Revoke"),
                css="inline",
            )
        record_rows.append([e(code), e(record.kind), e(record.name), e(when(record.issued_at, zone)), e(state), action])
    records = table([_("Code"), _("Kind"), _("Name"), _("Issued"), _("Status"), ""], record_rows)
    data = (
        "<p>"
        + link(url(f"/participants/{user.id}/export.json"), _("Download a copy of their data"), download=True)
        + "</p><p>"
        + link(url(f"/participants/{user.id}/delete"), _("Delete their data"), css="button danger")
        + "</p>"
    )
    content = (
        message_html
        + facts
        + h2(_("Progress"))
        + lectures
        + h2(_("Registrations"))
        + regs
        + h2(_("Records"))
        + records
        + h2(_("Their data"))
        + data
    )
    return page(staff.frame, f"#{user.id} {user.full_name or user.display_name}", content, status=status)


@staff_page
async def person(request: web.Request, staff: Staff) -> web.StreamResponse:
    user_id = path_id(request)
    revoked = (
        notice(_("The record is revoked; its page now says it is not valid.")) if request.query.get("revoked") else ""
    )
    return await _show(staff, user_id, revoked)


@staff_page
async def revoke(request: web.Request, staff: Staff) -> web.StreamResponse:
    user_id = path_id(request)
    try:
        await actions.revoke_record(staff.app, staff.who, staff.form.get("code", ""))
    except actions.Refused:
        return await _show(
            staff, user_id, notice(_("No record has that code. Nothing was changed."), kind="error"), status=400
        )
    raise web.HTTPSeeOther(url(f"/participants/{user_id}", revoked=1))


@staff_page
async def export(request: web.Request, staff: Staff) -> web.StreamResponse:
    user_id = path_id(request)
    if await actions.person(staff.app, user_id) is None:
        raise web.HTTPNotFound()
    data = await actions.export_person(staff.app, staff.who, user_id)
    return web.Response(
        text=data,
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="participant-{user_id}.json"'},
    )


@staff_page
async def delete(request: web.Request, staff: Staff) -> web.StreamResponse:
    """GET asks for confirmation; the POST from that page deletes."""
    user_id = path_id(request)
    if await actions.person(staff.app, user_id) is None:
        raise web.HTTPNotFound()
    if request.method == "POST":
        await actions.delete_person(staff.app, staff.who, user_id)
        raise web.HTTPSeeOther(url("/participants", deleted=1))
    warning = _(
        "Their name, year of birth, accounts, progress and questions are deleted, their registrations "
        "cancelled, and their records stop verifying. This cannot be undone."
    )
    body = (
        notice(warning, kind="warning")
        + form(staff.frame, url(f"/participants/{user_id}/delete"), "", button=_("Delete their data"))
        + "<p>"
        + link(url(f"/participants/{user_id}"), _("Back"))
        + "</p>"
    )
    return page(staff.frame, _("Delete their data"), body)
