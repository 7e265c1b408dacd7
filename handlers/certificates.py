"""Certificates: who qualifies and what is missing, the name on records, verifiable records, staff revoking."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.certificates import codes
from bot.certificates.rules import (
    MARKS_MAX,
    NAME_MAX,
    AgeRule,
    InvalidName,
    age_in_workshop_year,
    age_rule,
    clean_name,
)
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Reply, esc, link
from bot.core.router import Router
from bot.i18n import _, format_date, ngettext
from handlers.menu import back_to_menu, command_button
from storage import certificates as store
from storage.models import Certificate, Registration, User, Workshop

router = Router()

MAX_LISTED_KEYS = 12


def verify_url(ctx: Context, record: Certificate) -> str:
    assert record.code is not None
    return f"{ctx.settings.public_base_url.rstrip('/')}/verify/{codes.group(record.code)}"


def _record_lines(ctx: Context, record: Certificate) -> list[str]:
    if record.revoked_at is not None:
        return [
            _("Your record {code} was revoked by the program staff. Please contact {email}.").format(
                code=codes.group(record.code or ""), email=esc(ctx.content.program.contact.email)
            )
        ]
    url = verify_url(ctx, record)
    return [
        _("Your verifiable record: {link}").format(link=link(url)),
        _("Code: <code>{code}</code> (anyone can check it).").format(code=codes.group(record.code or "")),
    ]


async def _name_or_hint(ctx: Context) -> str | None:
    user = await ctx.session.get_one(User, ctx.user_id)
    return user.full_name


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


async def _course_record(ctx: Context, name: str) -> Certificate:
    return await store.issue(
        ctx.session,
        user_id=ctx.user_id,
        kind=store.COURSE,
        workshop_id=None,
        name=name,
        now=ctx.now(),
        secret=ctx.settings.effective_secret(),
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
    name = await _name_or_hint(ctx)
    if name:
        lines += _record_lines(ctx, await _course_record(ctx, name))
    else:
        lines.append(_name_hint())
    return Reply("\n".join(lines), buttons=[back_to_menu()], personal=True)


async def _course_section(ctx: Context, name: str | None) -> list[str]:
    from handlers.progress import counted_done

    done = await counted_done(ctx)
    missing = [lecture.key for lecture in ctx.content.all_lectures() if lecture.key not in done]
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
        earlier = await store.record_for(ctx.session, ctx.user_id, store.COURSE, None)
        if earlier is not None:
            lines += _earlier_course_record(ctx, earlier)
        lines += ["", *_official_course_certificate(ctx)]
        return lines
    lines.append(_("✅ Every lecture is marked as watched."))
    lines += _official_course_certificate(ctx)
    lines.append(_course_record_note(ctx))
    if name:
        lines += _record_lines(ctx, await _course_record(ctx, name))
    else:
        lines.append(_name_hint())
    return lines


def _earlier_course_record(ctx: Context, record: Certificate) -> list[str]:
    """A record issued before some lectures were unmarked: it stays as it was, and says so."""
    if record.revoked_at is not None:
        return _record_lines(ctx, record)
    return [
        _(
            "Your course record {code} from {date} stays valid: it records that on that day you had marked all "
            "{total} lectures as watched. Unmarking a lecture does not change it."
        ).format(
            code=codes.group(record.code or ""),
            date=format_date(record.issued_at, ctx.zone),
            total=len(ctx.content.all_lectures()),
        ),
        _("Check it here: {link}").format(link=link(verify_url(ctx, record))),
    ]


def _workshop_year(registration: Registration, workshop: Workshop) -> int:
    moment = workshop.starts_at or registration.attended_at
    assert moment is not None
    return moment.astimezone(ZoneInfo(workshop.timezone)).year


def _workshop_steps(ctx: Context) -> list[str]:
    """How to get the workshop certificate, as staff wrote it in content/program.yaml."""
    steps = ctx.content.program.certificates.workshop_steps
    return [_("<b>How to get it</b>")] + [f"{i}. {esc(step.text())}" for i, step in enumerate(steps, 1)]


async def _workshop_section(ctx: Context, name: str | None) -> list[str]:
    program = ctx.content.program
    limit = program.certificates.workshop_age_limit
    email = esc(program.contact.email)
    rule = _(
        "The rule: the certificate is for participants under {limit}, that is, the workshop's year minus your "
        "year of birth is at most {most}."
    ).format(limit=limit, most=limit - 1)
    lines = [_("<b>Workshop certificate</b>"), esc(program.certificates.workshop.text())]
    attended = await store.attended(ctx.session, ctx.user_id)
    if not attended:
        lines.append(_("Not yet: you have not been checked in at a workshop."))
        lines += _workshop_steps(ctx)
        return lines
    user = await ctx.session.get_one(User, ctx.user_id)
    for registration, workshop in attended:
        title = _("{title} in {city}").format(title=esc(workshop.title), city=esc(ctx.content.city_name(workshop.city)))
        year = _workshop_year(registration, workshop)
        lines.append("")
        lines.append(_("Checked in: {workshop}.").format(workshop=title))
        if user.birth_year is None:
            lines.append(_("Missing: your year of birth, which is asked at workshop sign-up; add it in /mysignups."))
            lines.append(rule)
            continue
        age = age_in_workshop_year(year, user.birth_year)
        verdict = age_rule(year, user.birth_year, limit)
        if verdict is AgeRule.NOT_UNDER:
            lines.append(
                _("Not eligible by the age rule: {year} − {birth} = {age}, more than {most}.").format(
                    year=year, birth=user.birth_year, age=age, most=limit - 1
                )
            )
            lines.append(rule)
            continue
        if verdict is AgeRule.UNCLEAR:
            lines.append(
                _(
                    "Your year of birth alone cannot tell: {year} − {birth} = {age}, so on the day of the workshop "
                    "you were {younger} or {age}, depending on your birthday. The certificate is for attendees "
                    "under {limit}: please write to the Secretariat at {email}, who can check it with you."
                ).format(
                    year=year,
                    birth=user.birth_year,
                    age=age,
                    younger=age - 1,
                    limit=limit,
                    email=email,
                )
            )
            continue
        lines.append(
            _("✅ You qualify: {year} − {birth} = {age}, at most {most}.").format(
                year=year, birth=user.birth_year, age=age, most=limit - 1
            )
        )
        if name:
            record = await store.issue(
                ctx.session,
                user_id=ctx.user_id,
                kind=store.WORKSHOP,
                workshop_id=workshop.id,
                name=name,
                now=ctx.now(),
                secret=ctx.settings.effective_secret(),
            )
            lines += _record_lines(ctx, record)
        else:
            lines.append(_name_hint())
        lines += _workshop_steps(ctx)
    return lines


@router.command("certificate")
async def certificate(ctx: Context) -> Reply:
    """Whether you qualify for each certificate, and what is missing."""
    name = await _name_or_hint(ctx)
    lines = [*await _course_section(ctx, name), "", *await _workshop_section(ctx, name)]
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
        user = await ctx.session.get_one(User, ctx.user_id)
        current = (
            _("The name on your records is: {name}").format(name=esc(user.full_name))
            if user.full_name
            else _("No name set for your records yet.")
        )
        return Reply(current + "\n" + _("To set it, send /name followed by your full name."), personal=True)
    try:
        name = clean_name(ctx.text)
    except InvalidName as problem:
        raise UserError(_name_refusal(problem.reason) + " " + _("Nothing was changed.")) from None
    user = await ctx.session.get_one(User, ctx.user_id)
    user.full_name = name
    successors = await store.rename_records(
        ctx.session, ctx.user_id, name, now=ctx.now(), secret=ctx.settings.effective_secret()
    )
    lines = [_("Your records will show the name: <b>{name}</b>").format(name=esc(name))]
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
        record = await store.revoke(ctx.session, ctx.text, ctx.now())
    except codes.CodeFormatError:
        raise UserError(_("That is not a record code: a code has 16 letters and digits.")) from None
    if record is None:
        raise UserError(_("No record has that code. Nothing was changed."))
    assert record.revoked_at is not None
    return Reply(
        _("Record {code} is revoked since {date}; its page now says it is not valid.").format(
            code=codes.group(record.code or ""), date=format_date(record.revoked_at, "UTC")
        )
    )
