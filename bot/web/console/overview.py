"""The overview: the program at a glance, drawn from the database at request time, each chart with its numbers
and a CSV download of them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from aiohttp import web
from babel.dates import format_date

from bot.i18n import LANGUAGE_NAMES, N_, _, current_locale, format_number, ngettext
from bot.places.names import city_name
from bot.web.console import actions
from bot.web.console.auth import Staff, staff_page
from bot.web.console.charts import bars, lines, weekly_totals
from bot.web.console.layout import e, page, table, url

BROADCAST_STATES = ("sent", "unreachable", "failed", "pending", "sending")
BUCKETS = (N_("under 1 hour"), N_("1 hour to 1 day"), N_("1 to 3 days"), N_("over 3 days"))


def _hours(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    hours = seconds / 3600
    return ngettext("{n} hour", "{n} hours", round(hours)).format(n=format_number(round(hours, 1)))


class Tables:
    """Each chart's numbers as (headers, rows): printed beside the chart and offered as CSV."""

    def __init__(self, data: actions.Overview) -> None:
        self.data = data

    def over_time(self, counts: Sequence[object], names: dict[str, str]) -> tuple[list[str], list[list[str]], str]:
        rows = [(c.day, c.key, c.count) for c in counts]  # type: ignore[attr-defined]
        keys = sorted({key for _day, key, _n in rows})
        weeks, totals = weekly_totals(rows, keys)
        labels = [format_date(week, "medium", locale=current_locale()) for week in weeks]
        headers = [_("Week ending"), *[names.get(key, key) for key in keys]]
        table_rows = [[labels[i], *[str(totals[key][i]) for key in keys]] for i in range(len(weeks))]
        chart = lines(headers[0], labels, {names.get(key, key): totals[key] for key in keys})
        return headers, table_rows, chart

    def platforms(self) -> tuple[list[str], list[list[str]], str]:
        return self.over_time(
            self.data.by_platform, {"telegram": "Telegram", "discord": "Discord", "console": "Console"}
        )

    def languages(self) -> tuple[list[str], list[list[str]], str]:
        return self.over_time(self.data.by_language, dict(LANGUAGE_NAMES))

    def funnel(self) -> tuple[list[str], list[list[str]], str]:
        f = self.data.funnel
        steps = [(_("Started"), f.started), (_("First lecture"), f.first_lecture)]
        steps += [(_("Part {n} complete").format(n=i + 1), n) for i, n in enumerate(f.parts)]
        steps += [(_("All lectures"), f.all_lectures), (_("Course record"), f.records)]
        rows = [[label, str(n)] for label, n in steps]
        return (
            [_("Step"), _("People")],
            rows,
            bars(_("Course funnel"), [(label, [n]) for label, n in steps], [_("People")]),
        )

    def lectures(self) -> tuple[list[str], list[list[str]], str]:
        rows = [[key, title, str(n)] for key, title, n in self.data.lectures]
        chart = bars(
            _("Lecture completion"), [(key, [n]) for key, _t, n in self.data.lectures], [_("Marked as watched")]
        )
        return [_("Lecture"), _("Title"), _("Marked as watched")], rows, chart

    def cities(self) -> tuple[list[str], list[list[str]], str]:
        series = [_("Registered"), _("Waiting"), _("Attended"), _("Eligible (under 35)")]
        named = [
            (city_name(city, current_locale(), self.data.city_names), values) for city, *values in self.data.cities
        ]
        rows = [[city, *(str(v) for v in values)] for city, values in named]
        chart = bars(_("Workshops per city"), [(city, list(values)) for city, values in named], series)
        return [_("City"), *series], rows, chart

    def broadcasts(self) -> tuple[list[str], list[list[str]], str]:
        names = [_("Delivered"), _("Unreachable"), _("Failed"), _("Waiting")]
        rows, chart_rows = [], []
        for b in self.data.broadcasts:
            d = b.deliveries
            values = [
                d.get("sent", 0),
                d.get("unreachable", 0),
                d.get("failed", 0),
                d.get("pending", 0) + d.get("sending", 0),
            ]
            rows.append([f"#{b.id}", b.status, str(b.recipients), *(str(v) for v in values)])
            chart_rows.append((f"#{b.id}", values))
        chart = bars(_("Broadcast delivery"), chart_rows, names)
        return [_("Broadcast"), _("Status"), _("Recipients"), *names], rows, chart

    def questions(self) -> tuple[list[str], list[list[str]], str]:
        q = self.data.questions
        labels = [_(b) for b in BUCKETS]
        rows = [[label, str(w), str(a)] for label, w, a in zip(labels, q.waiting_ages, q.answer_times, strict=True)]
        series = [_("Waiting for so long"), _("Answered within")]
        chart = bars(_("Questions"), [(r[0], [int(r[1]), int(r[2])]) for r in rows], series)
        return [_("Time"), *series], rows, chart


SECTIONS = {
    "platforms": N_("Participants by platform"),
    "languages": N_("Participants by language"),
    "funnel": N_("Course funnel"),
    "lectures": N_("Lecture completion"),
    "cities": N_("Workshops per city"),
    "broadcasts": N_("Broadcasts and their delivery"),
    "questions": N_("Questions for the team"),
}


@staff_page
async def overview(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await actions.overview(staff.app)
    tables = Tables(data)
    q = data.questions
    figures = [
        _("Participants: {n}").format(n=format_number(data.funnel.started)),
        _("Questions waiting: {n}").format(n=format_number(q.waiting)),
        _("Average time to answer: {time}").format(time=_hours(q.mean_answer_seconds)),
    ]
    summary = '<p class="figures">' + e(" · ".join(figures)) + "</p>"
    download, nothing = _("Download CSV"), _("Nothing yet.")
    sections = []
    for name, title in SECTIONS.items():
        headers, rows, chart = getattr(tables, name)()
        csv_link = f'<a class="csv" href="{e(url(f"/csv/{name}.csv"))}" download>{e(download)}</a>'
        numbers = (
            table(headers, [[e(cell) for cell in row] for row in rows], css="numbers")
            if rows
            else f"<p>{e(nothing)}</p>"
        )
        sections.append(
            f'<section id="{name}" class="chart-box"><h2>{e(_(title))}</h2>'
            f'<div class="pair"><figure>{chart}</figure><div>{numbers}{csv_link}</div></div></section>'
        )
    return page(staff.frame, _("Overview"), summary + "".join(sections))


@staff_page
async def overview_csv(request: web.Request, staff: Staff) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in SECTIONS:
        raise web.HTTPNotFound()
    headers, rows, _chart = getattr(Tables(await actions.overview(staff.app)), name)()
    return csv_response(f"wego-{name}.csv", headers, rows)


def csv_response(filename: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> web.Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    writer.writerows([["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row] for row in rows])
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
