"""`wego-bot`: the assistant's command line. Commands that need no platform never import one."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot.settings import LANGUAGES, Settings, get_settings

log = logging.getLogger("wego")

EXIT_CONTENT = 2
EXIT_DATABASE = 3


def _configure_logging(settings: Settings, quiet: bool) -> None:
    level = logging.WARNING if quiet else getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # httpx logs every request URL, and a Telegram URL carries the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Migrations and the clock narrate every step at INFO; only their problems are worth a line.
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


async def _with_app(
    settings: Settings, body: Callable[[Any], Coroutine[Any, Any, int]], *, with_storage: bool = True
) -> int:
    from bot.app import build_app
    from bot.content import ContentError

    try:
        app = await build_app(settings, with_storage=with_storage)
    except ContentError as exc:
        return _fail("The program content is broken; the bot cannot start:\n" + str(exc), EXIT_CONTENT)
    except Exception as exc:
        # Only a database can fail here besides content; importing SQLAlchemy to name its error type would
        # cost `ask` (which runs without a database) a third of its start-up time.
        if not with_storage:
            raise
        return _fail(f"The database cannot be opened or upgraded: {getattr(exc, 'orig', exc)}", EXIT_DATABASE)
    try:
        return await body(app)
    finally:
        await app.close()


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console import run_console

    async def body(app: Any) -> int:
        await run_console(app, user=args.user, lang=args.lang)
        return 0

    return asyncio.run(_with_app(settings, body))


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.events import Event
    from bot.core.replies import to_plain

    lang = args.lang
    if lang and lang not in LANGUAGES:
        print(f"Unknown language code {lang!r}; choose one of: {', '.join(LANGUAGES)}.", file=sys.stderr)
        lang = None

    async def body(app: Any) -> int:
        event = Event(
            platform="console",
            user_id="ask",
            chat_id="ask",
            text=" ".join(args.question),
            locale_hint=lang or settings.default_language,
            event_id="ask",
        )
        for reply in await app.dispatcher.dispatch(event):
            print(to_plain(reply.text))
            labels = [button.label for row in reply.buttons for button in row]
            if labels:
                print("  ".join(f"[{label}]" for label in labels))
        return 0

    # Answering needs only the content: no database, so it starts fast.
    return asyncio.run(_with_app(settings, body, with_storage=False))


def cmd_content_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content import ContentError, load_content
    from handlers import build_router, known_commands

    try:
        content = load_content(settings.content_dir, commands=known_commands(build_router()))
    except ContentError as exc:
        return _fail(str(exc), EXIT_CONTENT)
    staff = sum(1 for entry in content.faq.entries if entry.source == "staff")
    print(
        f"Content OK ({settings.content_dir}): {len(content.lectures.parts)} parts, "
        f"{len(content.all_lectures())} lectures, {len(content.award.categories)} award categories, "
        f"{len(content.program.workshops.cities)} workshop cities, "
        f"{len(content.faq.entries)} FAQ entries ({staff} saved by staff)."
    )
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.migrate import current_revision, head_revision, upgrade
    from storage.uow import Storage

    async def run() -> int:
        storage = Storage(settings.resolved_database_url)
        try:
            if args.db_command == "upgrade":
                await upgrade(storage.engine)
            current = await current_revision(storage.engine)
            print(f"database revision: {current or 'empty'} (latest: {head_revision()})")
            return 0
        except (SQLAlchemyError, OSError) as exc:
            return _fail(f"The database cannot be opened or upgraded: {getattr(exc, 'orig', exc)}", EXIT_DATABASE)
        finally:
            await storage.close()

    return asyncio.run(run())


def cmd_faq_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content import ContentError, load_content
    from bot.faq.evaluate import evaluate, load_eval
    from bot.faq.index import FaqIndex

    try:
        content = load_content(settings.content_dir)
        items = load_eval(args.file or settings.content_dir / "faq_eval.yaml")
    except ContentError as exc:
        return _fail(str(exc), EXIT_CONTENT)
    if args.lang and args.lang not in LANGUAGES:
        return _fail(f"Unknown language code {args.lang!r}; choose one of: {', '.join(LANGUAGES)}.", EXIT_CONTENT)
    result = evaluate(FaqIndex(content.faq.entries), items, args.lang)
    answered = sum(result.total.values())
    print(f"top-1 accuracy: {result.accuracy:.1%} of {answered} in-scope questions")
    for lang in LANGUAGES:
        if result.total.get(lang):
            print(f"  {lang}: {result.accuracy_in(lang):.1%} ({result.correct.get(lang, 0)}/{result.total[lang]})")
    print(f"out of scope declined: {result.declined_share:.1%} ({result.declined}/{result.out_of_scope})")
    print(f"latency per question: p50 {result.latency(0.5) * 1000:.2f} ms, p99 {result.latency(0.99) * 1000:.2f} ms")
    if args.verbose:
        for item, given in result.misses:
            print(f"  miss [{item.lang}] {item.question!r}: expected {item.expect}, gave {given}")
    return 0


def cmd_questions(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import use_locale

    async def body(app: Any) -> int:
        from bot.core.replies import to_plain
        from handlers.questions import QuestionProblem, give_answer, save_as_faq
        from storage.questions import QuestionRepository

        now = app.dispatcher.clock()
        async with app.storage.unit_of_work() as uow:
            if args.questions_command == "list":
                rows = await QuestionRepository(uow.session).unanswered(limit=args.limit)
                if not rows:
                    print("No unanswered questions.")
                for row in rows:
                    asked = row.asked_at or row.created_at
                    print(f"#{row.id}  {asked:%Y-%m-%d %H:%M} UTC  {row.language}  {row.platform}")
                    print(f"    {row.text}")
                return 0
            try:
                with use_locale(settings.default_language):
                    await give_answer(
                        uow.session,
                        args.id,
                        args.text,
                        answered_by=f"cli:{getpass.getuser()}",
                        now=now,
                        default_locale=settings.default_language,
                    )
                    entry = (
                        await save_as_faq(uow.session, args.id, settings.content_dir, now=now)
                        if args.save_faq
                        else None
                    )
            except QuestionProblem as problem:
                return _fail(to_plain(str(problem)), 1)
        print(f"Answer to #{args.id} queued for the participant." + (f" Saved as FAQ entry {entry}." if entry else ""))
        return 0

    return asyncio.run(_with_app(settings, body))


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run

    return asyncio.run(run(settings, console_user=args.user))


EXIT_NOT_VALID = 1


async def _with_storage(settings: Settings, body: Callable[[Any], Coroutine[Any, Any, int]]) -> int:
    """A unit of work on the existing database, without content, migrations or platforms: starts fast."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.uow import Storage

    storage = Storage(settings.resolved_database_url)
    try:
        async with storage.unit_of_work() as uow:
            return await body(uow.session)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(f"The database cannot be read: {getattr(exc, 'orig', exc)}", EXIT_DATABASE)
    finally:
        await storage.close()


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.certificates.codes import CodeFormatError, group
    from storage.certificates import verify

    async def body(session: Any) -> int:
        try:
            result = await verify(session, args.code, settings.effective_secret())
        except CodeFormatError as exc:
            return _fail(f"NOT A CODE: {exc}", EXIT_NOT_VALID)
        if result.status == "invalid":
            print(f"NOT VALID: no record has the code {group(result.code)}")
            return EXIT_NOT_VALID
        what = (
            "course completion"
            if result.kind == "course"
            else (f"workshop attendance: {result.workshop_title} ({result.workshop_city})")
        )
        issued = result.issued_at.date().isoformat() if result.issued_at else "?"
        if result.status == "revoked":
            revoked = result.revoked_at.date().isoformat() if result.revoked_at else "?"
            print(f"NOT VALID: record {group(result.code)} ({what}, issued {issued}) was revoked on {revoked}")
            return EXIT_NOT_VALID
        print(f"VALID: {result.name} - {what} - issued {issued} - code {group(result.code)}")
        return 0

    return asyncio.run(_with_storage(settings, body))


def cmd_certificate_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from bot.certificates.codes import CodeFormatError, group
    from storage.certificates import revoke

    async def body(session: Any) -> int:
        try:
            record = await revoke(session, args.code, datetime.now(UTC))
        except CodeFormatError as exc:
            return _fail(f"NOT A CODE: {exc}", EXIT_NOT_VALID)
        if record is None:
            return _fail("No record has that code; nothing was changed.", EXIT_NOT_VALID)
        print(
            f"revoked: {group(record.code or '')} (since {record.revoked_at.isoformat() if record.revoked_at else '?'})"
        )
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wego-bot", description="The WeGO Champions assistant.")
    sub = parser.add_subparsers(dest="command", required=True)

    default_user = getpass.getuser() or "guest"
    chat = sub.add_parser("chat", help="talk to the assistant in this terminal")
    chat.add_argument("--user", default=default_user, help="who is talking (each name is its own participant)")
    chat.add_argument("--lang", help=f"answer in this language ({', '.join(LANGUAGES)})")
    chat.set_defaults(func=cmd_chat, quiet=True)

    ask = sub.add_parser("ask", help="answer one question and exit")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--lang", help=f"answer in this language ({', '.join(LANGUAGES)})")
    ask.set_defaults(func=cmd_ask, quiet=True)

    content = sub.add_parser("content", help="program content files")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    content_sub.add_parser("check", help="validate the content files").set_defaults(func=cmd_content_check)

    db = sub.add_parser("db", help="the database")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations").set_defaults(func=cmd_db)
    db_sub.add_parser("current", help="show the database revision").set_defaults(func=cmd_db)

    verify = sub.add_parser("verify", help="check a certificate record code")
    verify.add_argument("code")
    verify.set_defaults(func=cmd_verify, quiet=True)

    certificate = sub.add_parser("certificate", help="certificate records (staff)")
    certificate_sub = certificate.add_subparsers(dest="certificate_command", required=True)
    revoke = certificate_sub.add_parser("revoke", help="revoke a record by its code")
    revoke.add_argument("code")
    revoke.set_defaults(func=cmd_certificate_revoke, quiet=True)

    sub.add_parser("web", help="serve only the verification pages and /health").set_defaults(func=cmd_web)

    faq = sub.add_parser("faq", help="the FAQ the bot answers from")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True)
    faq_eval = faq_sub.add_parser("eval", help="accuracy and latency of the FAQ matching on the evaluation set")
    faq_eval.add_argument("--lang", help="only this language")
    faq_eval.add_argument("--file", type=Path, help="evaluation set (default: content/faq_eval.yaml)")
    faq_eval.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    faq_eval.set_defaults(func=cmd_faq_eval, quiet=True)

    questions = sub.add_parser("questions", help="questions participants asked the team")
    questions_sub = questions.add_subparsers(dest="questions_command", required=True)
    q_list = questions_sub.add_parser("list", help="unanswered questions, oldest first")
    q_list.add_argument("--limit", type=int, default=50)
    q_list.set_defaults(func=cmd_questions, quiet=True)
    q_answer = questions_sub.add_parser("answer", help="answer a question; the participant gets it in their chat")
    q_answer.add_argument("id", type=int)
    q_answer.add_argument("text")
    q_answer.add_argument(
        "--save-faq", action="store_true", help="also save it as an FAQ entry (content/faq/staff.yaml)"
    )
    q_answer.set_defaults(func=cmd_questions, quiet=True)

    run = sub.add_parser("run", help="start every configured platform (the console when none is)")
    run.add_argument("--user", default=default_user, help="console user when no platform token is set")
    run.set_defaults(func=cmd_run)

    from bot.cli_workshops import register as register_workshops

    register_workshops(sub)

    from bot.cli_broadcast import register as register_broadcast

    register_broadcast(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except Exception as exc:
        return _fail(f"Invalid settings: {exc}", EXIT_CONTENT)
    quiet = getattr(args, "quiet", False)
    if args.func is cmd_run:
        from bot.runner import configured_platforms

        # With no platform, `run` is the terminal console: log lines would land in the middle of the chat.
        quiet = not configured_platforms(settings)
    _configure_logging(settings, quiet=quiet)
    try:
        return int(args.func(args, settings))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
