"""A participant's own workshops: /mysignups, cancelling, confirming an offered seat, the calendar file, and the
year of birth (asked at sign-up, added or corrected from /mysignups while no record rests on it)."""

from __future__ import annotations

from bot.certificates.rules import YOUNGEST_AGE, plausible_birth_year
from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.core.text import is_number, parse_id
from bot.domain.workshop_refusals import WorkshopCancelled, WorkshopRefusal
from bot.domain.workshops import RegistrationStatus
from bot.i18n import _
from bot.services import signups
from bot.services import workshops as views
from bot.services.workshops import MyPlace
from handlers.workshop_refusals import refused
from handlers.workshop_views import (
    all_workshops_button,
    button_arg,
    calendar_file,
    confirmed_text,
    context_notifier,
    mine_button,
    my_status,
    refusals,
    short_when,
    uow_of,
    workshop_arg,
)

router = Router()

# Years of birth offered as buttons: people between 10 and 100 years old (an older year can be typed).
MIN_AGE, MAX_AGE = YOUNGEST_AGE, 100


def birth_year_note(ctx: Context) -> str:
    age = ctx.content.program.certificates.workshop_age_limit
    return _(
        "The workshop certificate is for attendees under {age}; your year of birth lets the team check that. "
        "If you skip it you can still take part, but the certificate cannot be issued to you until you add "
        "it (you can, any time, from /mysignups)."
    ).format(age=age)


def decade_buttons(ctx: Context, action: str, *prefix: object) -> list[list[Button]]:
    year = ctx.now().year
    first, last = (year - MAX_AGE) // 10 * 10, (year - MIN_AGE) // 10 * 10
    buttons = [Button(f"{decade}–{decade + 9}", act(action, *prefix, decade)) for decade in range(last, first - 1, -10)]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


def year_buttons(ctx: Context, raw_decade: str, action: str, *prefix: object) -> list[list[Button]]:
    decade = int(raw_decade) if is_number(raw_decade) else 0
    now = ctx.now().year
    years = [y for y in range(decade, decade + 10) if now - MAX_AGE <= y <= now - MIN_AGE]
    if decade % 10 or not years:
        raise UserError(_("That button is no longer valid. Send /workshops to start again."))
    buttons = [Button(str(y), act(action, *prefix, y)) for y in years]
    return [buttons[i : i + 5] for i in range(0, len(buttons), 5)]


def type_it_hint() -> str:
    return _("You can also type the year, for example 1999.")


def year_in_use_message(ctx: Context) -> str:
    return _(
        "Your year of birth can no longer be added or changed here: your workshop attendance and its certificate "
        "rest on it. To add or correct it, please write to the WeGO Secretariat at {email}."
    ).format(email=esc(ctx.content.program.contact.email))


def valid_year(ctx: Context, raw: str) -> int:
    raw = raw.strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses; "١٩٩٩" (Arabic-Indic) is a year int() reads.
    year = int(raw) if raw.isdecimal() and len(raw) == 4 else 0
    if not plausible_birth_year(year, ctx.now().year):
        raise UserError(
            _(
                "That year of birth does not look right. Type it with four digits (for example 1999) or choose it "
                "from the buttons."
            )
        )
    return year


@router.command("mysignups")
@refusals
async def mysignups(ctx: Context) -> Reply:
    """Your workshop sign-ups: confirm, cancel or get the calendar file."""
    uow = uow_of(ctx)
    mine = await views.my_signups(
        uow, ctx.user_id, ctx.now(), notify=context_notifier(ctx), offer_hours=ctx.settings.waitlist_offer_hours
    )
    buttons: list[list[Button]] = []
    if not mine:
        lines = [_("You have not signed up for any workshop yet.")]
    else:
        lines = [_("<b>Your workshops</b>")]
        for place in mine:
            lines.append(
                f"• <b>{esc(ctx.content.city_name(place.workshop.city))}</b> — {short_when(place.workshop)}\n"
                f"  {my_status(ctx, place)}"
            )
            row = _place_buttons(ctx, place)
            if row:
                buttons.append(row)
    if await signups.birth_year_in_use(uow, ctx.user_id):
        if ctx.user.birth_year is None and mine:
            lines.append(year_in_use_message(ctx))
    elif ctx.user.birth_year is None and mine:
        lines.append(birth_year_note(ctx))
        buttons.append([Button(_("Add my year of birth"), act("ws.birth"))])
    elif ctx.user.birth_year is not None:
        label = _("Correct my year of birth ({year})").format(year=ctx.user.birth_year)
        buttons.append([Button(label, act("ws.birth"))])
    buttons.append([all_workshops_button()])
    return Reply("\n\n".join(lines), buttons=buttons, personal=True)


def _place_buttons(ctx: Context, place: MyPlace) -> list[Button]:
    # A workshop that is over has nothing left to confirm, cancel or put in a calendar.
    if place.over:
        return []
    registration, city = place.registration, ctx.content.city_name(place.workshop.city)
    row = []
    if registration.status == RegistrationStatus.OFFERED:
        row.append(Button(_("Confirm: {city}").format(city=city), act("ws.accept", registration.id)))
    if registration.status == RegistrationStatus.CONFIRMED and place.workshop.starts_at is not None:
        row.append(Button(_("Calendar: {city}").format(city=city), act("ws.ics", place.workshop.id)))
    if registration.attended_at is None:
        row.append(Button(_("Cancel: {city}").format(city=city), act("ws.cancel", registration.id)))
    return row


async def _refuse_if_year_in_use(ctx: Context) -> None:
    if await signups.birth_year_in_use(uow_of(ctx), ctx.user_id):
        raise UserError(year_in_use_message(ctx), [[mine_button()]])


@router.action("ws.birth")
async def birth_decades(ctx: Context) -> Reply:
    """Add or correct the year of birth (from /mysignups), while no record rests on it."""
    await _refuse_if_year_in_use(ctx)
    await signups.ask_birth_year(uow_of(ctx), ctx.user_id, None, ctx.now())
    text = _("In which year were you born?") + "\n" + type_it_hint()
    return Reply(text, buttons=decade_buttons(ctx, "ws.bdecade"), personal=True)


@router.action("ws.bdecade")
async def birth_years(ctx: Context) -> Reply:
    await _refuse_if_year_in_use(ctx)
    return Reply(
        _("In which year were you born?"), buttons=year_buttons(ctx, button_arg(ctx), "ws.byear"), personal=True
    )


@router.action("ws.byear")
async def birth_year(ctx: Context) -> Reply:
    return await save_birth_year(ctx, valid_year(ctx, button_arg(ctx)))


async def save_birth_year(ctx: Context, year: int) -> Reply:
    if not await signups.save_birth_year(uow_of(ctx), ctx.user_id, year):
        raise UserError(year_in_use_message(ctx), [[mine_button()]])
    return Reply(
        _("Thank you: your year of birth ({year}) is saved.").format(year=year),
        buttons=[[mine_button()]],
        personal=True,
    )


def _registration_arg(ctx: Context) -> int | None:
    return parse_id(button_arg(ctx))


@router.action("ws.cancel")
@refusals
async def cancel(ctx: Context) -> Reply:
    registration, workshop = await signups.cancellable(uow_of(ctx), _registration_arg(ctx), ctx.user_id, ctx.now())
    return Reply(
        _("Cancel your place at the workshop in {city} ({when})? This cannot be undone.").format(
            city=esc(ctx.content.city_name(workshop.city)), when=short_when(workshop)
        ),
        buttons=[
            [Button(_("Yes, cancel it"), act("ws.cancel_yes", registration.id))],
            [Button(_("No, keep it"), act("cmd", "mysignups"))],
        ],
        personal=True,
    )


@router.action("ws.cancel_yes")
@refusals
async def cancel_confirmed(ctx: Context) -> Reply:
    _registration, workshop = await signups.cancel(
        uow_of(ctx),
        _registration_arg(ctx),
        ctx.user_id,
        ctx.now(),
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    return Reply(
        _("Your registration for the workshop in {city} is cancelled.").format(
            city=esc(ctx.content.city_name(workshop.city))
        ),
        buttons=[[mine_button(), all_workshops_button()]],
        personal=True,
    )


@router.action("ws.accept")
@refusals
async def accept(ctx: Context) -> Reply:
    _registration, workshop = await signups.confirm_offer(uow_of(ctx), _registration_arg(ctx), ctx.user_id, ctx.now())
    return Reply(
        confirmed_text(workshop, ctx.content.city_names),
        buttons=[[mine_button()]],
        files=[calendar_file(workshop, ctx.now(), ctx.content)],
        personal=True,
    )


@router.action("ws.ics")
async def ics(ctx: Context) -> Reply:
    try:
        workshop = await views.calendar_workshop(uow_of(ctx), workshop_arg(ctx))
    except WorkshopCancelled as cancelled:
        raise UserError(
            _("The workshop in {city} has been cancelled, so there is no calendar file.").format(
                city=esc(ctx.content.city_name(cancelled.city))
            )
        ) from None
    except WorkshopRefusal as refusal:
        raise refused(refusal) from None
    return Reply(
        _("The calendar file for the workshop in {city}.").format(city=esc(ctx.content.city_name(workshop.city))),
        files=[calendar_file(workshop, ctx.now(), ctx.content)],
    )
