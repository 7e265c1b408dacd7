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
    content = ctx.content
    p = content.program
    lectures = len(content.all_lectures())
    workshops = [
        "",
        _("<b>In-person workshops</b>: “{title}”, in {cities}.").format(
            title=esc(p.workshops.title.text()), cities=esc(content.city_list(p.workshops.cities))
        ),
        _("For: {audience}.").format(audience=esc(p.workshops.audience.text())),
    ]
    if "workshops" in ctx.router.commands:
        workshops.append(_("You can sign up here with /workshops."))
    workshops.append(esc(p.workshops.registration.text()))
    limit = p.certificates.workshop_age_limit
    text = "\n".join(
        [
            f"<b>{esc(p.name)} {p.year}</b>",
            "",
            _(
                "<b>Online course</b>: {parts} parts and {lectures} video lectures, free of charge on {platform}."
            ).format(parts=len(content.lectures.parts), lectures=lectures, platform=link(str(p.course.url))),
            esc(p.course.registration.text()),
            esc(p.course.reading_materials.text()),
            _("Subtitles: {languages}; machine-translated: {machine}.").format(
                languages=_languages(p.subtitles.languages),
                machine=_languages(p.subtitles.machine_translated),
            ),
            *workshops,
            "",
            _("<b>Certificates</b>"),
            "• " + esc(p.certificates.course.text()),
            "• " + esc(p.certificates.workshop.text()) + " " + _certificate_age_sentence(limit),
            "",
            ngettext(
                "<b>{award}</b>: {count} category; winners are announced at {event}.",
                "<b>{award}</b>: {count} categories; winners are announced at {event}.",
                len(content.award.categories),
            ).format(
                award=esc(content.award.name.text()),
                count=len(content.award.categories),
                event=esc(content.award.announcement.text()),
            ),
        ]
    )
    buttons = [[command_button("lectures", _("Lectures")), command_button("award", _("Global Youth Award"))]]
    if "workshops" in ctx.router.commands:
        buttons.append([command_button("workshops", _("Workshops"))])
    buttons.append(back_to_menu())
    return Reply(text, buttons=buttons)


def _certificate_age_sentence(limit: int) -> str:
    return _("It is issued to attendees under the age of {age}.").format(age=limit)


@router.command("award")
async def award(ctx: Context) -> Reply:
    """The Global Youth Award: categories, partners and winners."""
    a = ctx.content.award
    lines = [
        f"<b>{esc(a.name.text())}</b>",
        ngettext(
            "{count} category; winners are announced at {event}.",
            "{count} categories; winners are announced at {event}.",
            len(a.categories),
        ).format(count=len(a.categories), event=esc(a.announcement.text())),
        "",
    ]
    for category in a.categories:
        winners = ngettext("{n} winner", "{n} winners", category.winners).format(n=category.winners)
        lines.append(f"{category.number}. <b>{esc(category.name.text())}</b> — {winners}")
        partners = ngettext("Partner: {partners}", "Partners: {partners}", len(category.partners))
        lines.append("   " + partners.format(partners=esc(", ".join(category.partners))))
    return Reply("\n".join(lines), buttons=[back_to_menu()])


@router.command("contact")
async def contact(ctx: Context) -> Reply:
    """How to reach the WeGO Secretariat."""
    c = ctx.content.program.contact
    text = "\n".join(
        [
            f"<b>{esc(c.name.text())}</b>",
            _("E-mail: {email}").format(email=link(f"mailto:{c.email}", c.email)),
            _("Telephone: {phone}").format(phone=esc(c.phone)),
        ]
    )
    return Reply(text, buttons=[back_to_menu()])
