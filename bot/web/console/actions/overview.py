"""The overview's figures, read through bot/services/stats.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.app import App
from bot.certificates.rules import AgeRule, age_rule
from bot.places.names import CityNames
from bot.services import stats
from bot.web.console.actions.base import clock_now, unit_of_work


@dataclass(frozen=True, slots=True)
class Overview:
    by_platform: list[stats.DayCount]
    by_language: list[stats.DayCount]
    funnel: stats.Funnel
    lectures: list[tuple[str, str, int]]
    cities: list[tuple[str, int, int, int, int]]
    broadcasts: list[stats.BroadcastRow]
    questions: stats.QuestionFigures
    # The content's own city names, beside CLDR's (bot.places.names).
    city_names: CityNames


async def _read(app: App, query: Callable[[Any], Awaitable[Any]]) -> Any:
    async with unit_of_work(app) as uow:
        return await query(uow)


async def overview(app: App) -> Overview:
    """Every chart's figures, each query in its own short read on its own connection, all at once: the page
    waits for the slowest query rather than for their sum."""
    content = app.content
    parts = [(part.number, len(part.lectures)) for part in content.lectures.parts]
    lectures = len(content.all_lectures())
    limit = content.program.certificates.workshop_age_limit
    default, now = app.settings.default_language, clock_now(app)
    (by_platform, by_language, funnel, marked, per_city, sent, questions) = await asyncio.gather(
        _read(app, stats.joined_by_platform),
        _read(app, lambda uow: stats.joined_by_language(uow, default)),
        _read(app, lambda uow: stats.funnel(uow, parts, lectures)),
        _read(app, stats.lecture_completion),
        _read(app, stats.workshops_per_city),
        _read(app, stats.recent_broadcasts),
        _read(app, lambda uow: stats.question_figures(uow, now)),
    )
    cities = [
        (
            row.city,
            row.registered,
            row.waiting,
            row.attended,
            # The program's own age rule, applied to the years: only the certainly-under count as eligible.
            sum(n for (year, born), n in row.attended_years.items() if age_rule(year, born, limit) is AgeRule.UNDER),
        )
        for row in per_city
    ]
    return Overview(
        by_platform=by_platform,
        by_language=by_language,
        funnel=funnel,
        lectures=[(lec.key, lec.title, marked.get(lec.key, 0)) for lec in content.all_lectures()],
        cities=cities,
        broadcasts=sent,
        questions=questions,
        city_names=content.city_names,
    )
