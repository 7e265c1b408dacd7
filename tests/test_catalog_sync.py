"""Guards that keep every user-visible string reachable by translators."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot.settings import PROJECT_ROOT

SOURCE_DIRS = ("bot", "handlers", "storage", "scheduler")
# Babel's extractor cannot see a gettext call inside an f-string on Python 3.11.
GETTEXT_IN_FSTRING = re.compile(r"""\bf(["'])[^"'\n]*\{\s*(?:_|ngettext)\(""")


def test_no_gettext_call_hides_inside_an_f_string() -> None:
    offenders = []
    for directory in SOURCE_DIRS:
        for path in sorted((PROJECT_ROOT / directory).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                # `_(route.help)` translates a docstring that the extractor collects separately.
                if GETTEXT_IN_FSTRING.search(line) and "_(route.help)" not in line:
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}")
    assert offenders == []


def test_the_catalog_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    out = tmp_path / "messages.pot"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_", "-k", "N_", "-k", "ngettext:1,2", "-o", str(out), "."],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    with out.open("rb") as fresh, (PROJECT_ROOT / "locales" / "messages.pot").open("rb") as stored:
        fresh_ids = {m.id for m in read_po(fresh) if m.id}
        stored_ids = {m.id for m in read_po(stored) if m.id}
    assert sorted(map(str, fresh_ids - stored_ids)) == [], "run scripts/update-translations"
    assert sorted(map(str, stored_ids - fresh_ids)) == [], "run scripts/update-translations"
