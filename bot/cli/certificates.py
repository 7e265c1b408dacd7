"""`wego-bot verify`, `wego-bot certificate revoke` and `wego-bot web`: certificate records from the shell."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from bot.cli.root import EXIT_DATABASE, _fail, _with_app
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork

EXIT_NOT_VALID = 1


async def _with_storage(settings: Settings, body: Callable[[UnitOfWork], Coroutine[Any, Any, int]]) -> int:
    """A unit of work on the database (brought up to date, as a new one may be), without content or platforms."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import open_storage

    try:
        storage = await open_storage(settings)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(f"The database cannot be opened or upgraded: {getattr(exc, 'orig', exc)}", EXIT_DATABASE)
    try:
        async with storage.unit_of_work() as uow:
            return await body(uow)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(f"The database cannot be read: {getattr(exc, 'orig', exc)}", EXIT_DATABASE)
    finally:
        await storage.close()


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.certificates.codes import group
    from bot.domain.certificates import NotACode
    from bot.domain.statuses import RecordStatus
    from bot.services.certificates import verify_record

    async def body(uow: UnitOfWork) -> int:
        try:
            result = await verify_record(uow, args.code, secret=settings.effective_secret())
        except NotACode as exc:
            return _fail(f"NOT A CODE: {exc.reason}", EXIT_NOT_VALID)
        if result.status is RecordStatus.INVALID:
            print(f"NOT VALID: no record has the code {group(result.code)}")
            return EXIT_NOT_VALID
        what = (
            "course completion"
            if result.kind == "course"
            else (f"workshop attendance: {result.workshop_title} ({result.workshop_city})")
        )
        issued = result.issued_at.date().isoformat() if result.issued_at else "?"
        if result.status is RecordStatus.REVOKED:
            revoked = result.revoked_at.date().isoformat() if result.revoked_at else "?"
            print(f"NOT VALID: record {group(result.code)} ({what}, issued {issued}) was revoked on {revoked}")
            return EXIT_NOT_VALID
        if result.status is RecordStatus.SUPERSEDED:
            replaced = result.superseded_at.date().isoformat() if result.superseded_at else "?"
            print(
                f"SUPERSEDED: record {group(result.code)} ({result.name} - {what}, issued {issued}) was replaced "
                f"by a newer record on {replaced}"
            )
            return EXIT_NOT_VALID
        print(f"VALID: {result.name} - {what} - issued {issued} - code {group(result.code)}")
        return 0

    return asyncio.run(_with_storage(settings, body))


def cmd_certificate_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from bot.certificates.codes import group
    from bot.domain.certificates import NoSuchRecord, NotACode
    from bot.services.certificates import revoke_record

    async def body(uow: UnitOfWork) -> int:
        try:
            record = await revoke_record(uow, args.code, now=datetime.now(UTC))
        except NotACode as exc:
            return _fail(f"NOT A CODE: {exc.reason}", EXIT_NOT_VALID)
        except NoSuchRecord:
            return _fail("No record has that code; nothing was changed.", EXIT_NOT_VALID)
        print(f"revoked: {group(record.code)} (since {record.revoked_at.isoformat() if record.revoked_at else '?'})")
        return 0

    return asyncio.run(_with_storage(settings, body))


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web import start_web

    async def body(app: Any) -> int:
        runner = await start_web(app)
        print(f"serving http://{settings.web_host}:{settings.web_port}/verify/CODE and /health (Ctrl-C stops)")
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
        return 0

    return asyncio.run(_with_app(settings, body))


def register(sub: Any) -> None:
    verify = sub.add_parser("verify", help="check a certificate record code")
    verify.add_argument("code")
    verify.set_defaults(func=cmd_verify, quiet=True)

    certificate = sub.add_parser("certificate", help="certificate records (staff)")
    certificate_sub = certificate.add_subparsers(dest="certificate_command", required=True)
    revoke = certificate_sub.add_parser("revoke", help="revoke a record by its code")
    revoke.add_argument("code")
    revoke.set_defaults(func=cmd_certificate_revoke, quiet=True)

    sub.add_parser("web", help="serve only the verification pages and /health").set_defaults(func=cmd_web)
