"""The built FAQ index kept on disk, so a new process (`wego-bot ask`, a restart) does not rebuild it.

Building a language's part of the index tokenizes every stored wording and answer (~90 ms for English);
reading it back is a few milliseconds. One file per language part (and one for what is shared), each
starting with a key: a hash of everything the index is built from (the FAQ entries' ids, wordings and
answers as loaded), of the code that builds it (the source of the bot/faq modules) and of the Python version
(marshal's format is only stable within one). A file with another key is stale and rebuilt; a file whose
payload does not match its checksum, or that cannot be read or decoded, is ignored and rebuilt. Files are
written to a temporary name and renamed, so a reader never sees half a file.

marshal, not pickle: the payload is plain dicts, lists and numbers, and decoding it runs no code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import marshal
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.content.models import FaqEntry

log = logging.getLogger(__name__)

_MAGIC = b"wego-faq-index 1\n"
# The modules whose code decides what a built index contains.
_CODE = ("index.py", "language_index.py", "text.py", "kinds.py", "cache.py", "../domain/scripts.py")
_CODE_DIGEST: str | None = None


def _code_digest() -> str:
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        digest = hashlib.sha256(f"{sys.version_info[:2]} {marshal.version}".encode())
        folder = Path(__file__).parent
        for name in _CODE:
            digest.update((folder / name).read_bytes())
        _CODE_DIGEST = digest.hexdigest()
    return _CODE_DIGEST


def cache_key(entries: Sequence[FaqEntry]) -> str:
    """Changes whenever an entry's wordings or answer, or the index code, change."""
    content = json.dumps(
        [(entry.id, entry.questions, entry.answer) for entry in entries], ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256((_code_digest() + content).encode()).hexdigest()


class IndexCache:
    """Files `faq-index-<part>.bin` in one folder; every failure to read or write only costs a rebuild."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key.encode()

    def path(self, part: str) -> Path:
        return self.folder / f"faq-index-{part}.bin"

    def load(self, part: str) -> object | None:
        """The stored value, or None when missing, stale or damaged."""
        try:
            data = self.path(part).read_bytes()
        except OSError:
            return None
        header = _MAGIC + self.key + b"\n"
        if not data.startswith(header):
            return None  # another version of the FAQ or of the code: stale
        checksum, _newline, payload = data[len(header) :].partition(b"\n")
        if checksum != hashlib.sha256(payload).hexdigest().encode():
            log.warning("FAQ index cache %s is damaged; rebuilding it", self.path(part))
            return None
        try:
            value: object = marshal.loads(payload)
            return value
        except (EOFError, ValueError, TypeError):
            log.warning("FAQ index cache %s cannot be decoded; rebuilding it", self.path(part))
            return None

    def store(self, part: str, value: Any) -> None:
        """`value` is made of what marshal can write: dicts, lists, tuples, sets, strings and numbers."""
        written: str | None = None
        try:
            payload = marshal.dumps(value)
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".faq-index-", delete=False) as tmp:
                written = tmp.name
                tmp.write(_MAGIC + self.key + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n")
                tmp.write(payload)
            os.replace(written, self.path(part))
        except (OSError, ValueError) as exc:
            # A read-only or full disk: the bot still answers, it only builds the index again next time.
            log.warning("cannot write the FAQ index cache in %s: %s", self.folder, exc)
            if written is not None:
                with contextlib.suppress(OSError):
                    os.unlink(written)
