"""`wego-bot faq eval` and `wego-bot questions`: measuring the FAQ and answering what it could not."""

from __future__ import annotations

import argparse
import asyncio
import getpass
from pathlib import Path
from typing import Any

from bot.cli.root import EXIT_CONTENT, _fail, _with_app
from bot.settings import LANGUAGES, Settings


def cmd_faq_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content import ContentError, load_content
    from bot.faq.evaluate import evaluate, load_eval
    from bot.faq.index import FaqIndex
    from bot.places.gazetteer import Gazetteer, workshop_cities

    if args.lang and args.lang not in LANGUAGES:
        return _fail(f"Unknown language code {args.lang!r}; choose one of: {', '.join(LANGUAGES)}.", EXIT_CONTENT)
    files = (
        [("EVALUATION", args.file)]
        if args.file
        else [
            ("TUNE (faq_eval.yaml)", settings.content_dir / "faq_eval.yaml"),
            ("HELD-OUT (faq_eval_heldout.yaml), the result", settings.content_dir / "faq_eval_heldout.yaml"),
            ("HELD-OUT B (faq_eval_heldout_b.yaml), written apart", settings.content_dir / "faq_eval_heldout_b.yaml"),
            ("HELD-OUT C (faq_eval_heldout_c.yaml), blind check", settings.content_dir / "faq_eval_heldout_c.yaml"),
        ]
    )
    try:
        content = load_content(settings.content_dir)
        sets = [(title, load_eval(path)) for title, path in files if args.file or path.exists()]
    except ContentError as exc:
        return _fail(str(exc), EXIT_CONTENT)
    index = FaqIndex(content.faq.entries)
    places = Gazetteer(workshop_cities(content.workshops.workshops))
    for title, items in sets:
        result = evaluate(index, items, args.lang, places, content.program.year)
        print(f"{title}: {result.overall.inputs} messages")
        print(
            "  lang  right            wrong confident  out of scope declined  small talk   p50 ms  p99 ms  p99 cpu ms"
        )
        rows = [(lang, result.per_language[lang]) for lang in LANGUAGES if lang in result.per_language]
        for name, tally in [*rows, ("all", result.overall)]:
            print(
                f"  {name:<4}  {tally.accuracy:6.1%} {tally.right:>3}/{tally.in_scope:<4}  "
                f"{tally.wrong_share:6.1%} {tally.wrong:>3}/{tally.inputs:<4}  "
                f"{tally.declined_share:6.1%} {tally.declined:>3}/{tally.out_of_scope:<10}  "
                f"{tally.smalltalk_share:6.1%} {tally.smalltalk_right:>2}/{tally.smalltalk:<2}  "
                f"{tally.latency(0.5) * 1000:6.2f}  {tally.latency(0.99) * 1000:6.2f}  "
                f"{tally.latency(0.99, cpu=True) * 1000:10.2f}"
            )
        print(
            f"  4,000-character messages: p99 {result.long_p99() * 1000:.2f} ms, CPU p99 "
            f"{result.long_p99(cpu=True) * 1000:.2f} ms, over {len(result.long_latencies)}"
        )
        if args.verbose:
            for item, given in result.misses:
                print(f"  miss [{item.lang}] {item.question!r}: expected {item.expect}, gave {given}")
    return 0


def cmd_questions(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import use_locale

    async def body(app: Any) -> int:
        from bot.core.replies import to_plain
        from bot.core.text import parse_id
        from bot.domain.questions import QuestionRefused
        from bot.services import questions as service
        from bot.settings import LANGUAGES
        from handlers.questions import answer_confirmation, answer_notice, refusal_text

        now = app.dispatcher.clock()
        if args.questions_command == "list":
            from bot.i18n import format_moment

            async with app.storage.unit_of_work() as uow:
                rows = await service.unanswered(uow, limit=args.limit)
            if not rows:
                print("No unanswered questions.")
            for row in rows:
                with use_locale(settings.default_language):
                    when = format_moment(row.asked_at, settings.default_timezone)
                print(f"#{row.id}  {when}  {row.language}  {row.platform}")
                print(f"    {row.text}")
            return 0
        question_id = parse_id(args.id)
        if question_id is None:
            # Out of range is answered like any unknown number; it could never name a row.
            return _fail(f"There is no question #{args.id[:20]}.", 1)
        try:
            async with app.storage.unit_of_work() as uow:
                answered = await service.answer(
                    uow,
                    question_id,
                    args.text,
                    answered_by=f"cli:{getpass.getuser()}",
                    now=now,
                    default_locale=settings.default_language,
                    languages=LANGUAGES,
                    write=answer_notice,
                )
        except QuestionRefused as refusal:
            with use_locale(settings.default_language):
                return _fail(to_plain(refusal_text(refusal, settings.default_timezone)), 1)
        with use_locale(settings.default_language):
            print(to_plain(answer_confirmation(question_id, answered.asker_name, answered.reach)))
        if not args.save_faq:
            return 0
        # Its own transaction: the answer is already on its way whatever happens to the FAQ file.
        try:
            async with app.storage.unit_of_work() as uow:
                entry = await service.save_as_faq(uow, question_id, settings.content_dir, now=now)
        except QuestionRefused as refusal:
            with use_locale(settings.default_language):
                reason = to_plain(refusal_text(refusal, settings.default_timezone))
            return _fail(f"The answer was sent, but it could not be saved as an FAQ entry: {reason}", 1)
        print(f"Saved as FAQ entry {entry}.")
        return 0

    return asyncio.run(_with_app(settings, body))


def register(sub: Any) -> None:
    faq = sub.add_parser("faq", help="the FAQ the bot answers from")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True)
    faq_eval = faq_sub.add_parser("eval", help="accuracy and latency of the FAQ matching on the evaluation set")
    faq_eval.add_argument("--lang", help="only this language")
    faq_eval.add_argument(
        "--file", type=Path, help="one evaluation set (default: the TUNE and HELD-OUT sets in content/)"
    )
    faq_eval.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    faq_eval.set_defaults(func=cmd_faq_eval, quiet=True)

    questions = sub.add_parser("questions", help="questions participants asked the team")
    questions_sub = questions.add_subparsers(dest="questions_command", required=True)
    q_list = questions_sub.add_parser("list", help="unanswered questions, oldest first")
    q_list.add_argument("--limit", type=int, default=50)
    q_list.set_defaults(func=cmd_questions, quiet=True)
    q_answer = questions_sub.add_parser("answer", help="answer a question; the participant gets it in their chat")
    q_answer.add_argument("id", help="the question's number, as in `questions list`")
    q_answer.add_argument("text")
    q_answer.add_argument(
        "--save-faq", action="store_true", help="also save it as an FAQ entry (content/faq/staff.yaml)"
    )
    q_answer.set_defaults(func=cmd_questions, quiet=True)
