"""What the program is: the course, its lectures, the workshops, the award and whom to contact."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply, esc, link
from bot.core.router import Router
from bot.i18n import LANGUAGE_NAMES, _, ngettext
from handlers.menu import back_to_menu, command_button

router = Router()


def _languages(codes: list[str]) -> str:
    return ", ".join(LANGUAGE_NAMES.get(code, code) for code in codes)


@router.command("program")
async def program(ctx: Context) -> Reply:
    """What the program is and how to take part."""
    p = ctx.content.program
    parts = ctx.content.lectures.parts
    lectures = len(ctx.content.all_lectures())
    text = "\n".join(
        [
            f"<b>{esc(p.name)} {p.year}</b>",
            "",
            _(
                "<b>Online course</b>: {parts} parts and {lectures} video lectures, free of charge on {platform}."
            ).format(parts=len(parts), lectures=lectures, platform=link(str(p.course.url))),
            esc(p.course.registration),
            _("Subtitles: {languages}; machine-translated: {machine}.").format(
                languages=_languages(p.subtitles.languages),
                machine=_languages(p.subtitles.machine_translated),
            ),
            "",
            _("<b>In-person workshops</b>: “{title}”, for {audience}, in {cities}.").format(
                title=esc(p.workshops.title),
                audience=esc(p.workshops.audience.lower()),
                cities=esc(", ".join(p.workshops.cities)),
            ),
            esc(p.workshops.registration),
            "",
            _("<b>Certificates</b>"),
            "• " + esc(p.certificates.course),
            "• "
            + esc(p.certificates.workshop)
            + " "
            + _("It is issued to attendees under the age of {age}.").format(age=p.certificates.workshop_age_limit),
            "",
            _("<b>{award}</b>: {count} categories; winners are announced at {event}.").format(
                award=esc(ctx.content.award.name),
                count=len(ctx.content.award.categories),
                event=esc(ctx.content.award.announcement),
            ),
        ]
    )
    buttons = [[command_button("lectures", _("Lectures")), command_button("award", _("Global Youth Award"))]]
    if "workshops" in ctx.router.commands:
        buttons.append([command_button("workshops", _("Workshops"))])
    buttons.append(back_to_menu())
    return Reply(text, buttons=buttons)


@router.command("award")
async def award(ctx: Context) -> Reply:
    """The Global Youth Award: categories, partners and winners."""
    a = ctx.content.award
    lines = [
        f"<b>{esc(a.name)}</b>",
        _("{count} categories; winners are announced at {event}.").format(
            count=len(a.categories), event=esc(a.announcement)
        ),
        "",
    ]
    for category in a.categories:
        winners = ngettext("{n} winner", "{n} winners", category.winners).format(n=category.winners)
        lines.append(f"{category.number}. <b>{esc(category.name)}</b> — {winners}")
        lines.append("   " + _("Partner: {partners}").format(partners=esc(", ".join(category.partners))))
    return Reply("\n".join(lines), buttons=[back_to_menu()])


@router.command("contact")
async def contact(ctx: Context) -> Reply:
    """How to reach the WeGO Secretariat."""
    c = ctx.content.program.contact
    text = "\n".join(
        [
            f"<b>{esc(c.name)}</b>",
            _("E-mail: {email}").format(email=link(f"mailto:{c.email}", c.email)),
            _("Telephone: {phone}").format(phone=esc(c.phone)),
        ]
    )
    return Reply(text, buttons=[back_to_menu()])
