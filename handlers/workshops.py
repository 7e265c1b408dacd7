"""Workshops for participants: the list, a workshop's page and signing up (with the year of birth on the way).
Their own sign-ups are in workshops_mine.py, check-in in workshops_checkin.py.

Every button carries ids from the client; each handler parses them, calls a use case (bot/services/signups.py,
bot/services/workshops.py), which re-reads the workshop or registration and refuses what is not allowed now by
the rules in bot/domain/workshops.py, and words its result or refusal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.actions import act
from bot.core.context import Context
from bot.core.replies import Button, Reply, esc
from bot.core.router import Router
from bot.domain.workshop_refusals import AlreadyRegistered, NoSuchWorkshop
from bot.domain.workshops import JOINABLE, DisplayStatus, RegistrationStatus
from bot.i18n import _, ngettext
from bot.services import signups
from bot.services import workshops as views
from bot.services.signups import YearOutcome
from handlers.menu import back_to_menu
from handlers.workshop_views import (
    all_workshops_button,
    button_arg,
    calendar_file,
    card,
    confirmed_text,
    context_notifier,
    list_entry,
    mine_button,
    my_status,
    refusals,
    uow_of,
    workshop_arg,
)
from handlers.workshops_mine import (
    birth_year_note,
    decade_buttons,
    save_birth_year,
    type_it_hint,
    valid_year,
    year_buttons,
    year_in_use_message,
)

if TYPE_CHECKING:
    from bot.domain.workshop_info import WorkshopInfo

router = Router()


def hours_text(hours: int) -> str:
    return ngettext("{n} hour", "{n} hours", hours).format(n=hours)


router.deep_link("ws", "ws.show")

# Other workshops suggested when one is full: a few, not the whole list (that is /workshops).
MAX_SUGGESTIONS = 4


@router.command("workshops")
async def workshops(ctx: Context) -> Reply:
    """The in-person workshops: dates, seats and sign-up."""
    items = await views.overview(
        uow_of(ctx), ctx.now(), notify=context_notifier(ctx), offer_hours=ctx.settings.waitlist_offer_hours
    )
    if not items:
        return Reply(_("No workshops are planned yet."), buttons=[back_to_menu()])
    # "Your time" only for someone who set a zone: a default zone would show a time that is nobody's.
    zone = ctx.user.timezone
    blocks = [
        _("<b>In-person workshops</b>: “{title}”. Choose one to see it or sign up.").format(
            title=esc(ctx.content.workshops.title)
        )
    ]
    buttons = []
    for view in items:
        blocks.append(list_entry(view.workshop, view.seats, view.status, zone, ctx.content.city_names))
        buttons.append(Button(ctx.content.city_name(view.workshop.city), act("ws.show", view.workshop.id)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([mine_button(), *back_to_menu()])
    return Reply("\n\n".join(blocks), buttons=rows)


@router.action("ws.show")
@refusals
async def show(ctx: Context) -> Reply:
    page = await views.workshop_page(
        uow_of(ctx),
        workshop_arg(ctx),
        ctx.user_id,
        ctx.now(),
        notify=context_notifier(ctx),
        offer_hours=ctx.settings.waitlist_offer_hours,
    )
    workshop, status = page.view.workshop, page.view.status
    text = card(workshop, page.view.seats, status, ctx.user.timezone, ctx.content.city_names)
    buttons: list[list[Button]] = []
    if page.mine is not None:
        text += "\n\n" + my_status(ctx, page.mine)
        buttons.append([mine_button()])
    elif status in JOINABLE:
        label = {
            DisplayStatus.OPEN: _("Sign up"),
            DisplayStatus.TBA: _("Pre-register"),
            DisplayStatus.FULL: _("Join the waiting list"),
        }[status]
        buttons.append([Button(label, act("ws.signup", workshop.id))])
    buttons.append([all_workshops_button()])
    return Reply(text, buttons=buttons)


async def _open_workshop(ctx: Context) -> WorkshopInfo:
    return await signups.open_for(uow_of(ctx), workshop_arg(ctx), ctx.user_id, ctx.now())


@router.action("ws.signup")
@refusals
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


@router.action("ws.consent")
@refusals
async def consent(ctx: Context) -> list[Reply] | Reply:
    workshop_id = (await _open_workshop(ctx)).id
    if ctx.user.birth_year is not None or await signups.birth_year_in_use(uow_of(ctx), ctx.user_id):
        return await _join(ctx, workshop_id, year=None)
    # A year typed next answers this question (for this workshop).
    await signups.ask_birth_year(uow_of(ctx), ctx.user_id, workshop_id, ctx.now())
    buttons = decade_buttons(ctx, "ws.decade", workshop_id)
    buttons.append([Button(_("Skip"), act("ws.join", workshop_id, "skip"))])
    text = "\n".join([_("In which year were you born?"), birth_year_note(ctx), type_it_hint()])
    return Reply(text, buttons=buttons, personal=True)


@router.action("ws.decade")
@refusals
async def decade(ctx: Context) -> Reply:
    workshop_id = (await _open_workshop(ctx)).id
    buttons = year_buttons(ctx, button_arg(ctx, 1), "ws.join", workshop_id)
    buttons.append([Button(_("Skip"), act("ws.join", workshop_id, "skip"))])
    return Reply(_("In which year were you born?"), buttons=buttons, personal=True)


@router.action("ws.join")
@refusals
async def join(ctx: Context) -> list[Reply] | Reply:
    workshop_id = workshop_arg(ctx)
    choice = button_arg(ctx, 1)
    return await _join(ctx, workshop_id, year=None if choice == "skip" else valid_year(ctx, choice))


@router.text
@refusals
async def typed_birth_year(ctx: Context) -> list[Reply] | Reply | None:
    """A year typed right after the assistant asked for it; any other text goes on to the next handler."""
    text = ctx.text.strip()
    if not (text.isdecimal() and len(text) <= 8):
        return None
    prompt = await signups.pending_birth_year_question(uow_of(ctx), ctx.user_id, ctx.now())
    if prompt is None:
        return None
    year = valid_year(ctx, text)
    if prompt.workshop_id is not None:
        return await _join(ctx, prompt.workshop_id, year=year)
    return await save_birth_year(ctx, year)


async def _join(ctx: Context, workshop_id: int | None, *, year: int | None) -> list[Reply] | Reply:
    """Sign up; `year` is the year of birth given on the way, which the sign-up saves only if it happens and no
    year is known yet: a year pressed on an old button (or typed) for someone already registered changes
    nothing, and correcting a known year is its own flow (/mysignups)."""
    if workshop_id is None:
        raise NoSuchWorkshop(workshop_id)
    uow = uow_of(ctx)
    try:
        done = await signups.sign_up(
            uow,
            workshop_id,
            ctx.user_id,
            ctx.now(),
            notify=context_notifier(ctx),
            offer_hours=ctx.settings.waitlist_offer_hours,
            birth_year=year,
        )
    except AlreadyRegistered as already:
        # A double press: the first press registered; this one says so and changes nothing (the year included).
        await signups.forget_birth_year_question(uow, ctx.user_id)
        place = await views.my_place(uow, already.workshop_id, ctx.user_id, ctx.now())
        assert place is not None  # the refusal names this active registration
        text = _("You are already registered for this workshop.") + "\n" + my_status(ctx, place)
        return Reply(text, buttons=[[mine_button()]])
    workshop = done.workshop
    city = esc(ctx.content.city_name(workshop.city))
    lines: list[str] = []
    files = []
    buttons = [[mine_button()]]
    if done.registration.status == RegistrationStatus.CONFIRMED:
        lines.append(confirmed_text(workshop, ctx.content.city_names))
        files.append(calendar_file(workshop, ctx.now(), ctx.content))
    elif done.registration.status == RegistrationStatus.WAITLISTED:
        lines.append(
            _(
                "The workshop in {city} is full. You are number {position} on the waiting list. If a seat becomes "
                "free I will message you, and you will have {duration} to confirm it."
            ).format(city=city, position=done.number, duration=hours_text(ctx.settings.waitlist_offer_hours))
        )
        lines += await _alternatives(ctx, workshop.id, buttons)
    else:
        lines.append(
            _(
                "You are pre-registered for the workshop in {city} (number {position}). Its date is not announced "
                "yet; when it is, I will tell you, and places are confirmed in order of registration."
            ).format(city=city, position=done.number)
        )
    if done.year == YearOutcome.IN_USE:
        lines.append(year_in_use_message(ctx))
    elif done.year == YearOutcome.NOT_GIVEN:
        lines.append(birth_year_note(ctx))
    return Reply("\n\n".join(lines), buttons=buttons, files=files, personal=True)


async def _alternatives(ctx: Context, except_id: int, buttons: list[list[Button]]) -> list[str]:
    """Other workshops this person can still join; adds a button per suggestion to the front of `buttons` and
    returns the lines that introduce them."""
    dated, undated = await views.suggestions(uow_of(ctx), ctx.user_id, except_id, ctx.now(), MAX_SUGGESTIONS)
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


async def workshop_in_city(ctx: Context, city: str | None) -> Reply | list[Reply] | None:
    """A free-text question about a workshop's date, venue, seats or status (bot/faq): the workshop's own card
    with its Sign up button when the question names its city (the English name content seeds it with), else
    the list of all workshops."""
    if city is not None:
        # By the seed's slug too: the stored city name may be edited or localised by staff.
        slugs = {seed.slug for seed in ctx.content.workshops.workshops if seed.city == city}
        found = await views.workshops_in_city(uow_of(ctx), city, slugs)
        if found:
            ctx.args = (str(found[0].id),)
            return await show(ctx)
    return await workshops(ctx)
