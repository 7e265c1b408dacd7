"""Reminders people choose: weekly study reminders, their time zone, and which kinds of message they want."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc, link
from bot.core.router import Router
from bot.core.text import parse_id
from bot.domain import reminders as rules
from bot.domain.timing import parse_weekly, weekdays_text, zone_or_none
from bot.domain.zone_names import UnknownZone, check_zone
from bot.i18n import N_, _, format_moment, ngettext, use_locale, zone_label
from bot.places.zones import find_place_zones
from bot.services import reminders as service
from bot.services.reminders import ReminderView, ZoneSource

if TYPE_CHECKING:
    from bot.content import Content
    from bot.services.study_messages import StudyNote

router = Router()
# Zones to suggest first, by the language a person uses; anything else can be typed (a city or an IANA name).
SUGGESTED_ZONES: dict[str, tuple[str, ...]] = {
    "en": ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"),
    "it": ("Europe/Rome",),
    "de": ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich"),
    "fr": ("Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Africa/Dakar"),
    "ar": ("Africa/Cairo", "Asia/Riyadh", "Asia/Dubai", "Africa/Casablanca"),
    "ko": ("Asia/Seoul",),
    "zh": ("Asia/Shanghai", "Asia/Taipei", "Asia/Hong_Kong"),
}
KIND_LABELS = {
    "workshop": N_("Workshop reminders"),
    "study": N_("Study reminders"),
    "nudge": N_("Nudges when I pause the course"),
}


def _zone_arg(zone: str) -> str:
    # Action arguments cannot carry "/"; no IANA name contains ".", so it round-trips.
    return zone.replace("/", ".")


def find_zones(text: str, extra: Iterable[tuple[str, str]] = ()) -> tuple[list[str], bool]:
    """An IANA name typed in any case ("europe/rome"), else a place in any of our languages ("milano", "서울").

    Returns the zones and whether the match is exact: an exact single zone is set at once, anything else is
    offered as buttons.
    """
    typed = text.strip()
    if "/" in typed and zone_or_none(typed) is not None:
        return [typed], True
    if typed.casefold() == "utc":
        return ["UTC"], True
    if "/" in typed:
        by_folded = {z.casefold(): z for z in available_timezones()}
        known = by_folded.get(typed.casefold().replace(" ", "_"))
        return ([known], True) if known else ([], False)
    return find_place_zones(typed, extra)


def _workshop_places(ctx: Context) -> list[tuple[str, str]]:
    # The workshop cities are places people are likely to name even where CLDR has no city of that zone (Milan).
    return [(seed.city, seed.timezone) for seed in ctx.content.workshops.workshops]


async def _set_zone(ctx: Context, zone: str) -> Reply:
    # Existing study reminders keep their local time in the new zone.
    try:
        await service.set_time_zone(ctx.unit_of_work, ctx.user_id, zone, now=ctx.now())
    except rules.UnknownTimeZone:
        raise UserError(_("I don't know the time zone “{zone}”.").format(zone=esc(zone[:64]))) from None
    return Reply(
        _("Your time zone is now {zone}. It is {time} there.").format(
            zone=esc(zone), time=format_moment(ctx.now(), zone)
        ),
        edit=True,
    )


@router.command("timezone", args_hint="Europe/Rome")
async def timezone(ctx: Context) -> Reply:
    """Set your time zone (a city or an IANA name such as Europe/Rome) for reminders."""
    typed = check_zone(ctx.text)
    if isinstance(typed, UnknownZone) and typed.is_folder:
        # "Europe" alone is a natural first try: offer the zones in it rather than "no such zone".
        choices = [Button(zone, act("tz", _zone_arg(zone))) for zone in typed.suggestions]
        return Reply(
            _("“{region}” has many time zones. Choose yours, or send /timezone with your city.").format(
                region=esc(typed.name)
            ),
            buttons=[choices[i : i + 3] for i in range(0, len(choices), 3)],
        )
    if ctx.text:
        found, exact = find_zones(ctx.text, _workshop_places(ctx))
        if exact and len(found) == 1:
            return await _set_zone(ctx, found[0])
        if not found:
            raise UserError(
                _("I found no time zone for “{text}”. Try a big city near you, or a name like Europe/Rome.").format(
                    text=esc(ctx.text[:64])
                )
            )
        options = found
    else:
        options = list(SUGGESTED_ZONES.get(ctx.locale, SUGGESTED_ZONES["en"]))
    current = ctx.user.timezone
    text = _("Your time zone: {zone}.").format(zone=esc(current)) if current else _("You have not set a time zone.")
    buttons = [[Button(zone_label(zone), act("tz", _zone_arg(zone)))] for zone in options]
    return Reply(text + "\n" + _("Choose one, or send /timezone with your city."), buttons=buttons)


def _zone_buttons(locale: str) -> list[list[Button]]:
    zones = SUGGESTED_ZONES.get(locale, SUGGESTED_ZONES["en"])
    return [[Button(zone_label(zone), act("tz", _zone_arg(zone)))] for zone in zones]


@router.action("tz")
async def timezone_pressed(ctx: Context) -> Reply:
    if len(ctx.args) != 1:
        raise UserError(_("That button is no longer valid. Here is the menu again."))
    return await _set_zone(ctx, ctx.args[0].replace(".", "/"))


def _days_text(days: Iterable[int], locale: str) -> str:
    chosen = set(days)
    return _("every day") if len(chosen) == 7 else weekdays_text(chosen, locale)


def _describe(ctx: Context, reminder: ReminderView) -> str:
    days = _days_text(reminder.weekdays, ctx.locale)
    state = _("paused") if reminder.paused else _("active")
    return f"#{reminder.id} {days} {reminder.at_local} ({state})"


async def _list(ctx: Context, prefix: str = "") -> Reply:
    reminders = await service.study_reminders(ctx.unit_of_work, ctx.user_id)
    lines = [prefix] if prefix else []
    if not reminders:
        lines.append(_("You have no study reminders. Set one like this: /remind mon,thu 19:00"))
        return Reply("\n".join(lines))
    lines.append(_("<b>Your study reminders</b> ({zone})").format(zone=esc(ctx.zone)))
    buttons = []
    for reminder in reminders:
        lines.append(_describe(ctx, reminder))
        toggle = (
            Button(_("Resume #{id}").format(id=reminder.id), act("remind.resume", reminder.id))
            if reminder.paused
            else Button(_("Pause #{id}").format(id=reminder.id), act("remind.pause", reminder.id))
        )
        buttons.append([toggle, Button(_("Remove #{id}").format(id=reminder.id), act("remind.remove", reminder.id))])
    lines.append(_("Add another: /remind mon,thu 19:00"))
    return Reply("\n".join(lines), buttons=buttons, personal=True)


async def _change(ctx: Context, verb: str, raw: str) -> Reply:
    reminder_id = parse_id(raw)
    try:
        if reminder_id is None:
            raise rules.NoSuchReminder(0)
        if verb == "remove":
            await service.remove_reminder(ctx.unit_of_work, ctx.user_id, reminder_id)
            return await _list(ctx, _("Removed reminder #{id}.").format(id=reminder_id))
        if verb == "pause":
            await service.pause_reminder(ctx.unit_of_work, ctx.user_id, reminder_id)
        else:
            await service.resume_reminder(ctx.unit_of_work, ctx.user_id, reminder_id, zone=ctx.zone, now=ctx.now())
    except rules.NoSuchReminder:
        raise UserError(_("You have no study reminder #{id}.").format(id=esc(raw[:12]))) from None
    return await _list(ctx)


@router.command("remind", args_hint="mon,thu 19:00")
async def remind(ctx: Context) -> Reply:
    """Weekly study reminders: /remind mon,thu 19:00 — or list, pause N, resume N, remove N."""
    text = ctx.text.strip()
    verb, _sep, rest = text.partition(" ")
    if not text or verb.lower() == "list":
        return await _list(ctx)
    if verb.lower() in ("pause", "resume", "remove"):
        return await _change(ctx, verb.lower(), rest.strip().lstrip("#"))
    parsed = parse_weekly(text, ctx.locale)
    if parsed is None:
        raise UserError(
            _("I could not read “{text}”. Write days and a time, for example: /remind mon,thu 19:00").format(
                text=esc(text[:80])
            )
        )
    days, at = parsed
    try:
        added = await service.add_study_reminder(
            ctx.unit_of_work,
            ctx.user_id,
            days,
            at,
            now=ctx.now(),
            zone=ctx.zone,
            venue_zone=ctx.user.venue_zone,
            locale=ctx.locale,
        )
    except rules.TooManyReminders as refused:
        raise UserError(
            ngettext(
                "You already have {n} study reminder; remove one first.",
                "You already have {n} study reminders; remove one first.",
                refused.limit,
            ).format(n=refused.limit)
        ) from None
    reminder, zone_name = added.reminder, added.zone
    assert reminder.next_due_at is not None
    note = _("Done: {days} at {time} ({zone}). Next: {next}.").format(
        days=_days_text(days, ctx.locale),
        time=reminder.at_local,
        zone=esc(zone_name),
        next=format_moment(reminder.next_due_at, zone_name),
    )
    if added.zone_source is ZoneSource.CHOSEN:
        return Reply(note, personal=True)
    if added.zone_source is ZoneSource.GUESSED:
        asked = _("I used {zone} for your reminders; change it with /timezone.").format(zone=esc(zone_name))
        return Reply(note + "\n" + asked, personal=True)
    asked = _("Which time zone are you in? I used {zone} for now; choose yours:").format(zone=esc(zone_name))
    return Reply(note + "\n" + asked, buttons=_zone_buttons(ctx.locale), personal=True)


@router.action("remind.pause")
async def pause_pressed(ctx: Context) -> Reply:
    return await _change(ctx, "pause", ctx.args[0] if ctx.args else "")


@router.action("remind.resume")
async def resume_pressed(ctx: Context) -> Reply:
    return await _change(ctx, "resume", ctx.args[0] if ctx.args else "")


@router.action("remind.remove")
async def remove_pressed(ctx: Context) -> Reply:
    return await _change(ctx, "remove", ctx.args[0] if ctx.args else "")


async def _notifications(ctx: Context) -> Reply:
    choices = await service.notification_choices(ctx.unit_of_work, ctx.user_id)
    lines = [_("<b>Messages I send you</b>")]
    buttons = []
    for kind, label in KIND_LABELS.items():
        on = choices[kind]
        lines.append(f"{'✅' if on else '🚫'} {_(label)}")
        verb = _("Turn off: {what}") if on else _("Turn on: {what}")
        buttons.append([Button(verb.format(what=_(label)), act("notif", kind, "0" if on else "1"))])
    lines.append(
        _("Quiet hours: {hours} (your time); reminders due then wait until morning.").format(
            hours=esc(ctx.settings.quiet_hours)
        )
    )
    return Reply("\n".join(lines), buttons=buttons, edit=ctx.event.action is not None)


@router.command("notifications")
async def notifications(ctx: Context) -> Reply:
    """Choose which reminders I send you."""
    return await _notifications(ctx)


@router.action("notif")
async def notification_pressed(ctx: Context) -> Reply:
    if len(ctx.args) != 2 or ctx.args[1] not in ("0", "1"):
        raise UserError(_("That button is no longer valid. Here is the menu again."))
    try:
        await service.set_notification(ctx.unit_of_work, ctx.user_id, ctx.args[0], ctx.args[1] == "1")
    except rules.UnknownNotificationKind:
        raise UserError(_("That button is no longer valid. Here is the menu again.")) from None
    return await _notifications(ctx)


# -- what the clock sends about the course (bot/services/study_messages.py's writer) ------------------------------


def study_message(content: Content, note: StudyNote, language: str) -> Reply:
    """A study reminder the person set, or a nudge after a pause, with the next lecture to watch."""
    with use_locale(language):
        headline = (
            _("⏰ Time to study!") if note.kind == "reminder" else _("👋 It has been a while since your last lecture.")
        )
        course_link = link(str(content.program.course.url))
        lecture = content.lecture(note.next_lecture) if note.next_lecture else None
        if lecture is None:
            line = _("You have watched every lecture. The course is at {link}.").format(link=course_link)
        else:
            line = _("Next lecture: {key} “{title}” — {link}").format(
                key=lecture.key, title=esc(lecture.title), link=course_link
            )
        return Reply(headline + "\n" + line)
