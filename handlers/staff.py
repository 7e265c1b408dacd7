"""Staff tools that belong to no single feature."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply, esc
from bot.core.router import Router
from bot.i18n import LANGUAGE_NAMES, _, format_number

router = Router()


@router.command("stats", staff=True)
async def stats(ctx: Context) -> Reply:
    """Participants, the course funnel, workshops per city and questions waiting."""
    from bot.services import stats as figures  # not at import: `wego-bot ask` loads the chat without a database
    from bot.services import users

    counts = await users.stats(ctx.unit_of_work)
    lines = [
        _("<b>Participants</b>: {count}").format(count=format_number(counts.total)),
        "",
        "<b>" + _("By platform") + "</b>",
    ]
    lines += [f"{esc(platform)}: {format_number(count)}" for platform, count in counts.by_platform]
    lines += ["", "<b>" + _("By chosen language") + "</b>"]
    for locale, count in counts.by_language:
        name = LANGUAGE_NAMES.get(locale, locale) if locale else _("not chosen")
        lines.append(f"{esc(name)}: {format_number(count)}")
    content = ctx.content
    parts = [(part.number, len(part.lectures)) for part in content.lectures.parts]
    funnel = await figures.funnel(ctx.unit_of_work, parts, len(content.all_lectures()))
    steps = [(_("Started"), funnel.started), (_("First lecture"), funnel.first_lecture)]
    steps += [
        (_("Part {n} complete").format(n=number), n) for (number, _size), n in zip(parts, funnel.parts, strict=True)
    ]
    steps += [(_("All lectures"), funnel.all_lectures), (_("Course record"), funnel.records)]
    lines += ["", "<b>" + _("Course funnel") + "</b>"]
    lines += [f"{esc(label)}: {format_number(n)}" for label, n in steps]
    cities = await figures.workshops_per_city(ctx.unit_of_work)
    if cities:
        lines += ["", "<b>" + _("Workshops per city") + "</b>"]
        for row in cities:
            counts_text = " · ".join(
                f"{label} {format_number(n)}"
                for label, n in (
                    (_("Registered"), row.registered),
                    (_("Waiting"), row.waiting),
                    (_("Attended"), row.attended),
                )
            )
            lines.append(f"{esc(content.city_name(row.city))}: {esc(counts_text)}")
    questions = await figures.question_figures(ctx.unit_of_work, ctx.now())
    lines += ["", esc(_("Questions waiting: {n}").format(n=format_number(questions.waiting)))]
    return Reply("\n".join(lines), personal=True)
