"""The server-drawn charts: running weekly totals, the axis scale, and labels escaped inside the SVG."""

from __future__ import annotations

from datetime import date

from bot.web.console.charts import bars, lines, nice_top, weekly_totals


def test_weekly_totals_run_from_the_first_week_with_people() -> None:
    counts = [(date(2026, 3, 2), "telegram", 2), (date(2026, 3, 4), "discord", 1), (date(2026, 3, 17), "telegram", 5)]
    ends, totals = weekly_totals(counts, ["discord", "telegram"])
    assert ends == [date(2026, 3, 8), date(2026, 3, 15), date(2026, 3, 22)]
    assert totals == {"discord": [1, 1, 1], "telegram": [2, 2, 7]}


def test_weekly_totals_keep_earlier_people_in_the_first_total() -> None:
    counts = [(date(2025, 1, 1), "en", 4), (date(2026, 3, 4), "en", 1)]
    ends, totals = weekly_totals(counts, ["en"], weeks=2)
    assert ends == [date(2026, 3, 1), date(2026, 3, 8)]
    assert totals == {"en": [4, 5]}
    assert weekly_totals([], ["en"]) == ([], {})


def test_the_axis_ends_on_a_round_number() -> None:
    assert [nice_top(v) for v in (0, 1, 3, 5, 7, 10, 11, 99_999)] == [2, 2, 5, 5, 10, 10, 20, 100_000]


def test_labels_are_escaped() -> None:
    svg = bars("T", [("<script>alert(1)</script>", [3])], ["People"])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'width="' in svg and ">3<" in svg
    drawn = lines("L", ["a", "b"], {"x&y": [0, 4]})
    assert "x&amp;y" in drawn and "<polyline" in drawn
