"""Workshops for participants: the list, a workshop's page, sign-up, my sign-ups, cancel, offers and check-in.

Every button carries ids from the client; each handler re-reads the workshop or registration and refuses what
is not allowed now (the domain rules live in storage/workshops.py).
"""

from __future__ import annotations

from bot.certificates.rules import YOUNGEST_AGE, plausible_birth_year
from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.core.text import is_number, parse_id
from bot.i18n import _, ngettext
from handlers.menu import back_to_menu, command_button
from handlers.start import register_deep_link
from handlers.workshop_views import (
    calendar_file,
    card,
    context_notifier,
    list_entry,
    moment_text,
    short_when,
    where_line,
)
from storage import workshops as ws
from storage.models import Registration, Workshop

router = Router()


def hours_text(hours: int) -> str:
    return ngettext("{n} hour", "{n} hours", hours).format(n=hours)


register_deep_link("ws", "ws.show")
register_deep_link("ci", "ws.checkin")

# Years of birth offered as buttons: people between 10 and 100 years old (an older year can be typed).
MIN_AGE, MAX_AGE = YOUNGEST_AGE, 100
# Other workshops suggested when one is full: a few, not the whole list (that is /workshops).
MAX_SUGGESTIONS = 4


def _arg(ctx: Context, index: int = 0) -> str:
    if len(ctx.args) <= index:
        raise UserError(_("That button is no longer valid. Send /workshops to start again."))
    return ctx.args[index]


async def _expire(ctx: Context, workshop_id: int | None = None) -> None:
    await ws.expire_offers(
        ctx.session,
        ctx.now(),
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
        workshop_id=workshop_id,
    )


def _all_workshops_button() -> Button:
    return command_button("workshops", _("All workshops"))


def _mine_button() -> Button:
    return command_button("mysignups", _("My sign-ups"))


@router.command("workshops")
async def workshops(ctx: Context) -> Reply:
    """The in-person workshops: dates, seats and sign-up."""
    await _expire(ctx)
    items = await ws.list_workshops(ctx.session)
    if not items:
        return Reply(_("No workshops are planned yet."), buttons=[back_to_menu()])
    seats = await ws.seat_counts(ctx.session, items)
    now = ctx.now()
    # "Your time" only for someone who set a zone: a default zone would show a time that is nobody's.
    zone = ctx.user.timezone
    blocks = [
        _("<b>In-person workshops</b>: “{title}”. Choose one to see it or sign up.").format(
            title=esc(ctx.content.workshops.title)
        )
    ]
    buttons = []
    for workshop in items:
        status = ws.display_status(workshop, seats[workshop.id], now)
        blocks.append(list_entry(workshop, seats[workshop.id], status, zone, ctx.content.city_names))
        buttons.append(Button(ctx.content.city_name(workshop.city), act("ws.show", workshop.id)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_mine_button(), *back_to_menu()])
    return Reply("\n\n".join(blocks), buttons=rows)


@router.action("ws.show")
async def show(ctx: Context) -> Reply:
    workshop = await ws.workshop_or_refuse(ctx.session, _arg(ctx))
    await _expire(ctx, workshop.id)
    seats = (await ws.seat_counts(ctx.session, [workshop]))[workshop.id]
    status = ws.display_status(workshop, seats, ctx.now())
    text = card(workshop, seats, status, ctx.user.timezone, ctx.content.city_names)
    mine = await ws.registration_of(ctx.session, workshop.id, ctx.user_id)
    buttons: list[list[Button]] = []
    if mine is not None and mine.status != ws.CANCELLED:
        text += "\n\n" + await _my_status(ctx, mine, workshop)
        buttons.append([_mine_button()])
    elif status in ("open", "tba", "full"):
        label = {"open": _("Sign up"), "tba": _("Pre-register"), "full": _("Join the waiting list")}[status]
        buttons.append([Button(label, act("ws.signup", workshop.id))])
    buttons.append([_all_workshops_button()])
    return Reply(text, buttons=buttons)


async def _my_status(ctx: Context, registration: Registration, workshop: Workshop) -> str:
    if registration.attended_at is not None:
        return _("You attended this workshop.")
    if ws.is_past(workshop, ctx.now()):
        return _("This workshop has taken place.")
    if registration.status == ws.CONFIRMED:
        return _("Your place is confirmed.")
    if registration.status == ws.OFFERED and registration.offer_expires_at is not None:
        zone = ctx.zone
        return _("A seat is offered to you: confirm it by {deadline} ({zone}).").format(
            deadline=moment_text(registration.offer_expires_at, zone), zone=zone
        )
    position = await ws.waitlist_position(ctx.session, registration)
    if registration.status == ws.PREREGISTERED:
        return _("You are pre-registered (number {position}); places are confirmed in this order.").format(
            position=position
        )
    return _("You are number {position} on the waiting list.").format(position=position)


async def _open_workshop(ctx: Context) -> Workshop:
    workshop = await ws.workshop_or_refuse(ctx.session, _arg(ctx))
    ws.refuse_unless_open(workshop, ctx.now())
    mine = await ws.registration_of(ctx.session, workshop.id, ctx.user_id)
    if mine is not None and mine.status != ws.CANCELLED:
        raise UserError(_("You are already registered for this workshop."), [[_mine_button()]])
    return workshop


@router.action("ws.signup")
async def signup(ctx: Context) -> Reply:
    workshop = await _open_workshop(ctx)
    text = "\n".join(
        [
            _("<b>Sign up for the workshop in {city}</b>").format(city=esc(ctx.content.city_name(workshop.city))),
            _(
                "To register you I store your registration (this workshop, when you signed up, whether you "
                "attend) with your name on this platform, and your year of birth if you give it. The WeGO "
                "Secretariat uses them only to run the workshop and issue its certificate."
            ),
            _("Do you agree?"),
        ]
    )
    return Reply(
        text,
        buttons=[
            [Button(_("I agree"), act("ws.consent", workshop.id))],
            [Button(_("No, thanks"), act("ws.show", workshop.id))],
        ],
        personal=True,
    )


def _birth_year_note(ctx: Context) -> str:
    age = ctx.content.program.certificates.workshop_age_limit
    return _(
        "The workshop certificate is for attendees under {age}; your year of birth lets the team check that. "
        "If you skip it you can still take part, but the certificate cannot be issued to you until you add "
        "it (you can, any time, from /mysignups)."
    ).format(age=age)


def _decade_buttons(ctx: Context, action: str, *prefix: object) -> list[list[Button]]:
    year = ctx.now().year
    first, last = (year - MAX_AGE) // 10 * 10, (year - MIN_AGE) // 10 * 10
    buttons = [Button(f"{decade}–{decade + 9}", act(action, *prefix, decade)) for decade in range(last, first - 1, -10)]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


def _year_buttons(ctx: Context, raw_decade: str, action: str, *prefix: object) -> list[list[Button]]:
    decade = int(raw_decade) if is_number(raw_decade) else 0
    now = ctx.now().year
    years = [y for y in range(decade, decade + 10) if now - MAX_AGE <= y <= now - MIN_AGE]
    if decade % 10 or not years:
        raise UserError(_("That button is no longer valid. Send /workshops to start again."))
    buttons = [Button(str(y), act(action, *prefix, y)) for y in years]
    return [buttons[i : i + 5] for i in range(0, len(buttons), 5)]


def _type_it_hint() -> str:
    return _("You can also type the year, for example 1999.")


def _year_in_use_message(ctx: Context) -> str:
    return _(
        "Your year of birth can no longer be added or changed here: your workshop attendance and its certificate "
        "rest on it. To add or correct it, please write to the WeGO Secretariat at {email}."
    ).format(email=esc(ctx.content.program.contact.email))


@router.action("ws.consent")
async def consent(ctx: Context) -> list[Reply] | Reply:
    workshop = await _open_workshop(ctx)
    if ctx.user.birth_year is not None or await ws.birth_year_in_use(ctx.session, ctx.user_id):
        return await _join(ctx, workshop.id, year=None)
    # A year typed next answers this question (for this workshop).
    await ws.ask_birth_year(ctx.session, ctx.user_id, workshop.id, ctx.now())
    buttons = _decade_buttons(ctx, "ws.decade", workshop.id)
    buttons.append([Button(_("Skip"), act("ws.join", workshop.id, "skip"))])
    text = "\n".join([_("In which year were you born?"), _birth_year_note(ctx), _type_it_hint()])
    return Reply(text, buttons=buttons, personal=True)


@router.action("ws.decade")
async def decade(ctx: Context) -> Reply:
    workshop = await _open_workshop(ctx)
    buttons = _year_buttons(ctx, _arg(ctx, 1), "ws.join", workshop.id)
    buttons.append([Button(_("Skip"), act("ws.join", workshop.id, "skip"))])
    return Reply(_("In which year were you born?"), buttons=buttons, personal=True)


def _valid_year(ctx: Context, raw: str) -> int:
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


@router.action("ws.join")
async def join(ctx: Context) -> list[Reply] | Reply:
    workshop_id = parse_id(_arg(ctx))
    choice = _arg(ctx, 1)
    return await _join(ctx, workshop_id, year=None if choice == "skip" else _valid_year(ctx, choice))


@router.text
async def typed_birth_year(ctx: Context) -> list[Reply] | Reply | None:
    """A year typed right after the assistant asked for it; any other text goes on to the next handler."""
    text = ctx.text.strip()
    if not (text.isdecimal() and len(text) <= 8):
        return None
    prompt = await ws.open_birth_year_prompt(ctx.session, ctx.user_id, ctx.now())
    if prompt is None:
        return None
    year = _valid_year(ctx, text)
    if prompt.workshop_id is not None:
        return await _join(ctx, prompt.workshop_id, year=year)
    return await _save_birth_year(ctx, year)


async def _join(ctx: Context, workshop_id: int | None, *, year: int | None) -> list[Reply] | Reply:
    """Sign up; `year` is the year of birth given on the way, saved only if none is known yet.

    A year pressed on an old button (or typed) when the year is already known changes nothing: correcting it is
    its own flow (/mysignups), and not possible once a record rests on it.
    """
    if workshop_id is None:
        raise UserError(_("There is no workshop with that number. Send /workshops to see them."))
    try:
        registration = await ws.sign_up(
            ctx.session,
            workshop_id,
            ctx.user_id,
            ctx.now(),
            notify=context_notifier(ctx),
            offer_hours=ctx.settings.waitlist_offer_hours,
        )
    except ws.AlreadyRegistered as already:
        # A double press: the first press registered; this one says so and changes nothing (the year included).
        await ws.forget_birth_year_prompt(ctx.session, ctx.user_id)
        status = await _my_status(ctx, already.registration, await ctx.session.get_one(Workshop, workshop_id))
        return Reply(already.message + "\n" + status, buttons=[[_mine_button()]])
    await ws.forget_birth_year_prompt(ctx.session, ctx.user_id)
    year_note = ""
    if ctx.user.birth_year is None:
        if await ws.birth_year_in_use(ctx.session, ctx.user_id):
            year_note = _year_in_use_message(ctx)
        elif year is None:
            year_note = _birth_year_note(ctx)
        else:
            await ws.set_birth_year(ctx.session, ctx.user_id, year)
    workshop = await ctx.session.get_one(Workshop, workshop_id)
    city = esc(ctx.content.city_name(workshop.city))
    lines: list[str] = []
    files = []
    buttons = [[_mine_button()]]
    if registration.status == ws.CONFIRMED:
        lines.append(
            _("You are confirmed for the workshop in {city} on {when}. The calendar file is attached.").format(
                city=city, when=short_when(workshop)
            )
            + "\n"
            + where_line(workshop, ctx.content.city_names)
        )
        files.append(calendar_file(workshop, ctx.now(), ctx.content))
    elif registration.status == ws.WAITLISTED:
        position = await ws.waitlist_position(ctx.session, registration)
        lines.append(
            _(
                "The workshop in {city} is full. You are number {position} on the waiting list. If a seat becomes "
                "free I will message you, and you will have {duration} to confirm it."
            ).format(city=city, position=position, duration=hours_text(ctx.settings.waitlist_offer_hours))
        )
        lines += await _alternatives(ctx, workshop.id, buttons)
    else:
        position = await ws.waitlist_position(ctx.session, registration)
        lines.append(
            _(
                "You are pre-registered for the workshop in {city} (number {position}). Its date is not announced "
                "yet; when it is, I will tell you, and places are confirmed in order of registration."
            ).format(city=city, position=position)
        )
    if year_note:
        lines.append(year_note)
    return Reply("\n\n".join(lines), buttons=buttons, files=files, personal=True)


async def _alternatives(ctx: Context, except_id: int, buttons: list[list[Button]]) -> list[str]:
    """Other workshops this person can still join: dated ones with a free seat, then undated ones (pre-registration).

    Full, closed, past and cancelled workshops, and those the person is already registered for, are not offered.
    Adds a button per suggestion to the front of `buttons`; returns the lines that introduce them.
    """
    mine = {r.workshop_id for r, _w in await ws.registrations_of_user(ctx.session, ctx.user_id)}
    others = [w for w in await ws.list_workshops(ctx.session) if w.id != except_id and w.id not in mine]
    seats = await ws.seat_counts(ctx.session, others)
    now = ctx.now()
    status = {w.id: ws.display_status(w, seats[w.id], now) for w in others}
    dated = [w for w in others if status[w.id] == "open"][:MAX_SUGGESTIONS]
    undated = [w for w in others if status[w.id] == "tba"][: MAX_SUGGESTIONS - len(dated)]
    lines = []
    if dated:
        lines.append(
            _("Other workshops with free seats: {cities}.").format(
                cities=esc(ctx.content.city_list([w.city for w in dated]))
            )
        )
    if undated:
        lines.append(
            _(
                "Not dated yet, open for pre-registration (places are confirmed in order when the date is set): "
                "{cities}."
            ).format(cities=esc(ctx.content.city_list([w.city for w in undated])))
        )
    buttons[:0] = [[Button(ctx.content.city_name(w.city), act("ws.show", w.id))] for w in [*dated, *undated]]
    return lines


@router.command("mysignups")
async def mysignups(ctx: Context) -> Reply:
    """Your workshop sign-ups: confirm, cancel or get the calendar file."""
    await _expire(ctx)
    mine = await ws.registrations_of_user(ctx.session, ctx.user_id)
    buttons: list[list[Button]] = []
    if not mine:
        lines = [_("You have not signed up for any workshop yet.")]
    else:
        lines = [_("<b>Your workshops</b>")]
        for registration, workshop in mine:
            lines.append(
                f"• <b>{esc(ctx.content.city_name(workshop.city))}</b> — {short_when(workshop)}\n"
                f"  {await _my_status(ctx, registration, workshop)}"
            )
            row = []
            # A workshop that is over has nothing left to confirm, cancel or put in a calendar.
            if not ws.is_past(workshop, ctx.now()):
                if registration.status == ws.OFFERED:
                    label = _("Confirm: {city}").format(city=ctx.content.city_name(workshop.city))
                    row.append(Button(label, act("ws.accept", registration.id)))
                if registration.status == ws.CONFIRMED and workshop.starts_at is not None:
                    row.append(
                        Button(
                            _("Calendar: {city}").format(city=ctx.content.city_name(workshop.city)),
                            act("ws.ics", workshop.id),
                        )
                    )
                if registration.attended_at is None:
                    row.append(
                        Button(
                            _("Cancel: {city}").format(city=ctx.content.city_name(workshop.city)),
                            act("ws.cancel", registration.id),
                        )
                    )
            if row:
                buttons.append(row)
    if await ws.birth_year_in_use(ctx.session, ctx.user_id):
        if ctx.user.birth_year is None and mine:
            lines.append(_year_in_use_message(ctx))
    elif ctx.user.birth_year is None and mine:
        lines.append(_birth_year_note(ctx))
        buttons.append([Button(_("Add my year of birth"), act("ws.birth"))])
    elif ctx.user.birth_year is not None:
        label = _("Correct my year of birth ({year})").format(year=ctx.user.birth_year)
        buttons.append([Button(label, act("ws.birth"))])
    buttons.append([_all_workshops_button()])
    return Reply("\n\n".join(lines), buttons=buttons, personal=True)


async def _refuse_if_year_in_use(ctx: Context) -> None:
    if await ws.birth_year_in_use(ctx.session, ctx.user_id):
        raise UserError(_year_in_use_message(ctx), [[_mine_button()]])


@router.action("ws.birth")
async def birth_decades(ctx: Context) -> Reply:
    """Add or correct the year of birth (from /mysignups), while no record rests on it."""
    await _refuse_if_year_in_use(ctx)
    await ws.ask_birth_year(ctx.session, ctx.user_id, None, ctx.now())
    text = _("In which year were you born?") + "\n" + _type_it_hint()
    return Reply(text, buttons=_decade_buttons(ctx, "ws.bdecade"), personal=True)


@router.action("ws.bdecade")
async def birth_years(ctx: Context) -> Reply:
    await _refuse_if_year_in_use(ctx)
    return Reply(_("In which year were you born?"), buttons=_year_buttons(ctx, _arg(ctx), "ws.byear"), personal=True)


@router.action("ws.byear")
async def birth_year(ctx: Context) -> Reply:
    return await _save_birth_year(ctx, _valid_year(ctx, _arg(ctx)))


async def _save_birth_year(ctx: Context, year: int) -> Reply:
    if not await ws.set_birth_year(ctx.session, ctx.user_id, year):
        raise UserError(_year_in_use_message(ctx), [[_mine_button()]])
    return Reply(
        _("Thank you: your year of birth ({year}) is saved.").format(year=year),
        buttons=[[_mine_button()]],
        personal=True,
    )


async def _own(ctx: Context) -> tuple[Registration, Workshop]:
    registration = await ws.own_registration(ctx.session, _arg(ctx), ctx.user_id)
    return registration, await ctx.session.get_one(Workshop, registration.workshop_id)


@router.action("ws.cancel")
async def cancel(ctx: Context) -> Reply:
    registration, workshop = await _own(ctx)
    ws.refuse_unless_cancellable(registration, workshop, ctx.now())
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
async def cancel_confirmed(ctx: Context) -> Reply:
    _registration, workshop = await ws.cancel_registration(
        ctx.session,
        _arg(ctx),
        ctx.user_id,
        ctx.now(),
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    return Reply(
        _("Your registration for the workshop in {city} is cancelled.").format(
            city=esc(ctx.content.city_name(workshop.city))
        ),
        buttons=[[_mine_button(), _all_workshops_button()]],
        personal=True,
    )


@router.action("ws.accept")
async def accept(ctx: Context) -> Reply:
    _registration, workshop = await ws.accept_offer(ctx.session, _arg(ctx), ctx.user_id, ctx.now())
    return Reply(
        _("You are confirmed for the workshop in {city} on {when}. The calendar file is attached.").format(
            city=esc(ctx.content.city_name(workshop.city)), when=short_when(workshop)
        )
        + "\n"
        + where_line(workshop, ctx.content.city_names),
        buttons=[[_mine_button()]],
        files=[calendar_file(workshop, ctx.now(), ctx.content)],
        personal=True,
    )


@router.action("ws.ics")
async def ics(ctx: Context) -> Reply:
    workshop = await ws.workshop_or_refuse(ctx.session, _arg(ctx))
    if workshop.status == "cancelled":
        raise UserError(
            _("The workshop in {city} has been cancelled, so there is no calendar file.").format(
                city=esc(ctx.content.city_name(workshop.city))
            )
        )
    if workshop.starts_at is None:
        raise UserError(_("This workshop has no date yet, so there is no calendar file."))
    return Reply(
        _("The calendar file for the workshop in {city}.").format(city=esc(ctx.content.city_name(workshop.city))),
        files=[calendar_file(workshop, ctx.now(), ctx.content)],
    )


async def _check_in(ctx: Context, code: str) -> Reply:
    # Refusals are replies, not errors: a wrong code must be counted (committed), not rolled back.
    result = await ws.check_in(ctx.session, code, ctx.user_id, ctx.now())
    workshop = result.workshop
    city = esc(ctx.content.city_name(workshop.city)) if workshop is not None else ""
    if result.kind == "checked_in":
        text = _("Welcome to the workshop in {city}! Your attendance is recorded.").format(city=city)
    elif result.kind in ("wrong_code", "paused"):
        text = _("That check-in code is not right. Please check it on the poster at the venue.")
        if result.kind == "paused":
            text = _("Too many wrong check-in codes.")
        if result.at is not None:
            minutes = max(1, -(-int((result.at - ctx.now()).total_seconds()) // 60))
            text += " " + ngettext(
                "Check-in is paused for you for {n} minute; the staff at the venue can also check you in.",
                "Check-in is paused for you for {n} minutes; the staff at the venue can also check you in.",
                minutes,
            ).format(n=minutes)
    elif result.kind == "cancelled":
        text = _("The workshop in {city} has been cancelled.").format(city=city)
    elif result.kind == "no_seat":
        text = _("You do not have a confirmed seat at this workshop, so I cannot check you in. Please ask the staff.")
    elif result.kind == "not_yet":
        assert workshop is not None and result.at is not None
        text = _(
            "Check-in for the workshop in {city} opens on {moment} ({zone}), one hour before the start. "
            "Send the code again then."
        ).format(city=city, moment=moment_text(result.at, workshop.timezone), zone=workshop.timezone)
    else:
        text = _("Check-in for the workshop in {city} closed when the workshop ended.").format(city=city)
    return Reply(text, personal=True)


@router.command("checkin", args_hint="CODE")
async def checkin(ctx: Context) -> Reply:
    """Check in at the workshop with the code shown at the venue."""
    if not ctx.text:
        raise UserError(_("Send the code shown at the venue, for example: /checkin K7M2QX"))
    return await _check_in(ctx, ctx.text.split()[0][:32])


@router.action("ws.checkin")
async def checkin_link(ctx: Context) -> Reply:
    return await _check_in(ctx, _arg(ctx)[:32])


async def workshop_in_city(ctx: Context, city: str | None) -> Reply | list[Reply] | None:
    """A free-text question about a workshop's date, venue, seats or status (bot/faq): the workshop's own card
    with its Sign up button when the question names its city (the English name content seeds it with), else
    the list of all workshops."""
    if city is not None:
        # By the seed's slug too: the stored city name may be edited or localised by staff.
        slugs = {seed.slug for seed in ctx.content.workshops.workshops if seed.city == city}
        found = [
            w for w in await ws.list_workshops(ctx.session) if w.slug in slugs or w.city.casefold() == city.casefold()
        ]
        if found:
            ctx.args = (str(found[0].id),)
            return await show(ctx)
    return await workshops(ctx)
