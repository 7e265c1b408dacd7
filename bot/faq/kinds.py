"""What kind of answer a question asks for: a time, a place, a person, a number or a price.

"When is the Athens workshop" and "is there a workshop in Athens" share their content words, and the city
name even pulls toward the entry that lists the cities; what tells them apart is the question word. Content
scoring alone weighs "when" like any other word, so the kind of question is detected separately, in every
language, and compared with how each entry's stored wordings ask (see `FaqIndex`).

Only unambiguous cues count: French "prix" and German "Preis" are both a price and a prize, Arabic "من" is
both "who" and "from", so they are not cues (a question without a cue has no kind and is scored on content
alone).
"""

from __future__ import annotations

import functools
import re

from bot.faq.text import normalize

# Whole words (normalised: no accents, Arabic letters folded) per kind, all languages together.
_WORDS = {
    "when": "when date dates day quando data giorno calendario wann datum termin termine tag quand jour"
    # The month ("what months", "in che mese", "in welchem Monat", "quel mois", "اي شهر").
    " month months mese mesi monat monate monaten mois شهر"
    " calendrier متي امتي ايمتي موعد مواعيد تاريخ",
    "where": "where dove dov wo wohin woher اين وين فين فاين",
    "who": "who whose whom chi wer wem wen wessen qui مين منو شكون",
    # A reason: "why attend a workshop" is the workshops' aims, not how to sign up for one.
    "why": "why warum wieso weshalb pourquoi perche لماذا ليش ليه",
    # Spoken Arabic "how much / how many": "قديش", "اديش", "قداش", "كام", Maghrebi "شحال"; Maghrebi "who", "شكون".
    "count": "number quanti quante numero wieviele anzahl combien nombre كم عدد قديش اديش قداش كام شحال",
    "cost": "free cost costs price pay paid fee fees charge gratis gratuito gratuita gratuiti costa costo prezzo"
    " pagare pago pagamento payment kostenlos zahlung kostet kosten bezahlen gebuhr gebuhren umsonst gratuit"
    " gratuite coute payer payant payants payante paiement"
    " frais مجاني مجانا مجانيه ببلاش سعر تكلفه رسوم بكم بكام فلوس ادفع مقابل مجان بالمجان",
}
# Several words together (Latin script).
_PHRASES = {
    "when": ("what time", "what day", "che ora", "welchem tag", "wie viel uhr", "quel jour", "quelle heure"),
    "where": (
        "which city",
        "which cities",
        "quale citta",
        "quali citta",
        "welcher stadt",
        "welchen stadten",
        "quelle ville",
        "quelles villes",
        # French "où" typed without its accent is "ou" (also "or"): where, after the verb of taking place or in a
        # room asked for ("il se passe ou exactement l atelier", "c est ou", "quelle salle").
        "se passe ou",
        "se deroule ou",
        "se tient ou",
        "se trouve ou",
        "a lieu ou",
        "c est ou",
        "c ou",
        "ou exactement",
        "quelle salle",
        "dans quelle salle",
    ),
    "count": ("how many", "how big", "how large", "wie viele", "wie viel", "wie gross"),
    "cost": ("how much", "quanto costa", "quanto si paga"),
}
# Pieces of CJK text (no spaces to split on).
_PIECES = {
    "when": (
        "언제",
        "날짜",
        "일정",
        "며칠",
        "몇 시",
        "什么时候",
        "何时",
        "几号",
        "哪天",
        "日期",
        "几点",
        "啥时候",
        "啥时",
        "几月",
        "多久",
        "몇 월",
        "몇월",
        "几月份",
        "哪个月",
    ),
    "where": (
        "어디",
        "어느 도시",
        "어떤 도시",
        "اي مدينه",
        "اي مدن",
        "哪里",
        "哪儿",
        "在哪",
        "什么地方",
        "哪个城市",
        "哪些城市",
    ),
    "who": ("누가", "누구", "谁"),
    "why": ("왜", "为什么", "为啥", "干嘛"),
    "count": ("몇", "几个", "多少", "几位", "几名", "几讲", "几节", "几课", "几集"),
    "cost": (
        "무료",
        "유료",
        "비용",
        "얼마",
        "免费",
        "收费",
        "多少钱",
        "费用",
        "付费",
        "花钱",
        "收钱",
        "要钱",
        "交钱",
        "付钱",
        "掏钱",
        "出钱",
    ),
}
_CUE_WORDS = {word: kind for kind, text in _WORDS.items() for word in text.split()}
_PHRASE = {kind: re.compile(r"\b(?:" + "|".join(p) + r")\b") for kind, p in _PHRASES.items()}
_TOKEN = re.compile(r"[^\W_]+")
# A conjunction or preposition glued to an Arabic question word: "وكم", "بكم" is a cue of its own.
_AR_GLUED = ("و", "ف")


# Asking whom to turn to ("an wen wende ich mich", "a chi mi rivolgo", "لمين اتوجه"): how to get help, not a
# question about a person.
_WHOM_TO_ASK = re.compile(
    r"\b(?:who|whom) (?:do|should|can|shall) i (?:contact|ask|turn to|write to|reach out to)\b"
    r"|\ba chi (?:mi rivolgo|posso rivolgermi|devo rivolgermi|rivolgermi|scrivo|posso scrivere|devo scrivere|chiedo)\b"
    r"|\ban wen (?:wende ich mich|kann ich mich wenden|soll ich mich wenden|schreibe ich|kann ich schreiben)\b"
    r"|\ba qui (?:m ?'?adresser|dois je m ?'?adresser|puis je m ?'?adresser|je m ?'?adresse|ecrire|demander)\b"
    r"|(?:لمين|لمن|مين|من) (?:اتوجه|اروح|اكلم|اسال|اتواصل)"
    r"|누구(?:한테|에게|에게서) (?:문의|연락|물어)|找谁|问谁|联系谁"
)


_ANYWAY = re.compile(r"\bquand (?:meme|mm)\b|\bquand bien meme\b")
_ORDINAL = re.compile(r"몇 ?번째|第几")
# "Number 4", "numero 4": which one, not how many.
_NUMBERED = re.compile(r"\b(?:number|numero|nummer|nr|no|رقم)\.?\s*\d")


# Asking who pays ("مين بيدفع التذكرة", "wer zahlt den Flug"): whether someone covers it, not a person.
_WHO_PAYS = re.compile(
    r"\b(?:who|wer|chi|qui) (?:pays|will pay|covers|zahlt|bezahlt|ubernimmt|paga|pagano|paie|paye|prend en charge)\b"
    r"|(?:مين|من) (?:بيدفع|يدفع|رح يدفع|بيتحمل|يتحمل|بيغطي)|누가 (?:내|지불|부담)|谁(?:付|出钱|报销|承担)"
)
# "What number is it", "رقمها كم": which one, not how many.
_WHICH_NUMBER = re.compile(r"رقم\w* كم|كم رقم\w*|what number|which number|quale numero|che numero|welche nummer")


# One message asks its kinds of answer several times (its reading, the index's factors, each unknown word): the
# last few hundred texts' kinds are kept. A pure function of the text, returned as a frozenset.
@functools.lru_cache(maxsize=512)
def question_kinds(text: str) -> frozenset[str]:
    """The kinds of answer a text asks for (perhaps none, perhaps several: "combien" is a count or a price)."""
    plain = normalize(text)
    if "몇" in plain or "第几" in plain:
        # "몇 번째", "第几": which one in order (an ordinal), not how many.
        plain = _ORDINAL.sub(" ", plain)
    if _NUMBERED.search(plain):
        plain = _NUMBERED.sub(" ", plain)
    plain = _WHICH_NUMBER.sub(" ", _WHO_PAYS.sub(" ", plain))
    if "quand" in plain:
        # French "quand même" (all the same, "je peux quand même venir ?") asks no time.
        plain = _ANYWAY.sub(" ", plain)
    if _WHOM_TO_ASK.search(plain):
        plain = _WHOM_TO_ASK.sub(" ", plain)
    kinds = set()
    for token in _TOKEN.findall(plain):
        kind = _CUE_WORDS.get(token)
        if kind is None and len(token) > 2 and token[0] in _AR_GLUED:
            kind = _CUE_WORDS.get(token[1:])
        if kind is not None:
            kinds.add(kind)
    if plain.isascii():
        kinds.update(kind for kind, pattern in _PHRASE.items() if pattern.search(plain))
    else:
        kinds.update(kind for kind, pieces in _PIECES.items() if any(p in plain for p in pieces))
    if "où" in text.casefold():
        kinds.add("where")
    return frozenset(kinds)


# Words that ask, in the seven languages (normalised), besides the kinds above: "what", "how", "which", "can",
# "is there", "whether"... Only whether a message asks anything at all is read from them.
_ASKING = frozenset(
    " ".join(
        [
            "what whats how which can could is are do does will would should where when who why",
            "was wie welche welcher welches welchen kann konnen gibt gibts wo wann wer warum ob darf muss soll",
            "cosa che come quale quali quanto quanti quante posso puoi dove quando chi perche",
            "quoi quel quelle quels quelles comment peut peux puis ou quand qui pourquoi combien",
            "شو ايش ماذا كيف هل وش ايه متي امتي وين اين مين ليش لماذا كم قديش ازاي كيفاش واش",
        ]
    ).split()
)
_ASKING_PIECES = (
    *("뭐", "무엇", "어떻게", "어떤", "어디", "언제", "누가", "누구", "왜", "몇", "나요", "까요", "인지"),
    *("什么", "怎么", "吗", "呢", "啥", "哪", "谁", "几", "多少", "是否", "能不能"),
)


def asks(plain: str) -> bool:
    """`plain` (normalised) has a word that asks something ("what", "wie", "شو", "뭐", "什么")."""
    if any(token in _ASKING for token in _TOKEN.findall(plain)):
        return True
    return not plain.isascii() and any(piece in plain for piece in _ASKING_PIECES)
