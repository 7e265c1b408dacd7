"""How workshops look to people: times in two zones, statuses, the calendar file and the notices others receive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.core.actions import act
from bot.core.context import Context
from bot.core.replies import Attachment, Button, Reply, esc
from bot.i18n import N_, _, current_locale, format_date, ngettext
from bot.places.names import CityNames, city_name
from bot.settings import Settings
from storage.models import User, Workshop
from storage.workshops import DisplayStatus, Notice, Notify, Seats

STATUS_LABELS: dict[DisplayStatus, str] = {
    "tba": N_("date to be announced"),
    "open": N_("open"),
    "full": N_("full"),
    "closed": N_("registration closed"),
    "cancelled": N_("cancelled"),
    "past": N_("past"),
}


def moment_text(moment: datetime, zone: str) -> str:
    """`Sunday, 29 March 2026, 10:00` in `zone`, written the way the current language writes dates."""
    from babel.dates import format_time

    time = format_time(moment, format="short", tzinfo=ZoneInfo(zone), locale=current_locale())
    return _("{date}, {time}").format(date=format_date(moment, zone, "full"), time=time)


def when_lines(workshop: Workshop, user_zone: str | None) -> list[str]:
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


def short_when(workshop: Workshop) -> str:
    """The venue's date and time with the venue's zone named beside it, for one-line mentions of a workshop."""
    if workshop.starts_at is None:
        return _("date to be announced")
    return f"{moment_text(workshop.starts_at, workshop.timezone)} {workshop.timezone}"


def seats_text(status: DisplayStatus, seats: Seats) -> str:
    label = _(STATUS_LABELS[status])
    if status == "open":
        return ngettext(
            "{status} · {n} of {capacity} seats left", "{status} · {n} of {capacity} seats left", seats.free
        ).format(status=label, n=seats.free, capacity=seats.capacity)
    if status == "full":
        return ngettext(
            "{status} · {n} person on the waiting list", "{status} · {n} people on the waiting list", seats.waiting
        ).format(status=label, n=seats.waiting)
    if status == "tba":
        return ngettext(
            "{status} · {n} person pre-registered", "{status} · {n} people pre-registered", seats.preregistered
        ).format(status=label, n=seats.preregistered)
    return label


def where_line(workshop: Workshop, names: CityNames) -> str:
    """The venue and the city, or that the venue is not announced yet; `names`: `Content.city_names`."""
    if not workshop.venue:
        return _("Venue: to be announced")
    city = city_name(workshop.city, None, names)
    return _("Where: {venue}, {city}").format(venue=esc(workshop.venue), city=esc(city))


def card(workshop: Workshop, seats: Seats, status: DisplayStatus, user_zone: str | None, names: CityNames) -> str:
    title = f" — {esc(workshop.title)}" if workshop.title else ""
    lines = [f"<b>{esc(city_name(workshop.city, None, names))}</b>{title}"]
    if workshop.venue:
        lines.append(_("Venue: {venue}").format(venue=esc(workshop.venue)))
    else:
        lines.append(_("Venue: to be announced"))
    lines += when_lines(workshop, user_zone)
    lines.append(_("Status: {status}").format(status=seats_text(status, seats)))
    return "\n".join(lines)


def list_entry(workshop: Workshop, seats: Seats, status: DisplayStatus, user_zone: str | None, names: CityNames) -> str:
    """One workshop in the list: shorter than its page, but with both times and the seats."""
    lines = [f"<b>{esc(city_name(workshop.city, None, names))}</b> · {seats_text(status, seats)}"]
    if workshop.starts_at is not None:
        lines += when_lines(workshop, user_zone)
    return "\n".join(lines)


def calendar_file(workshop: Workshop, now: datetime, content: Content) -> Attachment:
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

    `zone` writes the offer's deadline; `own_zone`, the zone the person set (if any), adds "Your time";
    `names`: `Content.city_names`.
    """
    ws = notice.workshop
    reg = notice.registration
    city = esc(city_name(ws.city, None, names))
    when = "\n".join([*when_lines(ws, own_zone), where_line(ws, names)])
    calendar = [Button(_("Calendar file"), act("ws.ics", ws.id))]
    mine = [Button(_("My sign-ups"), act("cmd", "mysignups"))]
    if notice.kind == "offered":
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
    if notice.kind == "offer_expired":
        return Reply(
            _(
                "The seat offered to you at the workshop in {city} was not confirmed in time, so it went to the "
                "next person on the waiting list. You can sign up again from /workshops."
            ).format(city=city),
            personal=True,
        )
    if notice.kind == "date_confirmed":
        return Reply(
            _("The date of the workshop in {city} is set, and your place is confirmed.").format(city=city)
            + "\n"
            + when,
            buttons=[calendar, mine],
            personal=True,
        )
    if notice.kind == "date_waitlisted":
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
    if notice.kind == "rescheduled":
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


def _notice_kind(notice: Notice) -> str:
    return f"workshop.{notice.kind}"


def context_notifier(ctx: Context) -> Notify:
    """Notices from a chat event go through `ctx.notify`, in each recipient's language and zone."""

    async def notify(notice: Notice) -> None:
        own = await _own_zone(ctx.session, notice.user_id, ctx.settings)
        await ctx.notify(
            notice.user_id,
            _builder(notice, own, own, ctx.content.city_names),
            kind=_notice_kind(notice),
            ref_id=notice.registration.id,
        )

    return notify


def outbox_notifier(session: AsyncSession, settings: Settings, now: datetime, names: CityNames) -> Notify:
    """The same notices from the CLI or the scheduler, which have no chat context."""
    from storage.outbox import enqueue_for_user

    async def notify(notice: Notice) -> None:
        own = await _own_zone(session, notice.user_id, settings)
        await enqueue_for_user(
            session,
            notice.user_id,
            _builder(notice, own, own, names),
            kind=_notice_kind(notice),
            ref_id=notice.registration.id,
            not_before=now,
            default_locale=settings.default_language,
        )

    return notify


def _builder(notice: Notice, zone: str, own_zone: str | None, names: CityNames) -> Callable[[], Reply]:
    return lambda: notice_reply(notice, zone, own_zone, names)


async def _own_zone(session: AsyncSession, user_id: int, settings: Settings) -> str:
    """The recipient's zone by the one rule (scheduler/zones.py) that the chat and the clock use."""
    from scheduler.zones import person_zone_name

    user = await session.get(User, user_id)
    return await person_zone_name(session, user, settings.default_timezone, settings.default_language)
