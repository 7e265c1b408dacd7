"""`wego-bot broadcast ...`: compose, preview (exact count), confirm, schedule, list, cancel and watch broadcasts.

The CLI only writes rows; the running bot (`wego-bot run`) sends them. `status ID --watch` draws a progress bar.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.settings import LANGUAGES, Settings

if TYPE_CHECKING:
    from bot.domain.broadcasts import BroadcastRefused

BAR = 30


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("broadcast", help="message participants (staff)")
    sub = parser.add_subparsers(dest="broadcast_command", required=True)
    new = sub.add_parser("new", help="compose a broadcast, preview the recipient count, confirm")
    new.add_argument(
        "--to", default="everyone", help='audience, e.g. "platform=telegram lang=it", "city=Milan attended"'
    )
    new.add_argument("--text", required=True, help="the text in the default language")
    new.add_argument("--text-in", nargs=2, action="append", default=[], metavar=("LANG", "TEXT"))
    new.add_argument("--at", help="send at this local time (YYYY-MM-DD HH:MM) instead of now")
    new.add_argument("--tz", help="time zone of --at (default: the configured default zone)")
    new.add_argument("--urgent", action="store_true", help="ignore recipients' quiet hours")
    new.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    new.set_defaults(func=cmd_broadcast)
    sub.add_parser("list", help="scheduled and sending broadcasts").set_defaults(func=cmd_broadcast)
    cancel = sub.add_parser("cancel", help="cancel a scheduled broadcast")
    cancel.add_argument("id")
    cancel.set_defaults(func=cmd_broadcast)
    status = sub.add_parser("status", help="progress of a broadcast")
    status.add_argument("id")
    status.add_argument("--watch", action="store_true", help="follow it live with a progress bar until done")
    status.set_defaults(func=cmd_broadcast)


def progress_bar(done: int, total: int) -> str:
    # No recipients yet (not started, or nobody matched) is an empty bar, not a full one.
    filled = 0 if total == 0 else BAR * done // total
    return "[" + "#" * filled + "." * (BAR - filled) + f"] {done}/{total}"


def cmd_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.root import _with_app

    async def body(app: Any) -> int:
        from bot.i18n import use_locale

        handlers = {"new": _new, "list": _list, "cancel": _cancel, "status": _status}
        # Staff read the CLI in the configured default language, dates and counts included.
        with use_locale(settings.default_language):
            result: int = await handlers[args.broadcast_command](app, args, settings)
        return result

    return asyncio.run(_with_app(settings, body))


def _refused(refusal: BroadcastRefused) -> int:
    from bot.core.replies import to_plain
    from bot.domain.broadcasts import BadAudience, EmptyText
    from bot.i18n import _
    from handlers.broadcast import refusal_text

    # The chat's words for these two show chat commands (/broadcast text …); at a terminal the options are what
    # staff type.
    if isinstance(refusal, BadAudience):
        first = to_plain(refusal_text(refusal)).splitlines()[0]
        more = _(
            'For example: --to everyone, --to "platform=telegram lang=it", --to "city=Milan attended", '
            '--to "workshop=3 waiting", --to "stage=in_progress". See wego-bot broadcast new --help.'
        )
        print(f"{first}\n{more}", file=sys.stderr)
    elif isinstance(refusal, EmptyText):
        print(
            _("The text is empty. Give it with --text (and --text-in LANG TEXT for another language)."), file=sys.stderr
        )
    else:
        print(to_plain(refusal_text(refusal)), file=sys.stderr)
    return 2


async def _new(app: Any, args: argparse.Namespace, settings: Settings) -> int:
    from bot.domain.broadcasts import MAX_TEXT, BroadcastRefused, check_text
    from bot.domain.zone_names import UnknownZone, check_zone
    from bot.services import broadcasts as service

    try:
        audience = service.parse_audience(args.to + (" urgent" if args.urgent else ""), LANGUAGES)
        texts = {settings.default_language: args.text}
        for lang, text in args.text_in:
            if lang not in LANGUAGES:
                print(f"Unknown language {lang!r}; use one of {', '.join(LANGUAGES)}", file=sys.stderr)
                return 2
            texts[lang] = text
        too_long = [lang for lang, text in texts.items() if len(text.strip()) > MAX_TEXT]
        if too_long:
            print(
                f"The text in {', '.join(too_long)} is over {MAX_TEXT} characters: a broadcast must fit one message.",
                file=sys.stderr,
            )
            return 2
        for lang, text in texts.items():
            check_text(text, lang)
    except BroadcastRefused as refusal:
        return _refused(refusal)
    at = datetime.now(UTC)
    if args.at:
        from bot.core.errors import UserError
        from bot.core.replies import to_plain
        from handlers.workshop_input import parse_local

        zone_name = args.tz or settings.default_timezone
        zone = check_zone(zone_name)
        if isinstance(zone, UnknownZone):
            examples = f"; it is a group of zones, e.g. {', '.join(zone.suggestions[:6])}" if zone.is_folder else ""
            print(
                f"Unknown time zone {zone.name!r}; use an IANA name such as Europe/Rome{examples}",
                file=sys.stderr,
            )
            return 2
        try:
            # The same reading as staff dates in chat: a time the clocks skip (DST) is refused, not shifted, and
            # one in the past or years ahead too.
            at = parse_local(args.at, zone_name, now=at)
        except UserError as problem:
            print(to_plain(problem.message), file=sys.stderr)
            return 2
    async with app.storage.unit_of_work() as uow:
        count = await service.count_audience(uow, audience, app.content, settings.default_language)
    from bot.i18n import _, format_moment
    from handlers.broadcast import recipients_text

    print(
        _("Audience: {audience} → exactly {recipients}; languages: {languages}.").format(
            audience=args.to, recipients=recipients_text(count), languages=", ".join(sorted(texts))
        )
    )
    zone_name = args.tz or settings.default_timezone
    print(_("When: {time}").format(time=format_moment(at, zone_name) if args.at else _("now")))
    if not args.yes and (await asyncio.to_thread(input, "Send? [y/N] ")).strip().lower() not in ("y", "yes"):
        print("Nothing sent.")
        return 1
    try:
        async with app.storage.unit_of_work() as uow:
            number = await service.create_scheduled(
                uow,
                audience,
                texts,
                languages=LANGUAGES,
                default_language=settings.default_language,
                at=at,
                now=datetime.now(UTC),
            )
    except BroadcastRefused as refusal:
        return _refused(refusal)
    print(f"Broadcast #{number} is scheduled; the running bot sends it.")
    print(f"Follow it: wego-bot broadcast status {number} --watch")
    return 0


async def _list(app: Any, args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.replies import to_plain
    from bot.i18n import _, format_moment
    from bot.services import broadcasts as service
    from handlers.broadcast import status_text

    async with app.storage.unit_of_work() as uow:
        rows = await service.active(uow, content=app.content)
    for row in rows:
        when = format_moment(row.scheduled_at, settings.default_timezone) if row.scheduled_at else "-"
        audience = " ".join(f"{key}={value}" for key, value in row.audience.items()) or "everyone"
        print(f"#{row.id}  {to_plain(status_text(row.status))}  {when}  {audience}")
    if not rows:
        print(_("No broadcast is scheduled or sending."))
    return 0


async def _cancel(app: Any, args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.text import parse_id
    from bot.domain.broadcasts import CannotCancel
    from bot.services import broadcasts as service

    number = parse_id(args.id)
    ok = False
    if number is not None:
        try:
            async with app.storage.unit_of_work() as uow:
                await service.cancel(uow, number)
            ok = True
        except CannotCancel:
            ok = False
    shown = args.id[:20]
    print(f"Broadcast #{shown} cancelled." if ok else f"Broadcast #{shown} cannot be cancelled.")
    return 0 if ok else 1


async def _status(app: Any, args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.replies import to_plain
    from bot.core.text import parse_id
    from bot.domain.broadcasts import NoSuchBroadcast
    from bot.domain.statuses import BroadcastStatus, DeliveryStatus
    from bot.i18n import _
    from bot.services import broadcasts as service
    from handlers.broadcast import status_text

    number = parse_id(args.id)
    if number is None:
        # Out of range or not a number: no row can have it, so it is answered like an unknown number.
        print(f"There is no broadcast #{args.id[:20]}.", file=sys.stderr)
        return 1
    while True:
        try:
            async with app.storage.unit_of_work() as uow:
                report = await service.report(uow, number)
        except NoSuchBroadcast:
            print(f"There is no broadcast #{number}.", file=sys.stderr)
            return 1
        tally = _("{delivered} delivered, {unreachable} unreachable, {failed} failed").format(
            delivered=report.delivered,
            unreachable=report.count(DeliveryStatus.UNREACHABLE),
            failed=report.count(DeliveryStatus.FAILED),
        )
        line = (
            f"#{report.id} {to_plain(status_text(report.status))} {progress_bar(report.ended, report.total)}  {tally}"
        )
        if not args.watch:
            print(line)
            return 0
        print("\r" + line, end="", flush=True)
        if report.status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED):
            print()
            return 0
        await asyncio.sleep(0.5)
