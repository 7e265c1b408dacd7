"""Charts as inline SVG drawn on the server: no script, no library, nothing fetched from elsewhere.

Colours come from the stylesheet (classes s0…s6), so the charts follow the page; every chart has a title for
screen readers, and the numbers are always printed beside it in a table as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.i18n import format_number
from bot.web.console.layout import e

WIDTH = 640
BAR = 18
GAP = 6
LABEL = 170
SERIES_CLASSES = 7


def _svg(title: str, height: int, inner: str) -> str:
    return (
        # Laid out left to right in every language (axes and anchors): right-to-left labels still read right.
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" direction="ltr" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{e(title)}</title>{inner}</svg>'
    )


def _legend(names: Sequence[str], y: int) -> str:
    items = []
    x = 0
    for index, name in enumerate(names):
        items.append(
            f'<rect class="s{index % SERIES_CLASSES}" x="{x}" y="{y}" width="12" height="12"/>'
            f'<text x="{x + 16}" y="{y + 11}">{e(name)}</text>'
        )
        x += 24 + 8 * len(name)
    return "".join(items)


def bars(title: str, rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str]) -> str:
    """Horizontal bars, one group per row and one bar per series, on one scale."""
    top = max((value for _label, values in rows for value in values), default=0) or 1
    per_row = len(series) * BAR + GAP * 2
    legend = 20 if len(series) > 1 else 0
    height = legend + per_row * max(len(rows), 1) + 4
    parts = [_legend(series, 0)] if len(series) > 1 else []
    span = WIDTH - LABEL - 60
    for index, (label, values) in enumerate(rows):
        y = legend + index * per_row + GAP
        parts.append(f'<text class="label" x="{LABEL - 6}" y="{y + BAR - 4}" text-anchor="end">{e(label[:26])}</text>')
        for position, value in enumerate(values):
            width = max(round(span * value / top), 1 if value else 0)
            bar_y = y + position * BAR
            parts.append(
                f'<rect class="s{position % SERIES_CLASSES}" x="{LABEL}" y="{bar_y}" width="{width}" '
                f'height="{BAR - 3}"><title>{e(label)} · {e(series[position])}: {e(format_number(value))}</title>'
                "</rect>"
                f'<text x="{LABEL + width + 4}" y="{bar_y + BAR - 6}">{e(format_number(value))}</text>'
            )
    return _svg(title, height, "".join(parts))


def weekly_totals(
    counts: Sequence[tuple[date, str, int]], keys: Sequence[str], weeks: int = 26
) -> tuple[list[date], dict[str, list[int]]]:
    """Running totals per key at the end of each week (Sundays), from the first week with anyone in it, at most the
    last `weeks` weeks; earlier people are in the first total."""
    if not counts:
        return [], {}
    first, last = min(day for day, _key, _n in counts), max(day for day, _key, _n in counts)
    end = last + timedelta(days=6 - last.weekday())
    span = min(weeks, (end - first).days // 7 + 1)
    ends = [end - timedelta(weeks=span - 1 - i) for i in range(span)]
    totals = {key: [0] * span for key in keys}
    for day, key, n in counts:
        if key not in totals:
            continue
        for index, week_end in enumerate(ends):
            if day <= week_end:
                totals[key][index] += n
    return ends, totals


def nice_top(value: int) -> int:
    """The axis maximum: the value rounded up to 1, 2 or 5 times a power of ten (at least 2, so halves are whole)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= max(value, 2):
                return factor * step
        step *= 10


def lines(title: str, x_labels: Sequence[str], series: dict[str, list[int]]) -> str:
    """One line per series over the same points; the y axis starts at zero."""
    height = 240
    plot_top, plot_bottom, left, right = 24, height - 24, 56, WIDTH - 10
    top = nice_top(max((v for values in series.values() for v in values), default=0))
    points = max(len(x_labels), 2)
    step = (right - left) / (points - 1)
    parts = [_legend(list(series), 0)]
    for fraction in (0, 0.5, 1):
        y = plot_bottom - (plot_bottom - plot_top) * fraction
        parts.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{e(format_number(round(top * fraction)))}</text>'
        )
    for index, name in enumerate(series):
        coords = " ".join(
            f"{left + step * i:.1f},{plot_bottom - (plot_bottom - plot_top) * v / top:.1f}"
            for i, v in enumerate(series[name])
        )
        parts.append(
            f'<polyline class="line s{index % SERIES_CLASSES}" points="{coords}"><title>{e(name)}</title></polyline>'
        )
    if x_labels:
        parts.append(f'<text x="{left}" y="{height - 6}">{e(x_labels[0])}</text>')
        parts.append(f'<text x="{right}" y="{height - 6}" text-anchor="end">{e(x_labels[-1])}</text>')
    return _svg(title, height, "".join(parts))
