"""Broadcasts: compose with an audience builder (the exact recipient count, live), text per language with a
preview, schedule, then a live progress bar and the delivery report with its reasons."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.core.markdown import discord_markdown
from bot.core.replies import to_plain
from bot.i18n import LANGUAGE_NAMES, N_, _, format_number, ngettext, use_locale
from bot.settings import LANGUAGES
from bot.web.console import actions
from bot.web.console.auth import Staff, staff_page
from bot.web.console.layout import (
    e,
    field,
    h2,
    hidden_csrf,
    link,
    notice,
    page,
    path_id,
    select_field,
    table,
    url,
    when,
)
from bot.web.console.previews import discord_html, telegram_html
from handlers.broadcast import audience_warnings

REGISTRATION = (
    ("", N_("anyone")),
    ("registered", N_("registered")),
    ("waiting", N_("waiting")),
    ("attended", N_("attended")),
)
STAGES = (
    ("", N_("any")),
    ("not_started", N_("not started")),
    ("in_progress", N_("in progress")),
    ("completed", N_("completed")),
)
PLATFORMS = (("", N_("any")), ("telegram", "Telegram"), ("discord", "Discord"), ("console", "Console"))


def count_text(count: int) -> str:
    return ngettext("Exactly {n} recipient", "Exactly {n} recipients", count).format(n=format_number(count))


def warnings_of(check: actions.AudienceCheck, audience: actions.Audience) -> list[str]:
    return audience_warnings(check, audience)


def _compose(staff: Staff, posted: dict[str, str], extra_html: str = "") -> str:
    t = posted.get
    options = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
    audience = "".join(
        [
            select_field(
                _("Platform"),
                "platform",
                [(v, _(label) if v == "" else label) for v, label in PLATFORMS],
                t("platform", ""),
            ),
            select_field(_("Language"), "lang", [("", _("any")), *options], t("lang", "")),
            field(_("Workshop number"), "workshop", t("workshop", ""), extra=' inputmode="numeric"'),
            field(_("City"), "city", t("city", "")),
            select_field(
                _("Registration"), "registration", [(v, _(label)) for v, label in REGISTRATION], t("registration", "")
            ),
            select_field(_("Course stage"), "stage", [(v, _(label)) for v, label in STAGES], t("stage", "")),
            f'<label><input type="checkbox" name="urgent" value="1"{" checked" if t("urgent") else ""}> '
            + e(_("Urgent (ignores quiet hours)"))
            + "</label>",
        ]
    )
    texts = "".join(
        f"<label>{e(LANGUAGE_NAMES[code])}{' *' if code == staff.app.settings.default_language else ''}"
        f'<textarea name="text_{code}" id="f-text_{code}" maxlength="{actions.MAX_TEXT}" rows="3"'
        f"{' dir=rtl' if code == 'ar' else ''}>{e(t('text_' + code, ''))}</textarea></label>"
        for code in LANGUAGES
    )
    when_fields = field(_("Send at (YYYY-MM-DD HH:MM, empty: now)"), "at", t("at", "")) + field(
        _("Time zone"), "zone", t("zone", staff.frame.zone)
    )
    legend_audience, legend_texts, legend_when = _("Audience"), _("Text per language"), _("When")
    fallback = _("People whose language has no text get the text marked *.")
    preview, schedule = _("Preview"), _("Schedule")
    return (
        f'<form method="post" action="{e(url("/broadcasts/new"))}" id="compose" '
        f'data-count-url="{e(url("/broadcasts/count"))}">{hidden_csrf(staff.frame)}'
        f"<fieldset><legend>{e(legend_audience)}</legend>{audience}"
        f'<p><output id="recipients" aria-live="polite">{extra_html}</output></p></fieldset>'
        f"<fieldset><legend>{e(legend_texts)}</legend><p>{e(fallback)}</p>{texts}</fieldset>"
        f"<fieldset><legend>{e(legend_when)}</legend>{when_fields}</fieldset>"
        f'<button type="submit" name="step" value="preview">{e(preview)}</button> '
        f'<button type="submit" name="step" value="send">{e(schedule)}</button></form>'
    )


def _count_html(check: actions.AudienceCheck, audience: actions.Audience) -> str:
    return f"<strong>{e(count_text(check.count))}</strong>" + "".join(
        notice(w, kind="warning") for w in warnings_of(check, audience)
    )


@staff_page
async def broadcast_list(request: web.Request, staff: Staff) -> web.StreamResponse:
    rows = [
        [
            f'<a href="{e(url(f"/broadcasts/{b.id}"))}">#{b.id}</a>',
            actions.status_text(b.status),
            e(when(b.scheduled_at, staff.frame.zone)),
            e(format_number(b.recipients)),
            e(format_number(b.deliveries.get("sent", 0))),
        ]
        for b in await actions.broadcasts(staff.app)
    ]
    listed = table([_("Broadcast"), _("Status"), _("When"), _("Recipients"), _("Delivered")], rows) if rows else ""
    everyone = await actions.check_audience(staff.app, actions.Audience())
    content = h2(_("New broadcast")) + _compose(staff, {}, _count_html(everyone, actions.Audience()))
    return page(staff.frame, _("Broadcasts"), content + listed, scripts=True)


@staff_page
async def broadcast_count(request: web.Request, staff: Staff) -> web.StreamResponse:
    """The live count for the audience builder: the same query the fan-out uses."""
    try:
        audience = actions.audience_of(dict(request.query))
    except actions.Refused as refused:
        message = str(refused)
        return web.json_response({"ok": False, "html": notice(message, kind="warning")})
    check = await actions.check_audience(staff.app, audience)
    return web.json_response({"ok": True, "count": check.count, "html": _count_html(check, audience)})


def preview(code: str, message: str) -> str:
    """One language's message as each door shows it: Telegram (our HTML), Discord (the Discord door's Markdown,
    read as Discord reads it) and the terminal console (plain text)."""
    direction = ' dir="rtl"' if code == "ar" else ""
    telegram, discord, plain = _("Telegram"), _("Discord"), _("Terminal console")
    markdown = discord_markdown(message, code)
    return (
        f'<div class="preview"{direction}><h3>{e(LANGUAGE_NAMES[code])}</h3>'
        f'<p class="as">{e(telegram)}</p><div class="bubble telegram">{telegram_html(message)}</div>'
        f'<p class="as">{e(discord)}</p><div class="bubble discord">{discord_html(markdown)}</div>'
        f'<p class="as">{e(plain)}</p><pre>{e(to_plain(message))}</pre></div>'
    )


def _previews(staff: Staff, texts: dict[str, str]) -> str:
    boxes = []
    for code, text in texts.items():
        with use_locale(code):
            message = actions.broadcast_message(text)
        boxes.append(preview(code, message))
    return "".join(boxes)


@staff_page
async def broadcast_new(request: web.Request, staff: Staff) -> web.StreamResponse:
    posted = staff.form
    texts = {code: posted.get(f"text_{code}", "").strip() for code in LANGUAGES}
    texts = {code: text for code, text in texts.items() if text}
    problems: list[str] = []
    try:
        audience = actions.audience_of(posted)
    except actions.Refused as refused:
        audience = actions.Audience()
        problems.append(str(refused))
    check = await actions.check_audience(staff.app, audience)
    # The broadcast rules themselves (bot.domain.broadcasts), worded as the chat and the CLI word them.
    problem = actions.text_problem(staff.app, texts)
    if problem is not None:
        problems.append(problem)
    at: datetime | None = None
    if posted.get("at", "").strip():
        try:
            zone = posted.get("zone", "").strip() or staff.frame.zone
            at = actions.parse_local(posted["at"], zone, staff.now())
        except actions.Refused as refused:
            problems.append(str(refused))
    warnings = warnings_of(check, audience)
    accepted = posted.get("accept_warnings") == "1"
    if posted.get("step") == "send" and not problems and (not warnings or accepted):
        number = await actions.schedule_broadcast(staff.app, staff.who, audience, texts, at)
        raise web.HTTPSeeOther(url(f"/broadcasts/{number}"))
    top = "".join(notice(p, kind="error") for p in problems)
    if posted.get("step") == "send" and warnings and not problems:
        top += notice(_("Check the warnings below. To send anyway, tick the box and schedule again."), kind="warning")
    accept = (
        '<label class="accept"><input type="checkbox" name="accept_warnings" value="1" form="compose"> '
        + e(_("Send despite the warnings"))
        + "</label>"
        if warnings
        else ""
    )
    content = top + _compose(staff, posted, _count_html(check, audience) + accept) + _previews(staff, texts)
    return page(staff.frame, _("New broadcast"), content, status=400 if problems else 200, scripts=True)


def _report_table(counts: dict[str, int], total: int) -> str:
    rows = [
        [e(_("Delivered")), e(format_number(counts.get("sent", 0)))],
        [e(_("Unreachable")), e(format_number(counts.get("unreachable", 0)))],
        [e(_("Failed")), e(format_number(counts.get("failed", 0)))],
        [e(_("Waiting")), e(format_number(counts.get("pending", 0) + counts.get("sending", 0)))],
        [e(_("Recipients")), e(format_number(total))],
    ]
    return table([_("Outcome"), _("People")], rows, css="report")


@staff_page
async def broadcast_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    found = await actions.broadcast_report(staff.app, path_id(request))
    if found is None:
        raw = request.match_info["id"]
        return page(
            staff.frame, _("Broadcasts"), notice(_("There is no broadcast #{id}.").format(id=raw[:12])), status=404
        )
    row, counts, reasons = found
    done = sum(counts.get(s, 0) for s in ("sent", "unreachable", "failed"))
    bar = (
        f'<progress id="progress" max="{max(row.recipients, 1)}" value="{done}" '
        f'data-url="{e(url(f"/broadcasts/{row.id}/progress"))}"></progress> '
        f'<span id="progress-text">{e(f"{done}/{row.recipients}")}</span>'
    )
    reason_rows = [[e(actions.status_text(s)), e(reason or "—"), e(format_number(n))] for s, reason, n in reasons]
    reason_html = table([_("Outcome"), _("Reason"), _("People")], reason_rows) if reason_rows else ""
    texts = "".join(
        f"<h3>{e(LANGUAGE_NAMES.get(code, code))}</h3><p{' dir=rtl' if code == 'ar' else ''}>{e(text)}</p>"
        for code, text in (row.texts or {}).items()
    )
    cancel = ""
    if row.status == "scheduled":
        from bot.web.console.layout import form

        cancel = form(staff.frame, url(f"/broadcasts/{row.id}/cancel"), "", button=_("Cancel this broadcast"))
    audience = " ".join(f"{k}={v}" for k, v in (row.audience or {}).items()) or _("everyone")
    status, moment, whom = _("Status"), _("When"), _("Audience")
    content = (
        f'<p>{e(status)}: <span id="status">{actions.status_text(row.status)}</span> · '
        f"{e(moment)}: {e(when(row.scheduled_at, staff.frame.zone))} · {e(whom)}: {e(audience)}</p>"
        f'<div id="report">{bar}{_report_table(counts, row.recipients)}</div>{reason_html}{cancel}{texts}'
    )
    return page(staff.frame, _("Broadcast #{id}").format(id=row.id), content, scripts=True)


@staff_page
async def broadcast_progress(request: web.Request, staff: Staff) -> web.StreamResponse:
    found = await actions.broadcast_report(staff.app, path_id(request))
    if found is None:
        raise web.HTTPNotFound()
    row, counts, _reasons = found
    done = sum(counts.get(s, 0) for s in ("sent", "unreachable", "failed"))
    return web.json_response(
        {
            "status": row.status,
            "status_text": actions.status_text(row.status),
            "recipients": row.recipients,
            "done": done,
            "html": _report_table(counts, row.recipients),
        }
    )


@staff_page
async def broadcast_cancel(request: web.Request, staff: Staff) -> web.StreamResponse:
    number = path_id(request)
    try:
        await actions.cancel_broadcast(staff.app, staff.who, number)
    except actions.Refused as refused:
        body = notice(str(refused), kind="error") + "<p>" + link(url(f"/broadcasts/{number}"), _("Back")) + "</p>"
        return page(staff.frame, _("Broadcast #{id}").format(id=number), body, status=400)
    raise web.HTTPSeeOther(url(f"/broadcasts/{number}"))
