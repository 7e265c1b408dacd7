"""The language a message is written in, when it can be told: replies follow the language people write in.

A person who has not chosen a language is answered in the platform's idea of theirs (Telegram's app language),
and on Discord and the console there is none. Someone writing German under an English Telegram, or in a Discord
server, should still be answered in German. So free text is read for its language, and only a confident reading
counts; otherwise the reply stays in the language it would have been in:

- Arabic, Korean and Chinese by their scripts (Hangul or Han beside a few Latin words is still Korean or Chinese;
  kana is Japanese, which the bot does not speak);
- English, Italian, German and French by their function words (stopwords-iso, PyPI `stopwordsiso`), counting only
  words that belong to one of the four lists, and the letters only one of them uses (ß, ä, ö, ü; ç, œ, ê …). One
  language must lead clearly: "ciao", "ok", "Milano?" or "workshop" tell nothing and change nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

# Latin-script languages told apart by their words.
_LATIN = ("en", "it", "de", "fr")
# Letters that, typed, belong to one of the four only.
_OWN_LETTERS = {"ß": "de", "ä": "de", "ö": "de", "ü": "de", "ç": "fr", "œ": "fr", "ê": "fr", "â": "fr", "î": "fr"}
_OWN_LETTERS |= {"û": "fr", "ë": "fr", "ï": "fr", "ò": "it", "ì": "it"}
# What says nothing about the language: addresses, handles, commands, numbers.
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#/]\w+|\d+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# A Latin reading counts with at least this many votes (a word of one list is one, of two lists half), and this
# many times the runner-up's.
_MIN_VOTES = 1.5
_LEAD = 2.0


def _script(char: str) -> str | None:
    code = ord(char)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return "ar"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "ko"
    if 0x3040 <= code <= 0x30FF:
        return "kana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
        return "zh"
    if (char.isalpha() and char.isascii()) or unicodedata.name(char, "").startswith("LATIN"):
        return "latin"
    return None


@lru_cache(maxsize=1)
def _function_words() -> dict[str, tuple[str, ...]]:
    """Each function word of the four Latin lists → the languages whose list holds it."""
    import stopwordsiso

    found: dict[str, tuple[str, ...]] = {}
    for lang in _LATIN:
        for word in stopwordsiso.stopwords(lang):
            key = word.casefold()
            found[key] = (*found.get(key, ()), lang)
    # The English list is the longest and takes in words of the others ("per", "il", "come", "je"): a word it
    # shares with them votes for them only.
    return {word: tuple(lang for lang in langs if lang != "en") or langs for word, langs in found.items()}


def written_language(text: str) -> str | None:
    """The language `text` is written in, one of the bot's seven, or None when it cannot be told confidently."""
    text = _NOISE.sub(" ", text)
    scripts = Counter(script for char in text if (script := _script(char)) is not None)
    letters = sum(scripts.values())
    if not letters:
        return None
    if scripts["kana"]:
        return None
    for lang in ("ko", "zh", "ar"):
        # A few Latin words (an English term, a city's name) do not change the language of the rest.
        if scripts[lang] >= 2 and scripts[lang] * 3 >= letters:
            return lang
    if scripts["latin"] * 2 < letters:
        return None
    function_words = _function_words()
    votes: dict[str, float] = dict.fromkeys(_LATIN, 0.0)
    for word in _WORD.findall(text.casefold()):
        # A word of several lists ("la", "die", "a") is a vote shared between them.
        langs = function_words.get(word.replace("’", "'"), ())
        for lang in langs:
            votes[lang] += 1 / len(langs)
    for char in text.casefold():
        own = _OWN_LETTERS.get(char)
        if own is not None:
            votes[own] += 1
    (first, lead), (_, second) = sorted(votes.items(), key=lambda item: -item[1])[:2]
    if lead < _MIN_VOTES or lead < _LEAD * second:
        return None
    return first
