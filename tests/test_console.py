"""The terminal console driven as a real subprocess, as a newcomer would use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT


def run_cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_"))}
    env.update({"DATA_DIR": str(tmp_path / "data"), "STAFF_CONSOLE_USERS": "staffer"})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )


def test_scripted_conversation_answers_with_the_seed_facts(tmp_path: Path) -> None:
    script = (
        "\n".join(
            [
                "/start",
                "7",  # [7] Contact
                "/lectures",
                "3",  # [3] Part 3
                "/award",
                "Main menu",  # pressing by label
                "9",  # no such option
                "/nosuchcommand",
                "",
                "x" * 4500,
                "\x1b[31m/help\x07",
            ]
        )
        + "\n"
    )
    result = run_cli(tmp_path, "chat", "--user", "dana", stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Hello, dana!" in out
    assert (
        "[1] About the program  [2] Lectures\n[3] Workshops  [4] My progress\n"
        "[5] Global Youth Award  [6] Certificates\n[7] Contact  [8] Language" in out
    )
    assert "WeGO Secretariat\nE-mail: secretariat@we-gov.org\nTelephone: +82 (02) 720-2935" in out
    assert "⬜ 3.3  AI for Urban Security & Safety" in out
    assert "The online course (24 lectures):" in out
    assert "4. AI — 3 winners\n   Partner: Boombooming" in out
    assert "winners are announced at Seoul Smart Life Week 2026" in out
    assert "What would you like to know?" in out
    assert "There is no option 9. Choose a number from 1 to 8." in out
    assert "I don't know the command /nosuchcommand. Send /help to see what I can do." in out
    assert "I didn't catch anything there." in out
    assert "That message is too long for me (4500 characters)." in out
    assert "/contact — How to reach the WeGO Secretariat." in out
    assert "Traceback" not in result.stderr


def test_each_user_is_remembered_between_runs(tmp_path: Path) -> None:
    first = run_cli(tmp_path, "chat", "--user", "eve", "--lang", "de", stdin="/start\n")
    assert first.returncode == 0, first.stderr
    second = run_cli(tmp_path, "chat", "--user", "eve", stdin="/language\n")
    assert second.returncode == 0, second.stderr
    other = run_cli(tmp_path, "chat", "--user", "frank", stdin="/language\n")
    staff = run_cli(tmp_path, "chat", "--user", "staffer", stdin="/stats\n")
    assert other.returncode == 0
    # eve's German survived the restart; frank and the staff member never chose a language.
    assert staff.stdout == (
        "Participants: 3\n\nBy platform\nconsole: 3\n\nBy chosen language\nnot chosen: 2\nDeutsch: 1\n\n"
        "Course funnel\nStarted: 3\nFirst lecture: 0\nPart 1 complete: 0\nPart 2 complete: 0\nPart 3 complete: 0\n"
        "Part 4 complete: 0\nAll lectures: 0\nCourse record: 0\n\nQuestions waiting: 0\n\n"
    )


def test_unknown_language_flag_is_explained_and_the_chat_goes_on(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "chat", "--user", "gil", "--lang", "tlh", stdin="/contact\n")
    assert result.returncode == 0
    assert "I don't know the language code “tlh”. Choose one of: en, it, de, fr, ar, ko, zh." in result.stdout
    assert "secretariat@we-gov.org" in result.stdout


def test_ask_answers_one_question_without_a_database(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "ask", "how do I contact the secretariat")
    assert result.returncode == 0, result.stderr
    assert "secretariat@we-gov.org" in result.stdout
    assert not (tmp_path / "data" / "wego.sqlite3").exists()


def test_db_upgrade_reports_the_revision(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    from storage.migrate import head_revision

    assert result.stdout.strip() == f"database revision: {head_revision()} (latest: {head_revision()})"


def test_run_without_tokens_is_the_console(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", "--user", "hana", stdin="/contact\n")
    assert result.returncode == 0, result.stderr
    assert "secretariat@we-gov.org" in result.stdout


def _modules_after(tmp_path: Path, argv: list[str], stdin: str = "") -> list[str]:
    code = (
        "import sys\n"
        "from bot.cli import main\n"
        f"main({argv!r})\n"
        "heavy = ('sqlalchemy', 'alembic', 'telegram', 'discord', 'aiohttp')\n"
        "import json\n"
        "print('LOADED', json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-c", code], input=stdin, capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("LOADED ")
    loaded: list[str] = json.loads(line.removeprefix("LOADED "))
    return loaded


def test_ask_stays_off_the_database_and_platform_libraries(tmp_path: Path) -> None:
    # bench/startup measures the speed; this guards the reason it is fast.
    assert _modules_after(tmp_path, ["ask", "how do I contact the secretariat"]) == []


def test_commands_that_talk_to_no_platform_never_import_one(tmp_path: Path) -> None:
    # They need SQLAlchemy (content check builds the router to validate FAQ buttons), never a platform library.
    assert _modules_after(tmp_path, ["content", "check"]) == ["sqlalchemy"]
    assert _modules_after(tmp_path, ["db", "upgrade"]) == ["alembic", "sqlalchemy"]
    assert _modules_after(tmp_path, ["chat", "--user", "zoe"], stdin="/help\n") == ["alembic", "sqlalchemy"]


def test_verify_on_a_new_machine_says_not_valid_instead_of_failing(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "verify", "ABCD-EFGH-JKMN-PQRS")
    assert (result.returncode, result.stdout.strip()) == (1, "NOT VALID: no record has the code ABCD-EFGH-JKMN-PQRS")
    garbage = run_cli(tmp_path, "verify", "nonsense!")
    assert (garbage.returncode, garbage.stderr.strip()) == (1, "NOT A CODE: a code has 16 symbols, this has 9")


def test_broadcast_cli_refuses_a_time_it_cannot_read_and_changes_nothing(tmp_path: Path) -> None:
    from bot.cli.broadcast import progress_bar

    cases = {
        (
            "--at",
            "tomorrow 9",
        ): "I could not read the time “tomorrow 9”. Write it as YYYY-MM-DD HH:MM, e.g. 2026-05-14 15:00.",
        ("--at", "2027-03-28 02:30", "--tz", "Europe/Rome"): (
            "2027-03-28 02:30 does not exist in Europe/Rome (the clocks jump forward then). Choose another time."
        ),
        (
            "--at",
            "2027-01-05 10:00",
            "--tz",
            "Mars/Base",
        ): "Unknown time zone 'Mars/Base'; use an IANA name such as Europe/Rome",
    }
    for extra, message in cases.items():
        result = run_cli(tmp_path, "broadcast", "new", "--to", "everyone", "--text", "hi", *extra, "--yes")
        assert (result.returncode, result.stderr.strip()) == (2, message)
    listing = run_cli(tmp_path, "broadcast", "list")
    assert listing.stdout.strip() == "No broadcast is scheduled or sending."
    assert progress_bar(0, 0).startswith("[" + "." * 30 + "]")
