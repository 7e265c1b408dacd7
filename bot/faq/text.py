"""Normalising and tokenizing questions in seven languages and three kinds of script.

Spaced scripts (Latin, Arabic) give light-stemmed whole words plus character n-grams of each word, so a typo, an
inflection or a missing accent still shares most of its n-grams with the right word. Chinese has no spaces and
Korean glues particles to words, so Han and Hangul runs give character unigrams and bigrams instead (the standard,
dictionary-free way to index CJK text); Korean words also give their stem with the trailing particle cut off.

Words that only say how a question is asked ("what", "the", "est-ce", "吗") are dropped in every language, so
they neither decide a match nor make an out-of-scope question look close to an entry.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from bot.domain.scripts import script_of
from bot.faq.stems import arabic_stem, is_arabic, korean_stem, latin_stem

# Arabic letters that people write interchangeably; the hamza-carrying alefs lose their hamza (a combining
# mark after NFKD) in `normalize` already.
_ARABIC_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "ـ": None, "گ": "ك", "پ": "ب", "ڤ": "ف", "ء": None})
_WORD = re.compile(r"[^\W_]+")
# Loanwords Korean writes two ways.
_KO_SPELLINGS = {"워크샵": "워크숍", "웍샵": "워크숍", "싸이트": "사이트"}
# Chat Korean types the polite ending "요" as "여" ("알려주세여", "있나여", "뭐에여"): after the syllables that end a
# polite sentence, at the end of a word.
_KO_YEO = re.compile(r"(?<=[세나에해어아까죠줘워봐])여(?![\uac00-\ud7a3])")
_AR_CATEGORY = re.compile(r"(?<![\u0621-\u064a])((?:وال|بال|فال|لل|ال|[وبلفك])?)فئ")
# Digits of other scripts (Arabic-Indic "٣٨", Persian "۳۸", full-width "３８") as ASCII digits: "٣٨ سنة" is an age.
_DIGITS = str.maketrans({chr(base + n): str(n) for base in (0x0660, 0x06F0, 0xFF10) for n in range(10)})

# Words that say how a question is asked, not what it is about, in the seven languages (normalised: no
# accents, Arabic letters folded). Words that carry the kind of answer wanted ("when", "where", "who", "how
# many", "cost") are kept: they tell the dates of a workshop from its cities. Italian "ai" is missing on
# purpose: it is also "AI".
_STOPWORDS_RAW = " ".join(
    [
        "what whats how hows which why a an the is are was were be been am do does did doing i im me my you",
        "your u we our us it its this that these those",
        "of to in on at for with and or so if then than as by from into about please pls plz tell explain",
        "know want wanna would r ur ya wat wats guys folks many much",
        "could should can will shall may might there any some just also still get got have has had",
        "any anything something thing things like ok okay hi hello hey thanks thank yes no not dont",
        "il lo la le gli i un una uno l di da del dello della dei degli delle al allo alla agli alle nel",
        "nella nei",
        "negli nelle sul sulla e ed o che cosa cos come quale quali perche mi ti si ci vi ne sono sei siamo",
        "ho hai ha abbiamo per con su",
        "questo questa quello quella c e sto sta ma dimmi parlami parli spiegami anche se io tu lui lei noi",
        "voi loro mio mia tuo tua po",
        "was wie welche welcher welches warum der die das den dem des ein eine einen einem einer eines ist",
        "sind bin bist war und oder ich du er sie es wir",
        "ihr mir mich dir dich uns euch kann konnen gibt zu mit fur von vom zum zur im am an auf aus bei nach",
        "auch noch mal denn doch ja nein nicht so eigentlich genau bitte ne nen erzahl erklar",
        "kommt komme kommen krieg kriege kriegt kriegen bekomme bekommst bekommt bekommen dran drin gabs gibts",
        "trotzdem beim wird wurde",
        "comment quel quelle quels quelles pourquoi le la les l un une des du de d et ou est sont suis es c",
        "ca cela ce cet cette ces qu que quoi je j tu il elle on",
        "nous vous ils elles me m te t se s mon ma mes ton ta tes son sa ses pour avec sur dans au aux y en",
        "est-ce",
        "faut peux peut veux voudrais svp stp genre bon alors parle dis explique aurai aura aurais aurait",
        # Italian chat's "like" ("tipo, si fa da casa?"), as French "genre".
        "tipo",
        # Adverbs that only insist ("exactly", "concretely"): not what a question is about.
        "exactly basically actually esattamente praticamente concretamente concretement exactement ungefahr",
        "really realy truly davvero veramente wirklich echt vraiment vrmt koi kwa overall roughly approximately",
        "circa grossomodo ungefahr etwa environ تقريبا 대략 大概 大约",
        "في من على عن ما ماذا لماذا كيف هل انا انت هو هي هذا هذه ذلك تلك الى او و ف ب ل ثم يا اي شو ايش ايه",
        "اللي الي لو",
        # The article or a preposition with it written apart, before an English word ("بالـ partners", "الـ award").
        "ال بال وال فال لل كال",
        # "Total", "in all": any count's ("عدد المحاضرات الكلي" is the lectures', not the winners' whose wording
        # says "العدد الكلي").
        "كلي الكلي",
        "عندي عندك بدي ممكن يعني احكيلي حدثني اخبرني قلي",
        # Prepositions with a pronoun glued on ("with you", "for us"), and dialect words for "this", "all", "thing".
        "معكم معك معي معنا عندكم عندنا لكم لك لي لنا منكم منك مني علينا عليكم عليك علي فيكم فيك الكم الك",
        "هاد هادا هيدا هيدي هاي هادي كل كله كلها كلهم شي اشي فعلا حقا بالضبط",
    ]
).split()
# Chinese characters and words that only frame a question; they are dropped before bigrams are taken.
_ZH_STOP = frozenset("的了吗呢吧啊呀么嘛什怎我你您他她它们是在和与及就也都还请问")
KO_STOPWORDS = frozenset(
    " ".join(
        [
            "좀 그 이 저 제 저는 제가 나 내가 혹시 그냥 알려 알려줘 주세요 이거 그거 저거 이건 이게",
            "궁금해요 궁금합니다 뭐 뭔가요 뭐예요 뭐야 어떻게 무엇",
            # Verb forms that only carry the sentence ("doing", "is it ok", "is there").
            "하는 해도 돼요 돼 되나요 되요 있어요 있나요 있음 있어 해요 하나요 해",
        ]
    ).split()
)


def normalize(text: str) -> str:
    """Case-folded, accents and Arabic diacritics dropped, Arabic letter variants unified; Hangul kept whole."""
    if text.isascii():
        return text.casefold()
    if "فئ" in text:
        # "فئة" (a category) would lose its hamza and read "فيه" (in it), a function word: "فييه" stays apart.
        text = _AR_CATEGORY.sub(r"\1فيئ", text)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # NFC puts Hangul syllables back together after NFKD split them into jamo.
    text = unicodedata.normalize("NFC", stripped).translate(_ARABIC_FOLD).translate(_DIGITS)
    for variant, standard in _KO_SPELLINGS.items():
        text = text.replace(variant, standard)
    if "여" in text:
        text = _KO_YEO.sub("요", text)
    return text


# The FAQ reads at most this much of a message: no question needs more, and matching cost grows with length.
MAX_READ = 160


def _runs(word: str) -> list[tuple[str, str]]:
    """A word split where its script changes: "파트2" → [("hangul", "파트"), ("spaced", "2")]."""
    runs: list[tuple[str, str]] = []
    for char in word:
        script = script_of(char)
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + char)
        else:
            runs.append((script, char))
    return runs


def split_compound(word: str, known: set[str] | frozenset[str]) -> list[str]:
    """A Korean word no entry uses split into words that entries do use: "청년창업" → ["청년", "창업"] (Korean
    writes compounds with or without the space), and a whole question typed without spaces, "위고챔피언스가뭐에요"
    → ["위고", "챔피언스가", "뭐에요"] (the last pieces may be words that only frame the question); any other
    word is returned alone."""
    if word.isascii():
        return _latin_compound(word, known)
    if len(word) < 4 or word in known or script_of(word[0]) != "hangul" or korean_stem(word) in known:
        return [word]
    for cut in range(2, len(word) - 1):
        left, right = word[:cut], word[cut:]
        if left in known and (right in known or korean_stem(right) in known):
            return [left, right]
    if len(word) <= _KO_RUN:
        pieces = _pieces(word, known, {})
        if pieces is not None and len(pieces) > 1:
            return pieces
    return [word]


# A German compound is split only into two known words of at least this many letters each.
_COMPOUND_PART = 4


def _latin_compound(word: str, known: set[str] | frozenset[str]) -> list[str]:
    """A German compound no entry uses, split into two words that entries use: "workshopzertifikat" →
    ["workshop", "zertifikat"], "teilnahmebescheinigung" → ["teilnahme", "bescheinigung"] (a joining "s" after
    the first word is dropped: "bewerbungsfrist"). The longest known first word wins."""
    if len(word) < 2 * _COMPOUND_PART + 1 or word in known or word.isdigit():
        return [word]
    for cut in range(len(word) - _COMPOUND_PART, _COMPOUND_PART - 1, -1):
        left, right = word[:cut], word[cut:]
        if left not in known:
            continue
        if right in known:
            return [left, right]
        if right[0] == "s" and len(right) > _COMPOUND_PART and right[1:] in known:
            return [left, right[1:]]
    return [word]


# A run of Hangul at most this long is tried as several words typed without spaces.
_KO_RUN = 16


def _pieces(word: str, known: set[str] | frozenset[str], tried: dict[str, list[str] | None]) -> list[str] | None:
    """`word` as known words (perhaps with particles) and framing words, longest first from the left; None when
    it cannot be read so. `tried`: the ends already read (each is read once)."""
    if word in tried:
        return tried[word]
    stem = korean_stem(word)
    found: list[str] | None = None
    if word in known or stem in known or word in KO_STOPWORDS or stem in KO_STOPWORDS:
        found = [word]
    else:
        for cut in range(len(word) - 1, 1, -1):
            left = word[:cut]
            if left in known or korean_stem(left) in known:
                rest = _pieces(word[cut:], known, tried)
                if rest is not None:
                    found = [left, *rest]
                    break
    tried[word] = found
    return found


# Short forms people type for the words entries use: "cert", "vids", "unis".
_SHORT_FORMS = {
    "cert": "certificate",
    "certs": "certificates",
    "vid": "video",
    "vids": "videos",
    "uni": "university",
    "unis": "universities",
    "info": "information",
    "ppl": "people",
    "sub": "subtitle",
    "subs": "subtitles",
    "infos": "information",
    # Other words participants use for what the entries call the course and the certificate.
    "formation": "cours",
    "formations": "cours",
    "formazione": "corso",
    "diplome": "certificat",
    "conference": "cours",
    "conferences": "cours",
    "certif": "certificat",
    "diplom": "zertifikat",
    "schulung": "kurs",
    "lehrgang": "kurs",
    # French chat: "kel" for "quel".
    "kel": "quel",
    "kels": "quels",
    "kelle": "quelle",
    # English words in Arabic letters.
    "سيرتفيكيت": "شهاده",
    "سيرتيفيكيت": "شهاده",
    "سيرتفكيت": "شهاده",
    "سرتفكيت": "شهاده",
    "ليكتشر": "محاضره",
    "ليكشر": "محاضره",
    "ديدلاين": "موعد",
    "الديدلاين": "موعد",
    # The secretariat as the loanword ("السكرتارية"), as the entries name it ("الأمانة").
    "سكرتاريه": "امانه",
    "السكرتاريه": "الامانه",
    "سكرتاريا": "امانه",
}


# Arabic names of one thing in two words, whose second word alone means something else: "الأمانة العامة" (the
# Secretariat; "العامة" alone reads "year"), "الأمين العام" (the Secretary General).
_AR_PHRASES = {"الامانه العامه": "الامانه", "الامين العام": "الامين"}
# English words written in Arabic letters, as the entries' Arabic words: "ورك شوب" (workshop), "سيرتفيكيت"
# (certificate), "ليكتشر" (lecture), "سب تايتل" (subtitle), "ديدلاين" (deadline).
_AR_LOANS = {
    "ورك شوب": "ورشه",
    "وركشوب": "ورشه",
    "الورك شوب": "الورشه",
    "الوركشوب": "الورشه",
    "سب تايتل": "ترجمه",
    "السب تايتل": "الترجمه",
    "سبتايتل": "ترجمه",
}


_KO_PART = re.compile(r"(?<=\d)부(?:에서는|에서|에는|는|의|에|도|가|를|은|랑)(?!\w)")


def words(text: str) -> list[str]:
    """The content words of a text (stopwords dropped), normalised and Arabic clitics cut; CJK runs whole."""
    out = []
    plain = normalize(text)
    if "الام" in plain:
        for phrase, word in _AR_PHRASES.items():
            plain = plain.replace(phrase, word)
    if "ورك" in plain or "تايتل" in plain:
        for phrase, word in _AR_LOANS.items():
            plain = re.sub(rf"(?<!\w){phrase}(?!\w)", word, plain)
    if "부" in plain:
        # "1부는", "2부의": a part by its number, the particle cut ("부" alone is too short for the stemmer).
        plain = _KO_PART.sub("부", plain)
    for word in _WORD.findall(plain):
        word = _SHORT_FORMS.get(word, word)
        # Most words are plain ASCII: one spaced run, no script to look up per character.
        for script, run in [("spaced", word)] if word.isascii() else _runs(word):
            if script == "spaced" and not run.isascii() and is_arabic(run):
                run = arabic_stem(run)
            if run in STOPWORDS or _glued_stopword(run):
                continue
            out.append(run)
    return out


# Two-letter function words that "and", "in", "for" are glued to ("each", "what", "who", "he", "she", "not", "how
# many", "in"). Not
# "اي": "واي فاي" is Wi-Fi.
_AR_GLUED_FUNCTION = frozenset(["كل", "شو", "ما", "من", "هو", "هي", "لا", "كم", "في"])


def _glued_stopword(word: str) -> bool:
    """ "And", "in", "for" glued to a two-letter function word ("بكل", in each; "وشو", and what; "لكل"): the
    stemmer cuts a glued letter off longer words only, so the pair is read as the function word it holds."""
    return len(word) == 3 and word[0] in "وبلف" and word[1:] in _AR_GLUED_FUNCTION


def _spaced_features(word: str, found: Counter[str]) -> None:
    if word.isdigit():
        found["n" + word] += 1
        if 2 <= len(word) <= 3:
            # Its magnitude too: "I'm 34" is near the age rule's "35" and "36"; years (4 digits) stay exact.
            found["m" + word[:-1]] += 1
        return
    found["w" + (latin_stem(word) if word.isascii() or not is_arabic(word) else word)] += 1
    padded = f"<{word}>"
    for size in (3, 4):
        for i in range(len(padded) - size + 1):
            found[f"{size}{padded[i : i + size]}"] += 1


def _cjk_features(run: str, script: str, found: Counter[str]) -> None:
    if script == "han":
        # Chinese question framing ("吗", "的", "我") would otherwise glue onto every content bigram.
        pieces = [p for p in re.split("[" + "".join(_ZH_STOP) + "]", run) if p]
    else:
        stem = korean_stem(run)
        if run in KO_STOPWORDS or stem in KO_STOPWORDS:
            # "어떻게해" (how do I) is "어떻게" with its ending: a framing word too.
            return
        if len(stem) > 1:
            found["w" + stem] += 1
        pieces = [stem]
    for piece in pieces:
        for char in piece:
            found["c" + char] += 1
        for i in range(len(piece) - 1):
            found["b" + piece[i : i + 2]] += 1


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    """jieba's tokenizer with its shipped dictionary, loaded on the first Chinese text (about half a second;
    jieba keeps the parsed dictionary in the temporary folder for the next process)."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    return jieba.Tokenizer()


def chinese_words(run: str) -> list[str]:
    """A run of Han characters as words: "会场附近有停车场吗" → ["会场", "附近", "停车场"]; question particles and
    framing characters ("吗", "的", "我") dropped."""
    # Dictionary words only (no HMM guesses): a guessed word such as "能报" is not something to look up.
    return [w for w in _segmenter().lcut(run, HMM=False) if w.strip() and not all(c in _ZH_STOP for c in w)]


def lexicon_words(content_words: list[str]) -> list[str]:
    """Words as the FAQ's vocabulary keeps them: a Han run (from `words`) split into its words, others as they
    are. Features still come from the whole run's characters and bigrams, which find a match across segmentation
    differences; the words tell whether a question names something no entry knows."""
    out: list[str] = []
    for word in content_words:
        if not word.isascii() and script_of(word[0]) == "han":
            out.extend(chinese_words(word))
        else:
            out.append(word)
    return out


def coverage_features(
    content_words: list[str], known: Callable[[str], bool], asks: Callable[[str], bool]
) -> Counter[str]:
    """`features_of`, but a Han run's bigrams only within its words (jieba's): "组织这个活动" asks about
    "组织", "这个" and "活动", not "织这" or "个活", which no entry has and which would count as uncovered
    subjects. Single characters side by side may still be a word jieba's dictionary lacks ("网课"): their bigram
    counts when some entry has it (`known`, a feature). Words that only say how the question asks (`asks`:
    "几个", "多少") are left out."""
    if all(word.isascii() or script_of(word[0]) != "han" for word in content_words):
        return features_of(content_words)
    found = features_of([w for w in content_words if w.isascii() or script_of(w[0]) != "han"])
    for word in content_words:
        if word.isascii() or script_of(word[0]) != "han":
            continue
        previous = ""
        for piece in chinese_words(word):
            if len(piece) > 1 and not asks(piece):
                _cjk_features(piece, "han", found)
            elif len(piece) == 1 and len(previous) == 1 and known("b" + previous + piece):
                found["b" + previous + piece] += 1
            previous = piece
    return found


def features(text: str) -> Counter[str]:
    """Counted features of a text; the first character names the family: `w` word (stem), `n` number, `m` a
    number's tens (of a 2-3 digit number), `3`/`4` character n-gram of a word, `c` CJK character, `b` CJK
    bigram."""
    return features_of(words(text))


def features_of(content_words: list[str]) -> Counter[str]:
    """The features of words already split by `words` (and perhaps corrected)."""
    found: Counter[str] = Counter()
    for word in content_words:
        script = "spaced" if word.isascii() else script_of(word[0])
        if script == "spaced":
            _spaced_features(word, found)
        else:
            _cjk_features(word, script, found)
    return found


STOPWORDS = frozenset(arabic_stem(normalize(word)) for word in _STOPWORDS_RAW) | frozenset(
    normalize(word) for word in _STOPWORDS_RAW
)
