"""`wego-bot`: the assistant's command line. Commands that need no platform never import one."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bot.logging_setup import configure_logging
from bot.settings import LANGUAGES, SecretKeyError, Settings, get_settings

log = logging.getLogger("wego")

EXIT_CONTENT = 2
EXIT_DATABASE = 3


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
        if not with_storage or isinstance(exc, SecretKeyError):
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

    from bot.app import open_storage
    from bot.services import schema

    async def run() -> int:
        try:
            # The configured timeouts and pool, not the driver's defaults (asyncpg waits 60 s for a silent server).
            storage = await open_storage(settings, migrate=False)
        except (SQLAlchemyError, OSError) as exc:
            return _fail(f"The database cannot be opened or upgraded: {getattr(exc, 'orig', exc)}", EXIT_DATABASE)
        try:
            if args.db_command == "upgrade":
                await schema.upgrade_to_latest(storage)
            current, latest = await schema.revisions(storage)
            print(f"database revision: {current or 'empty'} (latest: {latest})")
            return 0
        except (SQLAlchemyError, OSError) as exc:
            return _fail(f"The database cannot be opened or upgraded: {getattr(exc, 'orig', exc)}", EXIT_DATABASE)
        finally:
            await storage.close()

    return asyncio.run(run())


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run

    # uvloop's event loop where it is installed (Linux and macOS): under load (bench/load) it took about a sixth
    # off the CPU each answer costs the bot. asyncio's own loop elsewhere; nothing else depends on which it is.
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run(settings, console_user=args.user))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(run(settings, console_user=args.user))


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

    run = sub.add_parser("run", help="start every configured platform (the console when none is)")
    run.add_argument("--user", default=default_user, help="console user when no platform token is set")
    run.set_defaults(func=cmd_run)

    from bot.cli.certificates import register as register_certificates
    from bot.cli.faq import register as register_faq
    from bot.cli.workshops import register as register_workshops

    register_certificates(sub)
    register_faq(sub)

    register_workshops(sub)

    from bot.cli.broadcast import register as register_broadcast

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
        from bot.app import configured_platforms

        # With no platform, `run` is the terminal console: log lines would land in the middle of the chat.
        quiet = not configured_platforms(settings)
    # Before any command imports a platform library: their first lines are already redacted.
    configure_logging(settings, quiet=quiet)
    try:
        return int(args.func(args, settings))
    except SecretKeyError as exc:
        return _fail(f"The signing key cannot be used; the bot cannot start:\n{exc}", EXIT_CONTENT)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
