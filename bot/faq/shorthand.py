"""Chat shorthand spelt out before a message is read: SMS abbreviations ("pk", "cmb", "qd", "xke", "cmq") and
French or Italian elisions typed without their apostrophe ("latelier", "dathenes", "jpeux", "lattestato").

Every cue, question word and function word is listed as it is spelt in full: "qd" would otherwise hide the "when"
of "les ateliers c'est qd", "ki" the "who" of "t ki toi", and "latelier" the workshop. Abbreviations are read per
language (French "ya" is "il y a", Italian "x" is "per"), and only as whole words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Written as `normalize` leaves them: lower case, no accents.
_ABBREVIATIONS: dict[str, dict[str, str]] = {
    "fr": {
        "pk": "pourquoi",
        "pq": "pourquoi",
        "pkoi": "pourquoi",
        "pcq": "parce que",
        "cmb": "combien",
        "cb": "combien",
        "cbien": "combien",
        "ds": "dans",
        "pr": "pour",
        "qd": "quand",
        "qnd": "quand",
        "tt": "tout",
        "ts": "tous",
        "ya": "il y a",
        "ki": "qui",
        "koi": "quoi",
        "ke": "que",
        "jai": "j ai",
        "chui": "je suis",
        "bcp": "beaucoup",
        "mtn": "maintenant",
        "dc": "donc",
        "vs": "vous",
        "ns": "nous",
        "tjs": "toujours",
        "tjrs": "toujours",
        "qqch": "quelque chose",
        "qqn": "quelqu un",
        "mm": "meme",
        "t": "t es",
        "jsp": "je sais pas",
        "cad": "c est a dire",
        "num": "numero",
        "chuis": "je suis",
    },
    "it": {
        "cmq": "comunque",
        "x": "per",
        "xke": "perche",
        "xk": "perche",
        "xche": "perche",
        "pke": "perche",
        "nn": "non",
        "ke": "che",
        "k": "che",
        "cm": "come",
        "km": "come",
        "dv": "dove",
        "qnd": "quando",
        "qlc": "qualcosa",
        "qlcs": "qualcosa",
        "qst": "questo",
        "qsto": "questo",
        "qsta": "questa",
        "anke": "anche",
        "tt": "tutto",
        "sn": "sono",
        "grz": "grazie",
        "cn": "con",
        "sl": "solo",
        "msg": "messaggio",
    },
    "en": {
        "u": "you",
        "r": "are",
        "ur": "your",
        "abt": "about",
        "b4": "before",
        "y": "why",
        "cuz": "because",
        "bc": "because",
        "idk": "i don t know",
        "tmrw": "tomorrow",
        "wht": "what",
        "hw": "how",
    },
    "de": {
        "nen": "einen",
        # Spoken and regional forms ("wat kannst du", "dat selber", "isser abgesagt", "haste ne mailadresse").
        "wat": "was",
        "dat": "das",
        "isser": "ist er",
        "haste": "hast du",
        "kannste": "kannst du",
        "biste": "bist du",
        "weisste": "weisst du",
        "is": "ist",
        "nich": "nicht",
        "nix": "nichts",
        "vllt": "vielleicht",
        "bzw": "beziehungsweise",
        "jz": "jetzt",
        "wg": "wegen",
        # "Vorlesung" as students shorten it ("teil 2 vl 3?").
        "vl": "vorlesung",
        "vls": "vorlesungen",
        "vorl": "vorlesung",
    },
}
_TOKEN = re.compile(r"(?<![\w'’])[a-z0-9]+(?![\w'’])")
# Elided articles, prepositions and pronouns: "l'", "d'", "j'", "m'", "t'", "s'", "n'", "c'", "qu'".
_ELIDED = ("qu", "l", "d", "j", "m", "t", "s", "n", "c")
_ELISION_LANGUAGES = ("fr", "it")
_VOWELS = frozenset("aeiouy")


def spelled_out(plain: str, lang: str, known: Callable[[str], bool]) -> str:
    """`plain` (normalised) with `lang`'s chat abbreviations spelt out and, in French and Italian, an elided word
    glued to the next split off ("latelier" → "l atelier") when the word as typed is not `known` and the rest is."""
    table = _ABBREVIATIONS.get(lang)
    elisions = lang in _ELISION_LANGUAGES
    if table is None and not elisions:
        return plain

    def spelled(found: re.Match[str]) -> str:
        word = found.group()
        if table is not None and word in table:
            return table[word]
        if elisions and len(word) > 3 and not known(word):
            return _elision_split(word, lang, known) or word
        return word

    return _TOKEN.sub(spelled, plain)


def _elision_split(word: str, lang: str, known: Callable[[str], bool], depth: int = 0) -> str | None:
    """`word` as an elided word glued to a known one ("latelier" → "l atelier"), or None. Chat French drops the "e"
    of "je" before anything, and spelt out it is "je" ("jpeux" → "je peux", "jsuis" → "je suis": the cues know
    "je"); "je" may come before another elision ("jminscris" → "je m inscris")."""
    for head in _ELIDED:
        rest = word[len(head) :]
        if not word.startswith(head) or len(rest) < 3:
            continue
        # Elision is before a vowel (not before "h" here: "chat" is not "c hat").
        chat_je = head == "j" and lang == "fr" and rest[:1] not in _VOWELS
        if rest[:1] not in _VOWELS and head != "j":
            continue
        said = "je" if chat_je else head
        if known(rest):
            return f"{said} {rest}"
        if chat_je and depth == 0:
            inner = _elision_split(rest, lang, known, depth + 1)
            if inner is not None:
                return f"{said} {inner}"
    return None
