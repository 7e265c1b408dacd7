"""Certificates: who qualifies and what is missing, the name on records, verifiable records, staff revoking."""

from __future__ import annotations

from bot.certificates import codes
from bot.certificates.rules import MARKS_MAX, NAME_MAX, InvalidName
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Reply, esc, link
from bot.core.router import Router
from bot.domain.certificates import NoSuchRecord, NotACode, WorkshopVerdict
from bot.i18n import _, format_date, ngettext
from bot.services import certificates as service
from bot.services.certificates import CourseStanding, RecordView, WorkshopStanding
from handlers.menu import back_to_menu, command_button

router = Router()

MAX_LISTED_KEYS = 12


def verify_url(ctx: Context, record: RecordView) -> str:
    return f"{ctx.settings.public_base_url.rstrip('/')}/verify/{codes.group(record.code)}"


def _record_lines(ctx: Context, record: RecordView) -> list[str]:
    if record.revoked:
        return [
            _("Your record {code} was revoked by the program staff. Please contact {email}.").format(
                code=codes.group(record.code), email=esc(ctx.content.program.contact.email)
            )
        ]
    url = verify_url(ctx, record)
    return [
        _("Your verifiable record: {link}").format(link=link(url)),
        _("Code: <code>{code}</code> (anyone can check it).").format(code=codes.group(record.code)),
    ]


def _name_hint() -> str:
    return _("To get your verifiable record, first set the name it should show: /name followed by your full name.")


def _official_course_certificate(ctx: Context) -> list[str]:
    """The official certificate as the program states it, and where its coursework and form are."""
    course = ctx.content.program.course
    return [
        _("<b>The official certificate</b>: {how}").format(how=esc(ctx.content.program.certificates.course.text())),
        _("You find the coursework and the form on {platform}.").format(
            platform=link(str(course.url), course.platform_name)
        ),
    ]


def _course_record_note(ctx: Context) -> str:
    return _("<b>Your course record</b>: {what}").format(
        what=esc(ctx.content.program.certificates.course_record.text())
    )


async def _course_standing(ctx: Context) -> CourseStanding:
    return await service.course_standing(
        ctx.unit_of_work, ctx.user_id, content=ctx.content, now=ctx.now(), secret=ctx.settings.effective_secret()
    )


async def course_completed_reply(ctx: Context) -> Reply:
    """Congratulations once every lecture is marked: how to request the official certificate, and the record."""
    lines = [
        _("🎉 <b>Congratulations: you have marked every lecture of the course as watched!</b>"),
        "",
        *_official_course_certificate(ctx),
        "",
        _course_record_note(ctx),
    ]
    standing = await _course_standing(ctx)
    if standing.record is not None:
        lines += _record_lines(ctx, standing.record)
    else:
        lines.append(_name_hint())
    return Reply("\n".join(lines), buttons=[back_to_menu()], personal=True)


def _course_section(ctx: Context, standing: CourseStanding) -> list[str]:
    missing = standing.missing
    lines = [_("<b>Online course</b>")]
    if missing:
        shown = ", ".join(missing[:MAX_LISTED_KEYS]) + (" …" if len(missing) > MAX_LISTED_KEYS else "")
        lines.append(
            ngettext(
                "Not yet: {n} lecture left to mark as watched: {keys}",
                "Not yet: {n} lectures left to mark as watched: {keys}",
                len(missing),
            ).format(n=len(missing), keys=shown)
        )
        lines.append(_("Mark them with /done or in /lectures."))
        if standing.earlier is not None:
            lines += _earlier_course_record(ctx, standing.earlier)
        lines += ["", *_official_course_certificate(ctx)]
        return lines
    lines.append(_("✅ Every lecture is marked as watched."))
    lines += _official_course_certificate(ctx)
    lines.append(_course_record_note(ctx))
    if standing.record is not None:
        lines += _record_lines(ctx, standing.record)
    else:
        lines.append(_name_hint())
    return lines


def _earlier_course_record(ctx: Context, record: RecordView) -> list[str]:
    """A record issued before some lectures were unmarked: it stays as it was, and says so."""
    if record.revoked:
        return _record_lines(ctx, record)
    return [
        _(
            "Your course record {code} from {date} stays valid: it records that on that day you had marked all "
            "{total} lectures as watched. Unmarking a lecture does not change it."
        ).format(
            code=codes.group(record.code),
            date=format_date(record.issued_at, ctx.zone),
            total=len(ctx.content.all_lectures()),
        ),
        _("Check it here: {link}").format(link=link(verify_url(ctx, record))),
    ]


def _workshop_steps(ctx: Context) -> list[str]:
    """How to get the workshop certificate, as staff wrote it in content/program.yaml."""
    steps = ctx.content.program.certificates.workshop_steps
    return [_("<b>How to get it</b>")] + [f"{i}. {esc(step.text())}" for i, step in enumerate(steps, 1)]


def _workshop_section(ctx: Context, standings: tuple[WorkshopStanding, ...]) -> list[str]:
    program = ctx.content.program
    limit = program.certificates.workshop_age_limit
    email = esc(program.contact.email)
    rule = _(
        "The rule: the certificate is for participants under {limit}, that is, the workshop's year minus your "
        "year of birth is at most {most}."
    ).format(limit=limit, most=limit - 1)
    lines = [_("<b>Workshop certificate</b>"), esc(program.certificates.workshop.text())]
    if not standings:
        lines.append(_("Not yet: you have not been checked in at a workshop."))
        lines += _workshop_steps(ctx)
        return lines
    for standing in standings:
        title = _("{title} in {city}").format(title=esc(standing.title), city=esc(ctx.content.city_name(standing.city)))
        rule_of = standing.eligibility
        lines.append("")
        lines.append(_("Checked in: {workshop}.").format(workshop=title))
        if rule_of.verdict is WorkshopVerdict.BIRTH_YEAR_MISSING:
            lines.append(_("Missing: your year of birth, which is asked at workshop sign-up; add it in /mysignups."))
            lines.append(rule)
            continue
        numbers = {"year": rule_of.year, "birth": rule_of.birth_year, "age": rule_of.age, "most": limit - 1}
        if rule_of.verdict is WorkshopVerdict.TOO_OLD:
            lines.append(
                _("Not eligible by the age rule: {year} − {birth} = {age}, more than {most}.").format(**numbers)
            )
            lines.append(rule)
            continue
        if rule_of.verdict is WorkshopVerdict.UNCLEAR:
            assert rule_of.age is not None
            lines.append(
                _(
                    "Your year of birth alone cannot tell: {year} − {birth} = {age}, so on the day of the workshop "
                    "you were {younger} or {age}, depending on your birthday. The certificate is for attendees "
                    "under {limit}: please write to the Secretariat at {email}, who can check it with you."
                ).format(
                    year=rule_of.year,
                    birth=rule_of.birth_year,
                    age=rule_of.age,
                    younger=rule_of.age - 1,
                    limit=limit,
                    email=email,
                )
            )
            continue
        lines.append(_("✅ You qualify: {year} − {birth} = {age}, at most {most}.").format(**numbers))
        if standing.record is not None:
            lines += _record_lines(ctx, standing.record)
        else:
            lines.append(_name_hint())
        lines += _workshop_steps(ctx)
    return lines


@router.command("certificate")
async def certificate(ctx: Context) -> Reply:
    """Whether you qualify for each certificate, and what is missing."""
    standing = await service.standing(
        ctx.unit_of_work,
        ctx.user_id,
        content=ctx.content,
        age_limit=ctx.content.program.certificates.workshop_age_limit,
        now=ctx.now(),
        secret=ctx.settings.effective_secret(),
    )
    name = standing.name
    lines = [*_course_section(ctx, standing.course), "", *_workshop_section(ctx, standing.workshops)]
    lines += [
        "",
        _("Name on your records: {name}").format(name=esc(name)) if name else _("No name set for your records yet."),
    ]
    buttons = [[command_button("progress", _("My progress"))], back_to_menu()]
    return Reply("\n".join(lines), buttons=buttons, personal=True)


@router.command("name", args_hint="Full Name")
async def set_name(ctx: Context) -> Reply:
    """Set the name shown on your certificate records, e.g. /name Maria Rossi."""
    if not ctx.text:
        name = await service.record_name(ctx.unit_of_work, ctx.user_id)
        current = (
            _("The name on your records is: {name}").format(name=esc(name))
            if name
            else _("No name set for your records yet.")
        )
        return Reply(current + "\n" + _("To set it, send /name followed by your full name."), personal=True)
    try:
        renamed = await service.set_record_name(
            ctx.unit_of_work, ctx.user_id, ctx.text, now=ctx.now(), secret=ctx.settings.effective_secret()
        )
    except InvalidName as problem:
        raise UserError(_name_refusal(problem.reason) + " " + _("Nothing was changed.")) from None
    successors = renamed.successors
    lines = [_("Your records will show the name: <b>{name}</b>").format(name=esc(renamed.name))]
    if successors:
        lines.append(
            ngettext(
                "Your {n} record was issued again with this name; the earlier code still shows the name it was "
                "issued with, marked as replaced.",
                "Your {n} records were issued again with this name; the earlier codes still show the name they "
                "were issued with, marked as replaced.",
                len(successors),
            ).format(n=len(successors))
        )
        for record in successors:
            lines += _record_lines(ctx, record)
    return Reply("\n".join(lines), buttons=[[command_button("certificate", _("Certificates"))]], personal=True)


def _name_refusal(reason: str) -> str:
    if reason == "control":
        return _("A name cannot contain control characters or hidden text-direction characters.")
    if reason == "invisible":
        return _("A name needs at least one visible letter: this one has only spaces, symbols or invisible characters.")
    if reason == "marks":
        return _("A name cannot stack more than {n} accents or marks on one letter.").format(n=MARKS_MAX)
    return _("A name must be 1 to {n} characters on one line.").format(n=NAME_MAX)


@router.command("revoke", staff=True, args_hint="CODE")
async def revoke(ctx: Context) -> Reply:
    """Revoke a certificate record by its code (staff)."""
    if not ctx.text:
        raise UserError(_("Which record? Send /revoke followed by its code."))
    try:
        record = await service.revoke_record(ctx.unit_of_work, ctx.text, now=ctx.now())
    except NotACode:
        raise UserError(_("That is not a record code: a code has 16 letters and digits.")) from None
    except NoSuchRecord:
        raise UserError(_("No record has that code. Nothing was changed.")) from None
    assert record.revoked_at is not None
    return Reply(
        _("Record {code} is revoked since {date}; its page now says it is not valid.").format(
            code=codes.group(record.code), date=format_date(record.revoked_at, "UTC")
        )
    )
