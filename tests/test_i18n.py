from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES_DIR, _, ngettext, normalize_language, translations, use_locale
from bot.settings import LANGUAGES
from tests.helpers import ChatDriver

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")
# Every program language must be fully translated (English is the source).
COMPLETE_LANGUAGES = ("it", "de", "fr", "ar", "ko", "zh")


def _catalog(lang: str, directory: Path = LOCALES_DIR) -> Catalog:
    with (directory / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def placeholder_problems(catalog: Catalog) -> list[str]:
    """Translations whose {placeholders} or HTML tags differ from their source string."""
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        tags = sorted(TAG.findall(ids[-1]))
        for string in strings:
            if not string:
                continue
            if sorted(PLACEHOLDER.findall(string)) != expected and not (
                # A one-form plural may drop the number where the language does not need it.
                len(ids) > 1 and set(PLACEHOLDER.findall(string)) <= set(expected)
            ):
                problems.append(f"{catalog.locale}: {ids[0]!r}: placeholders {PLACEHOLDER.findall(string)}")
            if sorted(TAG.findall(string)) != tags:
                problems.append(f"{catalog.locale}: {ids[0]!r}: tags {TAG.findall(string)}")
    return problems


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_catalog_placeholders_and_tags_match_the_source(lang: str) -> None:
    assert placeholder_problems(_catalog(lang)) == []


def test_the_placeholder_check_catches_a_broken_translation() -> None:
    catalog = Catalog(locale="ar")
    catalog.add("Hello, {name}!", "مرحبا {nom}!")
    catalog.add("<b>Part {number}</b>: {title}", "الجزء {number}: {title}")
    assert placeholder_problems(catalog) == [
        "ar: 'Hello, {name}!': placeholders ['{nom}']",
        "ar: '<b>Part {number}</b>: {title}': tags []",
    ]


@pytest.mark.parametrize("lang", COMPLETE_LANGUAGES)
def test_complete_languages_translate_every_string(lang: str) -> None:
    template = _catalog_template()
    catalog = _catalog(lang)
    missing = []
    for message in template:
        found = catalog.get(message.id) if message.id else None
        # A fuzzy entry is a guess that is never compiled: to the user it is untranslated.
        if message.id and not (found and not found.fuzzy and _translated(found.string)):
            missing.append(message.id)
    assert missing == []


def _catalog_template() -> Catalog:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        return read_po(handle)


def _translated(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def test_untranslated_strings_fall_back_to_english_one_by_one(tmp_path: Path) -> None:
    catalog = Catalog(locale="it")
    catalog.add("List the commands.", "Elenca i comandi.")
    catalog.add("Main menu", "")
    po = tmp_path / "it" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as handle:
        write_po(handle, catalog)
    it = translations("it", tmp_path)
    assert it.gettext("List the commands.") == "Elenca i comandi."
    assert it.gettext("Main menu") == "Main menu"
    assert it.gettext("Never seen before") == "Never seen before"


def test_arabic_plural_forms() -> None:
    with use_locale("ar"):
        forms = {n: ngettext("{n} winner", "{n} winners", n).format(n=n) for n in (0, 1, 2, 3, 11, 100)}
    assert len(set(forms.values())) == 6, forms


def test_language_hints_are_normalized() -> None:
    assert [normalize_language(x) for x in ["ar-EG", "zh_TW", "pt-BR", "KO", None, ""]] == [
        "ar",
        "zh",
        None,
        "ko",
        None,
        None,
    ]
    with use_locale("xx"):
        assert _("Main menu") == "Main menu"


async def test_language_choice_wins_over_the_platform_hint(chat: Callable[..., ChatDriver]) -> None:
    user = chat("7", platform="telegram", locale_hint="ar-EG")
    await user.send("/start")
    assert user.last[0].lang == "ar"
    assert "مرحبا" in user.text
    await user.send("/language en")
    assert user.text.startswith("From now on I will answer in English.")
    await user.send("/start")
    assert user.last[0].lang == "en" and user.text.startswith("Hello, 7!")
    await user.send("/language klingon")
    assert user.text == "I don't know the language code “klingon”. Choose one of: en, it, de, fr, ar, ko, zh."


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_command_help_fits_a_discord_description(lang: str) -> None:
    # Discord cuts slash-command descriptions at 100 characters without an ellipsis.
    from handlers import build_router

    with use_locale(lang):
        too_long = {
            name: len(_(route.help)) for name, route in build_router().commands.items() if len(_(route.help)) > 100
        }
    assert too_long == {}
