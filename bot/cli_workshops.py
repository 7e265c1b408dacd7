"""`wego-bot workshop ...`: the staff's workshop desk from the shell, on the same domain code as the chat."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.places.names import CityNames, city_name
from bot.settings import Settings

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
    from bot.cli import _with_app

    async def body(app: Any) -> int:
        return await _run(app, args, settings)

    return asyncio.run(_with_app(settings, body))


async def _run(app: Any, args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.errors import UserError
    from bot.core.replies import to_plain
    from bot.i18n import use_locale

    command: Callable[[Any, argparse.Namespace, Settings, datetime], Awaitable[str]] = COMMANDS[args.workshop_command]
    with use_locale(settings.default_language):
        try:
            async with app.storage.unit_of_work() as uow:
                output = await command(uow.session, args, settings, datetime.now(UTC))
        except UserError as refusal:
            print(to_plain(refusal.message), file=sys.stderr)
            return 1
    if output:
        print(output)
    return 0


async def _describe(session: Any, workshop: Any, now: datetime, names: CityNames) -> str:
    from storage import workshops as ws

    seats = (await ws.seat_counts(session, [workshop]))[workshop.id]
    from bot.i18n import _, format_moment
    from handlers.workshop_views import STATUS_LABELS

    # Venue time, in the default language's own date format, with the venue's zone named beside it.
    when = format_moment(workshop.starts_at, workshop.timezone) if workshop.starts_at else f"— ({workshop.timezone})"
    status = _(STATUS_LABELS[ws.display_status(workshop, seats, now)])
    return (
        f"#{workshop.id}\t{city_name(workshop.city, None, names)}\t{when}\t{status}\tcapacity={workshop.capacity}\t"
        f"confirmed={seats.confirmed}\toffered={seats.offered}\twaiting={seats.waiting}\t"
        f"preregistered={seats.preregistered}\tcode={ws.checkin_code_for(workshop) or '-'}"
    )


def _names(settings: Settings) -> CityNames:
    """The content's city names: the CLI shows a city as its language (the default language) does, Milan →
    Milano."""
    from bot.content import load_content

    return load_content(settings.content_dir).city_names


def _notifier(session: Any, settings: Settings, now: datetime) -> Any:
    from handlers.workshop_views import outbox_notifier

    # Notices say the city as each recipient's language does: the content's names beside CLDR's.
    return outbox_notifier(session, settings, now, _names(settings))


async def _list(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from storage import workshops as ws

    names = _names(settings)
    return "\n".join([await _describe(session, w, now, names) for w in await ws.list_workshops(session)])


async def _create(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.content import load_content
    from storage import workshops as ws

    fields = ws.parse_fields(_pairs(args))
    if fields.title is None:
        fields.title = load_content(settings.content_dir).workshops.title
    return await _describe(session, await ws.create_workshop(session, fields, now), now, _names(settings))


async def _edit(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from storage import workshops as ws

    workshop = await ws.edit_workshop(
        session,
        args.id,
        ws.parse_fields(_pairs(args)),
        now,
        notify=_notifier(session, settings, now),
        offer_hours=settings.waitlist_offer_hours,
    )
    return await _describe(session, workshop, now, _names(settings))


async def _set_date(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from storage import workshops as ws

    workshop = await ws.set_date(
        session,
        args.id,
        args.start,
        now,
        notify=_notifier(session, settings, now),
        offer_hours=settings.waitlist_offer_hours,
    )
    return await _describe(session, workshop, now, _names(settings))


async def _close(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from storage import workshops as ws

    workshop = await ws.set_registration_open(session, args.id, args.reopen, now)
    return await _describe(session, workshop, now, _names(settings))


async def _cancel(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from storage import workshops as ws

    told = await ws.cancel_workshop(session, args.id, now, notify=_notifier(session, settings, now))
    return f"cancelled; {len(told)} people told"


async def _export(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from storage import workshops as ws

    if args.ids:
        ids = [(await ws.workshop_or_refuse(session, raw)).id for raw in args.ids]
    else:
        ids = [w.id for w in await ws.list_workshops(session)]
    data = await ws.export_csv(session, ids)
    if args.out is None:
        sys.stdout.write(data)
        return ""
    args.out.write_text(data, encoding="utf-8")
    return f"{data.count(chr(10)) - 1} rows written to {args.out}"


async def _attend(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from bot.core.errors import UserError
    from bot.core.text import is_number, parse_id
    from storage import workshops as ws

    workshop = await ws.workshop_or_refuse(session, args.id)
    if not is_number(args.user_id.strip().removeprefix("#")):
        raise UserError(f"not a user id: {args.user_id!r}")
    user_id = parse_id(args.user_id)
    if user_id is None:
        # Out of range is no participant at all: the same answer as for anyone without a seat.
        raise ws.no_seat(args.user_id)
    await ws.mark_attended(session, workshop, user_id, now)
    return f"attended: user {user_id} at #{workshop.id} {city_name(workshop.city, None, _names(settings))}"


async def _counts(session: Any, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    from storage import workshops as ws

    names = _names(settings)
    rows = ["city\tregistered\twaiting\tattended"]
    rows += [
        f"{city_name(r.city, None, names)}\t{r.registered}\t{r.waiting}\t{r.attended}"
        for r in await ws.counts_per_city(session)
    ]
    return "\n".join(rows)


COMMANDS: dict[str, Callable[[Any, argparse.Namespace, Settings, datetime], Awaitable[str]]] = {
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
