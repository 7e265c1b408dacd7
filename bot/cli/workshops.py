"""`wego-bot workshop ...`: the staff's workshop desk from the shell, on the same domain code as the chat."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.places.names import CityNames, city_name
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.domain.workshop_input import WorkshopFields
    from bot.services.seats import Notify
    from bot.services.unit_of_work import UnitOfWork
    from bot.services.workshops import WorkshopView

FIELD_FLAGS = ("city", "title", "venue", "zone", "start", "duration", "capacity", "opens", "closes")


def _add_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--city")
    parser.add_argument("--title")
    parser.add_argument("--venue")
    parser.add_argument("--zone", help="IANA time zone of the venue, e.g. Europe/Rome")
    parser.add_argument("--start", help='venue time "YYYY-MM-DD HH:MM", or "tba"')
    parser.add_argument("--duration", help="minutes")
    parser.add_argument("--capacity")
    parser.add_argument("--opens", help='registration opens, venue time "YYYY-MM-DD HH:MM" (or "none")')
    parser.add_argument("--closes", help='registration closes, venue time "YYYY-MM-DD HH:MM" (or "none")')


def _pairs(args: argparse.Namespace) -> list[tuple[str, str]]:
    return [(name, str(getattr(args, name))) for name in FIELD_FLAGS if getattr(args, name, None) is not None]


def register(subparsers: Any) -> None:
    workshop = subparsers.add_parser("workshop", help="manage the in-person workshops")
    sub = workshop.add_subparsers(dest="workshop_command", required=True)

    sub.add_parser("list", help="all workshops with ids, seats and check-in codes")
    create = sub.add_parser("create", help="create a workshop")
    _add_fields(create)
    edit = sub.add_parser("edit", help="change a workshop (a new date tells everyone registered)")
    edit.add_argument("id")
    _add_fields(edit)
    set_date = sub.add_parser("set-date", help="set the date: everyone is told, pre-registrations confirmed in order")
    set_date.add_argument("id")
    set_date.add_argument("start", help='venue time "YYYY-MM-DD HH:MM"')
    close = sub.add_parser("close", help="close registration")
    close.add_argument("id")
    close.add_argument("--reopen", action="store_true", help="open registration again instead")
    cancel = sub.add_parser("cancel", help="cancel a workshop; everyone registered is told")
    cancel.add_argument("id")
    export = sub.add_parser("export", help="registrants as CSV (all workshops unless ids are given)")
    export.add_argument("ids", nargs="*")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    attend = sub.add_parser("attend", help="mark a participant as attended")
    attend.add_argument("id")
    attend.add_argument("user_id")
    sub.add_parser("counts", help="registered, waiting and attended per city")
    workshop.set_defaults(func=cmd_workshop, quiet=True)


def cmd_workshop(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.root import _with_app

    async def body(app: Any) -> int:
        return await _run(app, args, settings)

    return asyncio.run(_with_app(settings, body))


async def _run(app: Any, args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.errors import UserError
    from bot.core.replies import to_plain
    from bot.domain.workshop_refusals import NoSuchWorkshop, WorkshopRefusal
    from bot.i18n import _, use_locale
    from handlers.workshop_refusals import refusal_text

    command: Callable[[UnitOfWork, argparse.Namespace, Settings, datetime], Awaitable[str]] = COMMANDS[
        args.workshop_command
    ]
    with use_locale(settings.default_language):
        try:
            async with app.storage.unit_of_work() as uow:
                output = await command(uow, args, settings, datetime.now(UTC))
        except NoSuchWorkshop:
            # The chat's words point to /workshops, which staff at a terminal cannot send.
            print(
                _("There is no workshop with that number. Run `wego-bot workshop list` to see them."), file=sys.stderr
            )
            return 1
        except WorkshopRefusal as refusal:
            print(to_plain(refusal_text(refusal)), file=sys.stderr)
            return 1
        except UserError as refusal:
            print(to_plain(refusal.message), file=sys.stderr)
            return 1
    if output:
        print(output)
    return 0


def _describe(view: WorkshopView, names: CityNames) -> str:
    from bot.domain.workshops import checkin_code_for
    from bot.i18n import _, format_moment
    from handlers.workshop_views import STATUS_LABELS

    workshop, seats = view.workshop, view.seats
    # Venue time, in the default language's own date format, with the venue's zone named beside it.
    when = format_moment(workshop.starts_at, workshop.timezone) if workshop.starts_at else f"— ({workshop.timezone})"
    status = _(STATUS_LABELS[view.status])
    return (
        f"#{workshop.id}\t{city_name(workshop.city, None, names)}\t{when}\t{status}\tcapacity={workshop.capacity}\t"
        f"confirmed={seats.confirmed}\toffered={seats.offered}\twaiting={seats.waiting}\t"
        f"preregistered={seats.preregistered}\tcode={checkin_code_for(workshop) or '-'}"
    )


async def _describe_one(uow: UnitOfWork, workshop_id: int, now: datetime, settings: Settings) -> str:
    from bot.services.workshop_reports import one_workshop

    return _describe(await one_workshop(uow, workshop_id, now), _names(settings))


def _names(settings: Settings) -> CityNames:
    """The content's city names: the CLI shows a city as its language (the default language) does, Milan →
    Milano."""
    from bot.content import load_content

    return load_content(settings.content_dir).city_names


def _notifier(uow: UnitOfWork, settings: Settings, now: datetime) -> Notify:
    from handlers.workshop_views import outbox_notifier

    # Notices say the city as each recipient's language does: the content's names beside CLDR's.
    return outbox_notifier(uow.session, settings, now, _names(settings))


def _fields(args: argparse.Namespace) -> WorkshopFields:
    from handlers.workshop_input import parse_fields

    return parse_fields(_pairs(args))


def _id(raw: str) -> int | None:
    from handlers.workshop_input import workshop_number

    return workshop_number(raw)


async def _list(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.services.workshop_reports import all_workshops

    names = _names(settings)
    return "\n".join(_describe(view, names) for view in await all_workshops(uow, now))


async def _create(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.content import load_content
    from bot.services.workshop_admin import create_workshop

    fields = _fields(args)
    title = load_content(settings.content_dir).workshops.title if fields.title is None else fields.title
    workshop = await create_workshop(uow, fields, now, default_title=title)
    return await _describe_one(uow, workshop.id, now, settings)


async def _edit(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.services.workshop_admin import edit_workshop

    workshop = await edit_workshop(
        uow,
        _id(args.id),
        _fields(args),
        now,
        notify=_notifier(uow, settings, now),
        offer_hours=settings.waitlist_offer_hours,
    )
    return await _describe_one(uow, workshop.id, now, settings)


async def _set_date(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.services.workshop_admin import set_date

    workshop = await set_date(
        uow,
        _id(args.id),
        args.start,
        now,
        notify=_notifier(uow, settings, now),
        offer_hours=settings.waitlist_offer_hours,
    )
    return await _describe_one(uow, workshop.id, now, settings)


async def _close(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.services.workshop_admin import set_registration_open

    workshop = await set_registration_open(uow, _id(args.id), args.reopen, now)
    return await _describe_one(uow, workshop.id, now, settings)


async def _cancel(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.services.workshop_admin import cancel_workshop

    told = await cancel_workshop(uow, _id(args.id), now, notify=_notifier(uow, settings, now))
    return f"cancelled; {len(told)} people told"


async def _export(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.content import load_content
    from bot.services.workshop_reports import export_registrants

    limit = load_content(settings.content_dir).program.certificates.workshop_age_limit
    export = await export_registrants(uow, [_id(raw) for raw in args.ids] if args.ids else None, age_limit=limit)
    if args.out is None:
        sys.stdout.write(export.csv)
        return ""
    args.out.write_text(export.csv, encoding="utf-8")
    return f"{export.rows} rows written to {args.out}"


async def _attend(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.core.errors import UserError
    from bot.i18n import _
    from bot.services.workshop_checkin import mark_attended
    from handlers.workshop_input import participant_number

    try:
        user_id = participant_number(args.user_id)
    except ValueError:
        raise UserError(_("Usage: {usage}").format(usage="wego-bot workshop attend WORKSHOP_ID USER_ID")) from None
    workshop, registration = await mark_attended(uow, _id(args.id), user_id, now, typed_user=args.user_id)
    city = city_name(workshop.city, None, _names(settings))
    return f"attended: user {registration.user_id} at #{workshop.id} {city}"


async def _counts(uow: UnitOfWork, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.services.workshop_reports import counts_per_city

    rows = ["city\tregistered\twaiting\tattended"]
    names = _names(settings)
    rows += [
        f"{city_name(r.city, None, names)}\t{r.registered}\t{r.waiting}\t{r.attended}"
        for r in await counts_per_city(uow)
    ]
    return "\n".join(rows)


# One staff command: the unit of work, the parsed arguments, the settings and now; returns what to print.
Command = Callable[["UnitOfWork", argparse.Namespace, Settings, datetime], Awaitable[str]]

COMMANDS: dict[str, Command] = {
    "list": _list,
    "create": _create,
    "edit": _edit,
    "set-date": _set_date,
    "close": _close,
    "cancel": _cancel,
    "export": _export,
    "attend": _attend,
    "counts": _counts,
}
