"""How workshops look to people: times in two zones, statuses, the calendar file and the notices others receive."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.content import Content
from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import StorageUnavailable, UserError
from bot.core.replies import Attachment, Button, Reply, esc
from bot.domain.workshop_refusals import AlreadyRegistered, WorkshopRefusal
from bot.domain.workshops import DisplayStatus, NoticeKind, RegistrationStatus, Seats
from bot.i18n import N_, _, current_locale, format_date, ngettext, use_locale
from bot.places.names import CityNames, city_name
from bot.services.seats import Notice, Notify, outbox_notify
from bot.services.workshops import MyPlace
from bot.settings import Settings
from handlers.menu import command_button
from handlers.workshop_input import workshop_number
from handlers.workshop_refusals import answering_refusals

if TYPE_CHECKING:
    # Types only: the chat reaches storage through the services, never on its own.
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.domain.workshop_info import WorkshopInfo
    from bot.services.unit_of_work import UnitOfWork

STATUS_LABELS: dict[DisplayStatus, str] = {
    DisplayStatus.TBA: N_("date to be announced"),
    DisplayStatus.OPEN: N_("open"),
    DisplayStatus.FULL: N_("full"),
    DisplayStatus.CLOSED: N_("registration closed"),
    DisplayStatus.CANCELLED: N_("cancelled"),
    DisplayStatus.PAST: N_("past"),
}


def uow_of(ctx: Context) -> UnitOfWork:
    """The event's unit of work: every workshop use case runs in it, and it commits when the event is answered."""
    if ctx.uow is None:
        raise StorageUnavailable("this command needs the database")
    return ctx.uow


def button_arg(ctx: Context, index: int = 0) -> str:
    """The `index`-th id a pressed button carried; a button missing it is stale (or forged)."""
    if len(ctx.args) <= index:
        raise UserError(_("That button is no longer valid. Send /workshops to start again."))
    return ctx.args[index]


def workshop_arg(ctx: Context, index: int = 0) -> int | None:
    return workshop_number(button_arg(ctx, index))


def all_workshops_button() -> Button:
    return command_button("workshops", _("All workshops"))


def mine_button() -> Button:
    return command_button("mysignups", _("My sign-ups"))


def _help_after(refusal: WorkshopRefusal) -> list[list[Button]]:
    # Already registered: the way to see (or cancel) that registration.
    return [[mine_button()]] if isinstance(refusal, AlreadyRegistered) else []


# The participant handlers' refusals, worded, with the way on where there is one.
refusals = answering_refusals(_help_after)


def my_status(ctx: Context, place: MyPlace) -> str:
    """Where the person stands at a workshop: attended, confirmed, offered a seat, or their number in a queue."""
    registration = place.registration
    if registration.attended_at is not None:
        return _("You attended this workshop.")
    if place.over:
        return _("This workshop has taken place.")
    if registration.status == RegistrationStatus.CONFIRMED:
        return _("Your place is confirmed.")
    if registration.status == RegistrationStatus.OFFERED and registration.offer_expires_at is not None:
        zone = ctx.zone
        return _("A seat is offered to you: confirm it by {deadline} ({zone}).").format(
            deadline=moment_text(registration.offer_expires_at, zone), zone=zone
        )
    if registration.status == RegistrationStatus.PREREGISTERED:
        return _("You are pre-registered (number {position}); places are confirmed in this order.").format(
            position=place.number
        )
    return _("You are number {position} on the waiting list.").format(position=place.number)


def confirmed_text(workshop: WorkshopInfo, names: CityNames) -> str:
    """A seat confirmed (signed up, or an offer taken): when and where, with the calendar file beside it;
    `names`: `Content.city_names`."""
    return (
        _("You are confirmed for the workshop in {city} on {when}. The calendar file is attached.").format(
            city=esc(city_name(workshop.city, None, names)), when=short_when(workshop)
        )
        + "\n"
        + where_line(workshop, names)
    )


def moment_text(moment: datetime, zone: str) -> str:
    """`Sunday, 29 March 2026, 10:00` in `zone`, written the way the current language writes dates."""
    from babel.dates import format_time

    time = format_time(moment, format="short", tzinfo=ZoneInfo(zone), locale=current_locale())
    return _("{date}, {time}").format(date=format_date(moment, zone, "full"), time=time)


def when_lines(workshop: WorkshopInfo, user_zone: str | None) -> list[str]:
    if workshop.starts_at is None:
        return [_("When: date to be announced")]
    lines = [
        _("When: {moment} ({zone}, local time)").format(
            moment=moment_text(workshop.starts_at, workshop.timezone), zone=workshop.timezone
        )
    ]
    if user_zone and user_zone != workshop.timezone:
        lines.append(
            _("Your time: {moment} ({zone})").format(moment=moment_text(workshop.starts_at, user_zone), zone=user_zone)
        )
    return lines


def reminder(workshop: WorkshopInfo, user_zone: str, language: str, *, names: CityNames) -> Reply:
    """A workshop reminder (bot/services/workshop_reminders.py's writer, with `names` = `Content.city_names`): the
    venue's time with its zone, the person's own time beside it when it differs, and the address."""
    with use_locale(language):
        lines = [_("📅 Reminder: <b>{title}</b>").format(title=esc(workshop.title)), *when_lines(workshop, user_zone)]
        return Reply("\n".join([*lines, where_line(workshop, names)]))


def short_when(workshop: WorkshopInfo) -> str:
    """The venue's date and time with the venue's zone named beside it, for one-line mentions of a workshop."""
    if workshop.starts_at is None:
        return _("date to be announced")
    return f"{moment_text(workshop.starts_at, workshop.timezone)} {workshop.timezone}"


def seats_text(status: DisplayStatus, seats: Seats) -> str:
    label = _(STATUS_LABELS[status])
    if status == DisplayStatus.OPEN:
        return ngettext(
            "{status} · {n} of {capacity} seats left", "{status} · {n} of {capacity} seats left", seats.free
        ).format(status=label, n=seats.free, capacity=seats.capacity)
    if status == DisplayStatus.FULL:
        return ngettext(
            "{status} · {n} person on the waiting list", "{status} · {n} people on the waiting list", seats.waiting
        ).format(status=label, n=seats.waiting)
    if status == DisplayStatus.TBA:
        return ngettext(
            "{status} · {n} person pre-registered", "{status} · {n} people pre-registered", seats.preregistered
        ).format(status=label, n=seats.preregistered)
    return label


def where_line(workshop: WorkshopInfo, names: CityNames) -> str:
    """The venue and the city, or that the venue is not announced yet; `names`: `Content.city_names`."""
    if not workshop.venue:
        return _("Venue: to be announced")
    city = city_name(workshop.city, None, names)
    return _("Where: {venue}, {city}").format(venue=esc(workshop.venue), city=esc(city))


def card(workshop: WorkshopInfo, seats: Seats, status: DisplayStatus, user_zone: str | None, names: CityNames) -> str:
    title = f" — {esc(workshop.title)}" if workshop.title else ""
    lines = [f"<b>{esc(city_name(workshop.city, None, names))}</b>{title}"]
    if workshop.venue:
        lines.append(_("Venue: {venue}").format(venue=esc(workshop.venue)))
    else:
        lines.append(_("Venue: to be announced"))
    lines += when_lines(workshop, user_zone)
    lines.append(_("Status: {status}").format(status=seats_text(status, seats)))
    return "\n".join(lines)


def list_entry(
    workshop: WorkshopInfo, seats: Seats, status: DisplayStatus, user_zone: str | None, names: CityNames
) -> str:
    """One workshop in the list: shorter than its page, but with both times and the seats."""
    lines = [f"<b>{esc(city_name(workshop.city, None, names))}</b> · {seats_text(status, seats)}"]
    if workshop.starts_at is not None:
        lines += when_lines(workshop, user_zone)
    return "\n".join(lines)


def calendar_file(workshop: WorkshopInfo, now: datetime, content: Content) -> Attachment:
    """An RFC 5545 event with the venue's own zone (TZID + VTIMEZONE), so calendars keep it right across DST.

    It carries the address (LOCATION), the program's link (URL) and, in the person's language, what it is and how
    to cancel (DESCRIPTION): a calendar entry is often all someone looks at on the day.
    """
    from datetime import timedelta

    from icalendar import Calendar, Event

    assert workshop.starts_at is not None
    zone = ZoneInfo(workshop.timezone)
    start = workshop.starts_at.astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//WeGO Champions//Workshops//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"workshop-{workshop.id}@wego-champions")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=workshop.duration_minutes))
    event.add("summary", f"{workshop.title} — {content.city_name(workshop.city)}")
    event.add(
        "location",
        f"{workshop.venue}, {content.city_name(workshop.city)}" if workshop.venue else content.city_name(workshop.city),
    )
    url = str(content.program.course.url)
    event.add("url", url)
    description = [
        _("{program}: {title}, {city}.").format(
            program=content.program.name, title=workshop.title, city=content.city_name(workshop.city)
        ),
        _("To cancel, send /mysignups to the assistant and choose Cancel, so your seat goes to someone waiting."),
        _("Program: {link}").format(link=url),
        _("Questions: {contact}, {email}").format(
            contact=content.program.contact.name, email=content.program.contact.email
        ),
    ]
    event.add("description", "\n".join(description))
    calendar.add_component(event)
    # Only the years around the event: the whole zone history would make the file hundreds of lines long.
    calendar.add_missing_timezones(start.date().replace(month=1, day=1), start.date().replace(month=12, day=31))
    slug = "".join(c if c.isalnum() else "-" for c in workshop.city.lower())
    return Attachment(f"workshop-{slug}.ics", calendar.to_ical(), "text/calendar")


# ------------------------------------------------------------------------------------ notices to others


def notice_reply(notice: Notice, zone: str, own_zone: str | None, names: CityNames) -> Reply:
    """The message for `notice.user_id`, built in their language (the outbox sets the locale).

    `zone` writes the offer's deadline; `own_zone`, the zone the person set (if any), adds "Your time".
    """
    ws = notice.workshop
    reg = notice.registration
    city = esc(city_name(ws.city, None, names))
    when = "\n".join([*when_lines(ws, own_zone), where_line(ws, names)])
    calendar = [Button(_("Calendar file"), act("ws.ics", ws.id))]
    mine = [Button(_("My sign-ups"), act("cmd", "mysignups"))]
    if notice.kind == NoticeKind.OFFERED:
        assert reg.offer_expires_at is not None
        return Reply(
            _(
                "Good news: a seat is free at the workshop in {city}, and it is yours if you confirm it by "
                "{deadline} ({zone}). After that it passes to the next person on the waiting list."
            ).format(city=city, deadline=moment_text(reg.offer_expires_at, zone), zone=zone)
            + "\n"
            + when,
            buttons=[
                [Button(_("Confirm my seat"), act("ws.accept", reg.id))],
                [Button(_("I can't come"), act("ws.cancel", reg.id))],
            ],
            personal=True,
        )
    if notice.kind == NoticeKind.OFFER_EXPIRED:
        return Reply(
            _(
                "The seat offered to you at the workshop in {city} was not confirmed in time, so it went to the "
                "next person on the waiting list. You can sign up again from /workshops."
            ).format(city=city),
            personal=True,
        )
    if notice.kind == NoticeKind.DATE_CONFIRMED:
        return Reply(
            _("The date of the workshop in {city} is set, and your place is confirmed.").format(city=city)
            + "\n"
            + when,
            buttons=[calendar, mine],
            personal=True,
        )
    if notice.kind == NoticeKind.DATE_WAITLISTED:
        return Reply(
            _(
                "The date of the workshop in {city} is set. All seats went to earlier registrations; you are "
                "number {position} on the waiting list, and I will message you if a seat becomes free."
            ).format(city=city, position=notice.position)
            + "\n"
            + when,
            buttons=[mine],
            personal=True,
        )
    if notice.kind == NoticeKind.RESCHEDULED:
        return Reply(
            _("The workshop in {city} has a new date.").format(city=city) + "\n" + when,
            buttons=[calendar, mine],
            personal=True,
        )
    return Reply(
        _("We are sorry: the workshop in {city} ({when}) has been cancelled, and your registration with it.").format(
            city=city, when=short_when(ws)
        ),
        buttons=[[Button(_("Other workshops"), act("cmd", "workshops"))]],
        personal=True,
    )


def context_notifier(ctx: Context) -> Notify:
    """Notices from a chat event, queued in the event's unit of work, in each recipient's language and zone."""
    return outbox_notifier(ctx.session, ctx.settings, ctx.now(), ctx.content.city_names)


def outbox_notifier(session: AsyncSession, settings: Settings, now: datetime, names: CityNames) -> Notify:
    """The same notices from the CLI or the scheduler, which have no chat context; `names`:
    `Content.city_names`, so each recipient reads the city in their language."""

    def write(notice: Notice, zone: str, language: str) -> Reply:
        with use_locale(language):
            return notice_reply(notice, zone, zone, names)

    return outbox_notify(
        session,
        write,
        now,
        default_language=settings.default_language,
        default_timezone=settings.default_timezone,
    )
