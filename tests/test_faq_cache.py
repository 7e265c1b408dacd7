"""The on-disk cache of the built FAQ index: used when it fits, rebuilt when stale, ignored when damaged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest

import bot.faq.cache
import bot.faq.cues
import bot.faq.facets
import bot.faq.index
import bot.faq.kinds
import bot.faq.language_index
import bot.faq.subjects
import bot.faq.text
import bot.places.gazetteer
from bot.content import load_content
from bot.faq.index import FaqIndex
from bot.faq.language_index import LanguageIndex
from bot.faq.library import FaqLibrary
from bot.settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"
PARKING = "- id: parking\n  source: staff\n  questions: {en: [Where can I park my car?]}\n  answer: {en: Via Roma.}\n"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The languages whose index part was built from the entries (not read from the cache), in order."""
    built: list[str] = []
    original = LanguageIndex.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[LanguageIndex], entries: object, lang: str) -> LanguageIndex:
        built.append(lang)
        return original(cls, entries, lang)  # type: ignore[no-any-return]

    monkeypatch.setattr(LanguageIndex, "build", classmethod(counting))
    return built


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def answer(index: FaqIndex, question: str) -> str | None:
    best = index.match(question, "en").best
    return best.id if best else None


def test_a_second_process_reads_the_index_instead_of_building_it(tmp_path: Path, builds: list[str]) -> None:
    entries = load_content(CONTENT).faq.entries
    cache = tmp_path / "cache"
    assert answer(FaqIndex(entries, cache_dir=cache), "how do I contact the secretariat") == "contact"
    assert builds == ["en"]
    assert [p.name for p in cache.iterdir()] == ["faq-index-en.bin"]  # no temporary file left behind
    assert answer(FaqIndex(entries, cache_dir=cache), "how do I contact the secretariat") == "contact"
    assert builds == ["en"]


def test_a_changed_faq_file_makes_the_cache_stale_and_it_is_rebuilt(
    tmp_path: Path, content_copy: Path, builds: list[str]
) -> None:
    cache = tmp_path / "cache"
    library = FaqLibrary(content_copy, load_content(content_copy).faq, cache_dir=cache)
    assert answer(library.index(), "how do I contact the secretariat") == "contact"
    stored = (cache / "faq-index-en.bin").read_bytes()

    staff = content_copy / "faq" / "staff.yaml"
    staff.write_text(PARKING)
    os.utime(staff, ns=(staff.stat().st_atime_ns, staff.stat().st_mtime_ns + 1_000_000_000))
    assert answer(library.index(), "Where can I park my car?") == "parking"
    assert builds == ["en", "en"]
    assert (cache / "faq-index-en.bin").read_bytes() != stored
    # A new process with the changed files uses the rebuilt cache.
    fresh = FaqIndex(load_content(content_copy).faq.entries, cache_dir=cache)
    assert answer(fresh, "Where can I park my car?") == "parking"
    assert builds == ["en", "en"]


def test_other_index_code_makes_the_cache_stale(
    tmp_path: Path, builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = load_content(CONTENT).faq.entries
    answer(FaqIndex(entries, cache_dir=tmp_path), "how do I contact the secretariat")
    monkeypatch.setattr(bot.faq.cache, "_CODE_DIGEST", "the digest of another version of bot/faq")
    assert answer(FaqIndex(entries, cache_dir=tmp_path), "how do I contact the secretariat") == "contact"
    assert builds == ["en", "en"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-10] + b"0123456789",  # payload bytes changed
        lambda data: b"",
        lambda data: os.urandom(len(data)),
    ],
    ids=["truncated", "altered", "empty", "garbage"],
)
def test_a_damaged_cache_file_is_ignored_and_rebuilt(tmp_path: Path, builds: list[str], damage: object) -> None:
    entries = load_content(CONTENT).faq.entries
    answer(FaqIndex(entries, cache_dir=tmp_path), "how do I contact the secretariat")
    path = tmp_path / "faq-index-en.bin"
    good = path.read_bytes()
    path.write_bytes(damage(good))  # type: ignore[operator]
    assert answer(FaqIndex(entries, cache_dir=tmp_path), "how do I contact the secretariat") == "contact"
    assert builds == ["en", "en"]
    assert path.read_bytes() == good


def test_an_unwritable_cache_folder_only_costs_a_rebuild(tmp_path: Path, builds: list[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    entries = load_content(CONTENT).faq.entries
    for _ in range(2):
        assert answer(FaqIndex(entries, cache_dir=blocker / "cache"), "how do I contact the secretariat") == "contact"
    assert builds == ["en", "en"]


def test_warming_up_at_start_leaves_every_part_and_the_subject_facets_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.faq.library
    from bot.core.router import Router
    from handlers.faq import warm_up
    from tests.conftest import make_settings

    # A new app's router holds no library yet: warming up builds it, and leaves what it built on disk.
    settings = make_settings(tmp_path)
    content = load_content(PROJECT_ROOT / "content")
    router = Router()
    warm_up(router, settings, content)
    assert isinstance(router.state["faq"], bot.faq.library.FaqLibrary)
    stored = sorted(p.name for p in (settings.data_dir / "cache").iterdir())
    assert [name for name in stored if name.startswith("faq-index-facets-")] != []
    assert {f"faq-index-{lang}.bin" for lang in ("en", "it", "de", "fr", "ar", "ko", "zh")} <= set(stored)


def _edited(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    """Every read of `module`'s source from now on sees it edited."""
    source, read = Path(str(module.__file__)), Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read(path) + (b"\n# edited" if path == source else b""))


@pytest.mark.parametrize(
    "module",
    [bot.faq.index, bot.faq.language_index, bot.faq.text, bot.faq.kinds, bot.faq.cache],
    ids=lambda module: module.__name__,
)
def test_the_index_cache_key_changes_with_the_code_that_builds_what_it_stores(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType
) -> None:
    # Split modules must stay in the key: otherwise an edit to one of them leaves stale parts read as current.
    monkeypatch.setattr(bot.faq.cache, "_CODE_DIGEST", None)
    before = bot.faq.cache._code_digest()
    monkeypatch.setattr(bot.faq.cache, "_CODE_DIGEST", None)
    _edited(monkeypatch, module)
    assert bot.faq.cache._code_digest() != before


@pytest.mark.parametrize(
    "module",
    [bot.faq.facets, bot.faq.subjects, bot.faq.cues, bot.faq.text, bot.places.gazetteer],
    ids=lambda module: module.__name__,
)
def test_the_facet_tables_cache_part_changes_with_the_code_that_reads_subjects(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType
) -> None:
    # The name is kept per process once computed: each call here computes it afresh.
    monkeypatch.setattr(bot.faq.facets, "_FACETS_PARTS", {})
    before = bot.faq.facets._facets_part(None)
    monkeypatch.setattr(bot.faq.facets, "_FACETS_PARTS", {})
    _edited(monkeypatch, module)
    assert bot.faq.facets._facets_part(None) != before
