"""Light stems of a word, one rule per script: Arabic clitics and endings, a language-neutral Latin ending, Korean
particles and sentence endings. Used to index the stored questions and to read a participant's (bot/faq/text.py)."""

from __future__ import annotations

# Arabic clitics: the article and the conjunctions/prepositions glued in front of it, longest first; spoken
# Arabic also glues "this" ("هالبرنامج", this program) and "on the" ("عالموقع").
_AR_PREFIXES = ("وبال", "وكال", "بهال", "وهال", "ولل", "وال", "بال", "كال", "فال", "هال", "عال", "لل", "ال")
# A single glued conjunction or preposition comes off only a long word, so short roots stay whole.
_AR_LETTER_PREFIXES = ("و", "ف", "ب", "ل")
# Plural, dual and possessive endings, and the feminine ending (ta marbuta, folded to ه) so that a singular
# "محاضرة" and its plural "محاضرات" share a stem.
_AR_SUFFIXES = ("ات", "ون", "ين", "ان", "ها", "هم", "كم", "نا", "ه")

# Latin-script light stemming, shared by en/it/de/fr (the index does not know a word's language, and the
# same stem then joins "certificate", "certificato", "certificat"): first a plural ending, then one ending.
_PLURAL = ("s", "x")
_ENDINGS = ("ungen", "ung", "ions", "ion", "ing", "ed", "en", "er", "es", "e", "i", "a", "o", "y")
_MIN_STEM = 4

# Korean particles and sentence endings glued to a word, longest first.
_KO_ENDINGS = tuple(
    sorted(
        " ".join(
            [
                "은 는 이 가 을 를 에 에서 에게 의 도 로 으로 와 과 랑 이랑 만 까지 부터 요 나요 인가요 이에요",
                # Spoken "to" (a person): "몇 명한테", to how many.
                "한테 한테서",
                "예요 에요 이야 야 임 음 함 죠 지요 는지 인지 할까요 있나요 있어요 있음",
                "되나요 돼요 됨 해요 하나요 합니다 입니다 이요 들 님",
                # Spoken endings: the past ("생겼어요", "참여했어요"), "-어요/-아요", and "-는데" ("듣는데", but).
                "어요 아요 었어요 았어요 였어요 했어요 었나요 았나요 했나요 는데 인데 은데",
                # The spoken nominaliser "거" (for "것"): "듣는거", "받는거", "신청하는거".
                "는거 은거 인거 던거 는건 는게",
                # Asking for something ("소개해줘", "알려줘요") and adverbs ("간단하게").
                "해줘요 해주세요 해줘 줘요 줘 하게",
                # Plain-speech question endings ("몇개냐", "하니").
                "이냐 하냐 냐 이니",
                # The formal style ("무엇입니까", "받습니까", "진행됩니까", "주시겠습니까").
                "입니까 습니까 됩니까 합니까 십니까 하십니까 겠습니까 시겠습니까 주시겠습니까",
                "었습니까 았습니까 였습니까",
                "했습니까 됩니다 합니다 습니다 입니다",
                # A verb made of a noun ("구성되어"): the noun.
                "되어 되어요",
                # "In order to", "and", "must", a request ("연락하려면", "예약하고", "신청해야", "발급해 주나요"):
                # the noun the verb is made of.
                "하려면 으려면 려면 하고 해야 해",
            ]
        ).split(),
        key=len,
        reverse=True,
    )
)


def arabic_stem(word: str) -> str:
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    else:
        if len(word) >= 5 and word[0] in _AR_LETTER_PREFIXES:
            word = word[1:]
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def is_arabic(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in word)


def latin_stem(word: str) -> str:
    """A light, language-neutral stem: "lectures"/"lecture" → "lectur", "lezioni"/"lezione" → "lezion"."""
    if word.isdigit():
        return word
    if len(word) >= _MIN_STEM and word.endswith(_PLURAL) and not word.endswith("ss"):
        word = word[:-1]
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def korean_stem(word: str) -> str:
    """A Korean word without the particles or ending glued to it: "수료증은" → "수료증", "온라인으로만" →
    "온라인" (a particle can follow another), "강이에요" → "강" (an ending of two syllables or more is never
    the end of a noun, so a one-syllable noun is left)."""
    for _round in range(2):
        for ending in _KO_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= (1 if len(ending) > 1 else 2):
                word = word[: -len(ending)]
                break
        else:
            break
    return word
