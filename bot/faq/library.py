"""The FAQ a running bot answers from: built once per app, lazily, and rebuilt when staff edit a file.

Staff edit the FAQ files while the bot runs and `wego-bot questions answer --save-faq` appends to them from
another process, so the index notices a changed file (one `stat` per file and question) and reloads the FAQ;
a file broken by an edit keeps the last good index and is reported in the log and by `content check`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.content.loader import FAQ_DIR, STAFF_FAQ_FILE, ContentError, load_faq, load_faq_file
from bot.content.models import Faq, FaqEntry
from bot.faq.index import FaqIndex
from bot.places.gazetteer import City, Gazetteer

log = logging.getLogger(__name__)


class FaqLibrary:
    """The FAQ's entries, their index and the place names questions are read with. The app builds one (handlers/
    faq.py keeps it on the app's router); `cache_dir` keeps what is built between processes (bot/faq/cache.py)."""

    def __init__(
        self, content_dir: Path, faq: Faq, cache_dir: Path | None = None, cities: tuple[City, ...] = ()
    ) -> None:
        self.content_dir = content_dir
        self.cache_dir = cache_dir
        self.cities = cities
        self._faq = faq
        self._stamp = self._current_stamp()
        self._index: FaqIndex | None = None
        self._places: Gazetteer | None = None

    def _current_stamp(self) -> tuple[tuple[str, int], ...]:
        folder = self.content_dir / FAQ_DIR
        stamps = []
        for path in sorted(folder.glob("*.yaml")):
            try:
                stamps.append((path.name, path.stat().st_mtime_ns))
            except OSError:
                continue
        return tuple(stamps)

    def _refresh(self) -> None:
        stamp = self._current_stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        faq, problems = load_faq(self.content_dir)
        if problems:
            log.error("FAQ files changed but are broken; still answering from the last good FAQ:\n%s", problems)
            return
        self._faq, self._index = faq, None

    @property
    def faq(self) -> Faq:
        self._refresh()
        return self._faq

    def index(self) -> FaqIndex:
        self._refresh()
        if self._index is None:
            self._index = FaqIndex(self._faq.entries, cache_dir=self.cache_dir)
        return self._index

    @property
    def places(self) -> Gazetteer:
        """The workshop cities, countries and continents in their seven languages' names (built once)."""
        if self._places is None:
            self._places = Gazetteer(self.cities, self.cache_dir)
        return self._places

    def get(self, entry_id: str) -> FaqEntry | None:
        return self.faq.get(entry_id)


def save_staff_entry(
    content_dir: Path, *, entry_id: str, question: str, language: str, answer: str, added_by: str, now: datetime
) -> Path:
    """Append an entry to the staff FAQ file, keeping staff's own comments and edits in it.

    The file is validated after writing; if the new text breaks it, the old text is put back and ContentError
    says why. Saving an id the file already has changes nothing, so a retried save cannot duplicate it.
    """
    path = content_dir / FAQ_DIR / STAFF_FAQ_FILE
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if old.strip():
        existing, _problems = load_faq_file(path)
        if any(e.id == entry_id for e in existing):
            # Saved before, by an attempt whose database transaction then failed: saving again is a no-op.
            return path
    entry: dict[str, Any] = {
        "id": entry_id,
        "source": "staff",
        "questions": {language: [question]},
        "answer": {language: answer},
        "added_by": added_by,
        "added_at": now.isoformat(timespec="seconds"),
    }
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=10_000)
    header = "" if old.strip() else "# FAQ entries saved by staff from answered questions. Edit freely.\n"
    separator = "" if not old or old.endswith("\n") else "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(old + separator + header + "\n" + block, encoding="utf-8")
    _entries, problems = load_faq_file(path)
    if problems:
        path.write_text(old, encoding="utf-8")
        raise ContentError(problems)
    return path
