"""What a free-text message asks, recognised before any answer is chosen.

A message is first read for what it is (small talk, a question about the person's own data or a workshop's
live details, a question the program documents do not answer, or a question for the FAQ) and for its subject
(a city or region, a part of the course, a lecture's position, the kind of certificate). Only then is an
answer chosen: small talk and live questions never reach the FAQ's word matching, and the FAQ's ranking is
corrected by the subject, so "who signs the online certificate" cannot get the workshop certificate's answer
because both share "who signs the certificate".

Each reading has its module, over the cue phrases of bot/faq/cues.py: bot/faq/smalltalk.py, bot/faq/live.py,
bot/faq/subjects.py, and bot/faq/facets.py for the subject's say in the ranking; this one puts them in order.
Everything here is pure and fast (no I/O); the handler turns a `Understanding` into a reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.content.models import FaqEntry, Lecture
from bot.faq.cues import CUE_WORDS, Cues, cues_of
from bot.faq.facets import facets_of, subject_factors
from bot.faq.index import FaqIndex, Hit, Match
from bot.faq.kinds import asks, question_kinds
from bot.faq.live import LIVE_WORDS, LIVE_WORKSHOP, NEW, SIGNUP, WHICH_CITIES, checking_in, live_question
from bot.faq.ngram_centroids import centroids_of
from bot.faq.shorthand import spelled_out
from bot.faq.smalltalk import (
    about_the_bot,
    courtesy,
    smalltalk_kind,
    thanks_first,
    without_smalltalk,
    without_the_bot,
)
from bot.faq.stems import latin_stem
from bot.faq.stopwords import function_words
from bot.faq.subjects import (
    WORKSHOP,
    Subject,
    about_journey,
    elsewhere,
    names_online,
    states_age,
    subject_of,
    undocumented,
)
from bot.faq.text import MAX_READ, STOPWORDS, normalize, words
from bot.places.gazetteer import Gazetteer

# Whether a message of courtesy asks anything is read this far (see `_courtesy`).
COURTESY_READ = 600

SMALLTALK = "smalltalk"
# The FAQ entry that lists the workshop cities: the answer to a workshop asked about in a country or region.
CITIES_ENTRY = "workshop-cities"
# The FAQ entry that says how to sign up for a workshop: the answer to signing up for the one in a named city.
SIGNUP_ENTRY = "workshop-signup"
COST_ENTRY = "course-cost"
CHECKIN_ENTRY = "workshop-checkin"
TRAVEL_ENTRY = "workshop-travel"
LAST_YEAR_ENTRY = "participants-last-year"
AGE_RULE_ENTRY = "certificate-age-rule"
# The entries of a certificate a stated age may be matched to instead of the age rule.
_CERTIFICATE_ENTRIES = frozenset({"certificate-workshop", "certificate-overview"})
# Joining a workshop and asking how: signing up.
_JOIN = cues_of("participate|participer|partecipare|teilnehmen|mitmachen|join|attend|اشارك|احضر|اشترك|참가|참여|参加")
_HOW = cues_of(
    "how|come|comment|wie|كيف|ازاي|شلون|كيفاش|شو لازم|어떻게|怎么|如何|comment faire|come devo fare|wie geht das"
)
# Entries a question about how to join a workshop may be pulled toward by its words: the list of cities, what the
# workshops are and aim at.
_NOT_HOW_TO_JOIN = frozenset({"workshop-cities", "workshop-objectives", "workshop-what"})
# Earlier editions named without a year ("往年获奖名单", "the winners of previous years"): the answers are about this
# year's edition, only the entry about last year's participants speaks of an earlier one.
_PAST_EDITIONS = cues_of(
    "previous years|past years|previous editions|past editions|earlier editions|former editions|anni precedenti",
    "anni passati|edizioni precedenti|edizioni passate|vorjahre|vorjahren|fruheren jahren|fruhere jahre",
    "fruheren ausgaben|annees precedentes|annees passees|editions precedentes|editions passees|السنوات السابقه",
    "السنين اللي فاتت|السنين الماضيه|الدورات السابقه|النسخ السابقه|지난 회차|이전 회차|역대",
    "往年|历届|往届|前几届|前几年",
)
# Which award category a project fits ("in che categoria del premio rientro?", "어느 부문으로 내야 돼요?").
_WHICH_CATEGORY = cues_of(
    "which category|what category|which award category|what award category|which categories|quale categoria",
    "che categoria|in che categoria|in quale categoria|welche kategorie|welcher kategorie|in welche kategorie",
    "welche award kategorie|welche preiskategorie|quelle categorie|dans quelle categorie|quelles categories",
    "اي فئه|انهي فئه|اي فئات|ايش الفئه|شو الفئه|어느 부문|어떤 부문|무슨 부문|어느 분야|哪个类别|哪一类|哪个奖项|哪类",
)
CATEGORY_ENTRY = "award-{}"
# What the workshops are, asked with nothing else named ("ateliers c quoi ?", "what are workshops?").
WHAT_ENTRY = "workshop-what"
_PARTS_COUNT = re.compile(r"\b\d\s+(parts|parties|parti|teile|moduli|modules)\b", re.IGNORECASE)
# A year of an earlier edition of the program (it runs yearly; "marking its fifth year" in 2026).
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
EARLIER_EDITIONS = 5


@dataclass(frozen=True, slots=True)
class Understanding:
    label: str | None  # SMALLTALK, an FAQ entry id, a LIVE_* name, or None (declined or unsure)
    subject: Subject = field(default_factory=Subject)
    smalltalk: str | None = None
    match: Match | None = None
    # True when the question is recognisably about something the program documents do not say.
    undocumented: bool = False
    # The question is about an earlier edition of the program (a year before this one).
    earlier_edition: bool = False

    @property
    def entry(self) -> FaqEntry | None:
        return self.match.best if self.match is not None else None


def _off_topic(index: FaqIndex, text: str, lang: str, places: Gazetteer | None, min_length: int = 4) -> bool:
    """A word no entry uses that says what the question is about (`FaqIndex.topic_words`: not a function word, a
    place named, a question word or another form of a known word), and not one of a workshop's live details: the
    question is about something beside the workshop ("parking near the Brescia venue")."""
    plain = normalize(text)
    tokens = plain.split()
    for word in index.topic_words(text, lang, _named_words(plain, places)):
        # The word as typed too: Arabic stems lose letters ("فاضية", free, is read "اضي").
        typed = [token for token in tokens if word in token] or [word]
        if any(cues.found(form) for cues in LIVE_WORDS for form in (word, *typed)):
            continue
        if word.isascii() and len(word) < min_length:
            continue
        return True
    return False


_UMLAUT_SPELLING = re.compile(r"[a-z]*(?:ae|oe|ue)[a-z]*")


def _umlauts_spelled(index: FaqIndex, plain: str) -> str:
    """German typed without umlauts ("naechstes", "zurueck", "plaetze"): each such word as `normalize` spells the
    word with its umlaut ("nachstes"), when that is a word the entries, the cue phrases or the function words use
    and the word as typed is none of them. Before any cue is read: the cues spell words as `normalize` does."""

    def spelled(found: re.Match[str]) -> str:
        word = found.group()
        if word in STOPWORDS or word in CUE_WORDS or word in index.vocabulary():
            return word
        plain_word = word.replace("ae", "a").replace("oe", "o").replace("ue", "u")
        known = plain_word in STOPWORDS or plain_word in CUE_WORDS or plain_word in index.vocabulary()
        return plain_word if known else word

    return _UMLAUT_SPELLING.sub(spelled, plain) if ("ae" in plain or "oe" in plain or "ue" in plain) else plain


def _known_word(index: FaqIndex, places: Gazetteer | None) -> Callable[[str], bool]:
    """Whether a word is one the entries, the cue phrases, the function words or the place names use."""
    vocabulary = index.vocabulary()
    common = function_words()
    place_words = places.words if places is not None else frozenset()

    def known(word: str) -> bool:
        return word in STOPWORDS or word in CUE_WORDS or word in vocabulary or word in common or word in place_words

    return known


def _corrected(index: FaqIndex, text: str, plain: str, lang: str, places: Gazetteer | None = None) -> str:
    """`plain` with its typos corrected as the index reads them: "certifcate for the onlin course" names a
    certificate. For the subject only: the cues of live questions are written as people type them. A place's name
    is no typo ("workshop in italia" does not ask about Italian, "italiano")."""
    named = _named_words(plain, places)
    for typed, read in index.corrections(text, lang).items():
        if typed in named or typed in CUE_WORDS:
            continue  # a place's name, or a word the cues know ("robots" names a category, not "roots"), is no typo
        plain = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", read, plain)
    return plain


def _named_words(plain: str, places: Gazetteer | None) -> frozenset[str]:
    """The words that name a place in this question (not every word of every place name: "city", "new")."""
    if places is None:
        return frozenset()
    return frozenset(word for name, _place in places.named(plain) for word in words(name))


# "I'm a master student in Egypt, can I join?": a clause introducing the person, closed by punctuation (or, in
# Korean, by a connective ending: "대학원생인데"). Its words say who asks, not what about.
_INTRODUCTION = re.compile(
    r"(?:^|(?<=[,.;!?，。！、،؟]))\s*(?:i m|i'm|im|i am|sono|ich bin|ich studiere|ich arbeite|je suis|j etudie|j'etudie"
    r"|my name is|mi chiamo|ich heisse|ich studier|mein name ist|je m appelle|je m'appelle|اسمي"
    r"|انا|저는|제가|我是|我叫)(?:\s|(?<=[是]))[^,.;!?，。！、،؟]*?(?:[,.;!?，。！、،؟]|(?<=인데|는데|이고|라서)\s)"
)


def _without_introduction(index: FaqIndex, plain: str, lang: str) -> str:
    """The question without the words of an introduction that no entry uses ("architettura", "도시계획"): they
    would count as a subject the entries do not cover."""
    found = _INTRODUCTION.search(plain)
    if found is None or not plain[found.end() :].strip():
        return plain
    clause = found.group()
    unknown = set(index.unknown_words(clause, lang))
    if not unknown:
        return plain
    return plain[: found.start()] + _without_words(clause, unknown) + plain[found.end() :]


def _without_context(index: FaqIndex, plain: str, lang: str) -> str:
    """A question after sentences that say who asks and why ("Ich arbeite im Wohnungsamt unserer Stadt ...
    Welche Vorlesungen sind da drin?"), without the words of those sentences that no entry uses ("Wohnungsamt"):
    they would count as a subject the entries do not cover. Their words the entries use stay: they may be what
    the question is about ("j'ai commencé les vidéos. On a un certificat ?")."""
    if not plain.rstrip().endswith(_QUESTION_MARKS):
        return plain
    sentences = [s for s in _SENTENCE_END.split(plain.strip()) if s.strip()]
    if len(sentences) < 2:
        return plain
    context = " ".join(sentences[:-1])
    unknown = set(index.unknown_words(context, lang))
    if not unknown:
        return plain
    return f"{_without_words(context, unknown)} {sentences[-1]}"


# A clause setting aside what is not asked ("not asking about the course, I mean the organisation", "je demande pas
# pour le certif, juste ...", "ما بدي اعرف عن الجوائز، بدي ...", "nicht das Programm, die Organisation", "不是问课程，
# ..."), up to the clause's end; Korean names it before "말고" ("workshop 말고 online course").
_SET_ASIDE = re.compile(
    r"(?:(?<=^)|(?<=[,;:.!?，。！？、،؟]))\s*(?:i m |i am |im |i'm )?(?:not asking|i don t mean|i don't mean"
    r"|i dont mean|non (?:chiedo|parlo|intendo|voglio sapere)|ich frage nicht|ich meine nicht|es geht nicht um"
    r"|nicht (?:das|die|der|den)"
    r"|je (?:ne )?demande pas|je (?:ne )?parle pas|pas (?:les|le|la|l')|مش عايز|مش عاوز|ما بدي|مش بدي|ما ابي|ما ابغى"
    r"|مو عن|مش عن|不是问|我不是问|不是说)[^,;:.!?，。！？、،؟]*[,;:.!?，。！？、،؟]?"
    r"|(?<!\w)\S+ 말고(?!\w)"
)


def _without_set_aside(plain: str) -> str:
    """The question without a clause setting aside what it does not ask, when something is left."""
    rest = _SET_ASIDE.sub(" ", plain)
    return rest if rest != plain and len(words(rest)) >= 2 else plain


def _without_words(text: str, unknown: set[str]) -> str:
    """`text` with each of `unknown` taken out: whole words in Latin script, anywhere in the others (Korean and
    Chinese are not spaced like words)."""
    for word in sorted(unknown, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)" if word.isascii() else re.escape(word), " ", text)
    return text


# The end of a sentence, and a question's last sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s+|(?<=[。！？])")
_QUESTION_MARKS = ("?", "？", "؟")


# Where a message's sentences (or a colon's lead-in: "volevo capire: a cosa servono i workshop?") end, for finding
# the one that asks.
_CLAUSE_END = re.compile(r"(?<=[.!?。！？؟:：])\s+|(?<=[。！？：])")


# A clause of a sentence: up to a comma, or the sentence's end.
_CLAUSE = re.compile(r"[,;，、،]\s*|(?<=[.!?。！？؟:：])\s+|(?<=[。！？：])")


def _asking_sentence(text: str) -> str | None:
    """The sentences of a message of several that ask, when others only say who asks and why ("Good afternoon. I
    teach urban planning in Nairobi and would like to recommend the programme to my students. Could you outline
    the topics it covers?"): those ending with a question mark, else those with a question word; with two content
    words at least. None when every sentence asks or none does. Read up to COURTESY_READ: a formal letter may ask
    after MAX_READ characters of who writes."""
    sentences = [s.strip() for s in _CLAUSE_END.split(text[:COURTESY_READ].strip()) if s.strip()]
    if len(sentences) < 2:
        return None
    asking = [s for s in sentences if s.endswith(_QUESTION_MARKS)]
    if not asking:
        asking = [s for s in sentences if asks(normalize(s))]
    if not asking or len(asking) == len(sentences):
        return None
    question = " ".join(asking)
    return question if len(words(question)) >= 2 else None


# What a formal request asks comes after the verb that asks it ("... als Professor an der TU Dresden möchte ich mich
# erkundigen, worum es bei dem Programm geht", "en tant que maître de conférences, je souhaiterais savoir combien de
# conférences ...", "بصفتي موظفًا في بلدية دبي، أود معرفة المدن ..."): the verbs of knowing, telling, explaining and
# asking, as `normalize` spells them.
_REQUEST = re.compile(
    r"(?<!\w)(?:know|tell me|tell us|let me know|let us know|explain|outline|clarify|confirm|inform me|enquire"
    r"|inquire|ask|wondering|sapere|conoscere|chiedere|chiedervi|domandare|dirmi|dirci|indicarmi|indicarci"
    r"|spiegarmi|illustrarmi|chiarire|informarmi|wissen|erfahren|erkundigen|fragen|erklaren|mitteilen|sagen"
    r"|informieren|savoir|connaitre|demander|m'indiquer|m indiquer|indiquer|preciser|m'expliquer|m expliquer"
    r"|expliquer|communiquer|me renseigner|m'informer|معرفه|اعرف|نعرف|اسال|استفسر|الاستفسار|اخباري|باخباري"
    r"|افادتي|بافادتي|توضيح|اعلامي|请问|想知道|想了解|告知|了解一下|안내해|안내해 주시겠어요|안내해 주세요"
    r"|알려 주세요|알려주세요|알려주시겠어요|알려주시겠습니까)(?!\w)[\s,:：،]*"
)


def _requested(plain: str) -> str | None:
    """What a formal request asks for: the words after its last verb of knowing, telling or asking, when what came
    before them (who writes, on whose behalf, in what office) is more than the index reads beside them."""
    verbs = list(_REQUEST.finditer(plain))
    found = verbs[-1] if verbs else None
    if found is None or found.start() == 0:
        return None
    asked = plain[found.end() :].strip()
    return asked if len(words(asked)) >= 2 else None


def _courtesy(text: str) -> str | None:
    """The small talk of a message that says something and asks nothing, when nothing in it was understood:
    thanks, a goodbye or a greeting beside who writes or what they will do ("Merci pour ces précisions, je
    transmets à mes élèves. Bonne journée !", "안녕하세요 학부모입니다"). Nothing is asked when there is no question
    mark and, the small talk taken out, no question word."""
    if any(mark in text for mark in _QUESTION_MARKS):
        return None  # (a question mark anywhere: a question may come after what is read)
    found = courtesy(normalize(text[:MAX_READ]))
    if found is None or question_kinds(found[1]):
        return None
    # The words are read past MAX_READ, up to COURTESY_READ: a spoken message asks late ("ähm hallo also ich schreib
    # grad ... was ist eigentlich genau die mission von wego"); a pasted page's rest is not worth the time.
    plain = normalize(text[:COURTESY_READ])
    if asks(plain) or subject_of(plain, None).topics:
        # A question word anywhere: spoken messages ask without a question mark ("ähm hallo ... was ist eigentlich
        # genau die mission von wego ... ja danke"); and one naming the workshops, a certificate or the award asks
        # about it, as German does by the verb first ("krieg ich dann trotzdem noch das zertifikat").
        return None
    return found[0]


def _about_the_bot(index: FaqIndex, text: str, lang: str, found: Understanding) -> str | None:
    """A question about the bot itself (who it is, what it can help with) inside courtesy and context, when the
    message names nothing the program covers and no entry is near ("Good morning, and thank you in advance. May I
    ask whom I am addressing?", "처음 이용해 보는데요, 어떤 도움을 받을 수 있는지 안내해 주시겠어요?")."""
    plain = normalize(text[:COURTESY_READ])
    kind = about_the_bot(plain)
    if kind is None or subject_of(plain, None).topics:
        return None
    # Asking for help may name what with ("hilf mir bei meinen Physik-Hausaufgaben"): only when no entry is even
    # worth offering. Who the bot is asks nothing else: unless an entry is close enough to answer.
    nearest = found.match.hits[0].score if found.match is not None and found.match.hits else 0.0
    if nearest < (index.suggest if kind == "help" else index.confident):
        return kind
    # The whole message may be near an entry only by the words that ask about the bot ("what can you do" shares
    # "what" and "do" with many wordings; "您是人工智能助手" shares "人工智能" with the AI lectures): what is near
    # once they are taken out, with the courtesy, decides.
    # Only the clause that asks it: the others say who asks ("sorry, I'm new to Telegram bots, what can you do?").
    clauses = [clause for clause in _CLAUSE.split(plain) if about_the_bot(clause) is not None]
    rest = _REQUEST.sub(" ", without_smalltalk(without_the_bot(" ".join(clauses) if clauses else plain)))
    if index.topic_words(rest, lang):
        return None  # what the help is asked for ("aiutami con il CV")
    # (Words that only frame a question, "여기서", "here", ask about nothing.)
    content = [word for word in index.read_words(rest, lang) if word not in function_words()]
    hits = index.match(rest, lang).hits if content else ()
    if hits and hits[0].score >= (index.suggest if kind == "help" else index.confident):
        return None
    return kind


def understand(
    index: FaqIndex, text: str, lang: str, places: Gazetteer | None = None, year: int | None = None
) -> Understanding:
    """What `text` asks, in language `lang`; `places` finds the workshop cities and other places named
    (`FaqLibrary.places`), `year` is the program's edition year (content's `program.year`).

    A message of several sentences the bot is unsure of is read once more as its last sentence, when that is a
    question: what comes before it (who asks, where they heard of the program) only made it look farther from every
    entry."""
    if thanks_first(normalize(text[:MAX_READ])) and _courtesy(text) == "thanks":
        # "جزاكم الله خير على المعلومات، بوصلها لبنتي": thanks, and what one will do with the answer; nothing asked.
        return Understanding(SMALLTALK, smalltalk="thanks")
    found = _understand(index, text, lang, places, year)
    if found.label is None and not found.earlier_edition:
        said = _courtesy(text)
        if said is not None:
            return Understanding(SMALLTALK, found.subject, smalltalk=said)
        said = _about_the_bot(index, text, lang, found)
        if said is not None:
            return Understanding(SMALLTALK, found.subject, smalltalk=said)
        question = _asking_sentence(text)
        # Only when the other sentences name something no entry knows ("Architektur", "LinkedIn"): otherwise they
        # may be what the question is about ("j'ai commencé les vidéos. On a un certificat ?").
        rest = text[:COURTESY_READ].replace(question, " ") if question is not None else ""
        if question is not None and index.topic_words(without_smalltalk(normalize(rest)), lang):
            alone = _understand(index, question, lang, places, year)
            if alone.label is not None and _agrees(alone, found, text, question):
                return alone
        requested = _requested(normalize(text[:COURTESY_READ]))
        if requested is not None and _cut(index, text, requested, lang):
            # The request's words were past what the index reads of the whole message (MAX_WORDS): the whole
            # reading could not see them, so it cannot disagree.
            alone = _understand(index, requested, lang, places, year)
            if alone.label is not None and alone.label != SMALLTALK:
                return alone
        return _second_opinion(index, text, found)
    return found


def _cut(index: FaqIndex, text: str, asked: str, lang: str) -> bool:
    """Some of the words of `asked` are not among those the index reads of the whole message (it reads MAX_WORDS)."""
    whole = set(index.read_words(text[:MAX_READ], lang))
    return not set(index.read_words(asked, lang)) <= whole


def _agrees(alone: Understanding, found: Understanding, text: str, question: str) -> bool:
    """The asking sentence read alone may answer for the whole message when the whole message's reading was near
    that answer too (among its closest entries), or could not have been: the question came after what the
    message reads (MAX_READ), or the whole reading found nothing near. What the other sentences said may have
    been what the question is about ("workshops in Italy? I'm from Bergamo"), and the sentence alone may be
    pulled elsewhere."""
    if found.match is None or not found.match.hits or text.find(question) + len(question) > MAX_READ:
        return True
    return found.match.hits[0].entry.id == alone.label


def _second_opinion(index: FaqIndex, text: str, found: Understanding) -> Understanding:
    """A question the FAQ declined or was unsure of, answered after all when its nearest entry is clearly the
    nearest by character n-grams too (bot/faq/ngram_centroids.py): a paraphrase sharing pieces of words with the
    entry's wordings ("zertifi", "inscri") rather than the words. Only the retrieval's own nearest entry can be
    given, so the model only ever confirms: it never answers what the retrieval did not already rank first."""
    if found.match is None or not found.match.hits:
        return found
    nearest = found.match.hits[0]
    if not centroids_of(index).agrees(text[:MAX_READ], nearest.entry.id):
        return found
    return Understanding(nearest.entry.id, found.subject, match=Match((nearest,), confident=True))


def _understand(index: FaqIndex, text: str, lang: str, places: Gazetteer | None, year: int | None) -> Understanding:
    text = text[:MAX_READ]
    plain = _umlauts_spelled(index, normalize(text))
    plain = spelled_out(plain, lang, _known_word(index, places))
    if plain != normalize(text):
        text = plain
    kind = smalltalk_kind(plain)
    if kind is not None:
        return Understanding(SMALLTALK, smalltalk=kind)
    # "ciao, sono ...", "안녕하세요 ...": the greeting (or the closing thanks) is not part of what is asked.
    asked = _without_context(index, _without_introduction(index, without_smalltalk(plain), lang), lang)
    asked = _without_set_aside(asked)
    if asked != plain:
        text = plain = asked
    subject = subject_of(_corrected(index, text, plain, lang, places), places)
    if elsewhere(plain):
        return Understanding(None, subject)
    earlier = (
        sorted({int(y) for y in _YEAR.findall(plain) if year - EARLIER_EDITIONS <= int(y) < year})
        if year is not None
        else []
    )
    earlier_edition = Understanding(None, subject, undocumented=True, earlier_edition=True)
    if earlier and earlier != [year - 1 if year is not None else 0]:
        # An earlier edition ("the cities in 2023"): the answers are about this year's, and must not be
        # given as if they were that year's facts.
        return earlier_edition
    if _PAST_EDITIONS.found(plain) and year is not None:
        earlier = [year - 1]
    kinds = question_kinds(text)
    live = live_question(plain, subject, kinds)
    if live == LIVE_WORKSHOP:
        if _off_topic(index, text, lang, places) or undocumented(plain, subject):
            # "parking near the Brescia venue", "a hotel near the Geneva venue": the workshop's card does not answer
            # it
            live = None
        else:
            # An answer staff taught (saved from a question they answered) is more specific than the card.
            taught = index.match(text, lang).best
            if taught is not None and taught.source == "staff":
                return Understanding(taught.id, subject, match=index.match(text, lang))
    if live is not None:
        return Understanding(live, subject)
    if undocumented(plain, subject):
        return Understanding(None, subject, undocumented=True)
    in_region = (
        WORKSHOP.found(plain) and any(p.kind in ("region", "town") for p in subject.places) and not SIGNUP.found(plain)
    )
    if in_region and not _off_topic(index, text, lang, places):
        # "Is there a workshop in Africa?", "... in Rome?": the answer is the list of cities, whatever else the
        # words match.
        cities_entry = next((e for e in index.entries if e.id == CITIES_ENTRY), None)
        if cities_entry is not None:
            return Understanding(CITIES_ENTRY, subject, match=Match((Hit(cities_entry, 1.0),), confident=True))
    # "The 4 parts of the course": a count of parts, not part 4.
    text = _PARTS_COUNT.sub(r"\1", text)
    facets = facets_of(subject)
    if subject.part is not None and not subject.part_named and NEW.found(plain):
        # "New lectures on housing?": what is new this year, though housing is part 4's topic.
        facets.pop("part", None)
    factors = subject_factors(index, facets, places)
    match = index.match(text, lang, factors=factors, names=_named_words(plain, places))
    best = match.best
    if earlier and (best is None or best.id != LAST_YEAR_ENTRY):
        # Last year named by its number: only the entry about last year's participants speaks of it.
        return earlier_edition
    nearest = match.hits[0] if match.hits else None
    if subject.category is not None and _WHICH_CATEGORY.found(plain):
        # "I'm building an app that cuts household emissions, which award category fits?": the project's words name
        # one category; what else it says about the project is no entry's subject.
        category = next((e for e in index.entries if e.id == CATEGORY_ENTRY.format(subject.category)), None)
        if category is not None:
            return Understanding(category.id, subject, match=Match((Hit(category, 1.0),), confident=True))
    if best is not None and best.id in _NOT_HOW_TO_JOIN and _only_workshop(plain) and not kinds:
        # "Ateliers, c'est quoi ?", "what are workshops?": nothing asked but the workshops themselves, what they are.
        what = next((e for e in index.entries if e.id == WHAT_ENTRY), None)
        if what is not None:
            return Understanding(WHAT_ENTRY, subject, match=Match((Hit(what, 1.0),), confident=True))
    if best is not None and best.id == COST_ENTRY and about_journey(plain) and not names_online(plain):
        # "Will you pay for the plane ticket": paying for the journey is the travel entry's question, not the fees.
        travel = next((e for e in index.entries if e.id == TRAVEL_ENTRY), None)
        if travel is not None:
            return Understanding(TRAVEL_ENTRY, subject, match=Match((Hit(travel, 1.0),), confident=True))
    states = states_age(plain) and "certificate" in subject.topics and "who" not in kinds
    # (Or nearest to them though unsure: "turning 35 next month lol do i still get the workshop cert".)
    near_certificate = (
        best is None
        and nearest is not None
        and nearest.entry.id in _CERTIFICATE_ENTRIES | {AGE_RULE_ENTRY}
        and nearest.score >= index.suggest
    )
    if ((best is not None and best.id in _CERTIFICATE_ENTRIES) or near_certificate) and states:
        # "Bin grad 35 geworden, krieg ich die Workshopbescheinigung trotzdem noch?", "عندي 37 سنة، هل يحق لي شهادة
        # الورشة": an age said beside the certificate asks whether that age still gets it, the age rule's question,
        # though the words match the certificate's own entry better ("I'm 33, who signs it?" asks who signs).
        age_rule = next((e for e in index.entries if e.id == AGE_RULE_ENTRY), None)
        if age_rule is not None:
            return Understanding(AGE_RULE_ENTRY, subject, match=Match((Hit(age_rule, 1.0),), confident=True))
    # (Registering one's presence on the day, "اسجل حضوري", is checking in, not signing up.)
    signing_up = (
        (SIGNUP.found(plain) or (_JOIN.found(plain) and _HOW.found(plain)))
        and WORKSHOP.found(plain)
        and not checking_in(plain)
    )
    if best is not None and best.id in _NOT_HOW_TO_JOIN and signing_up:
        # "Comment m'inscrire à l'atelier de Genève", "je voudrais participer à l'atelier de Genève, comment
        # faire ?": how to join a workshop is signing up; the list of cities (the city named) or what the workshops
        # are (the word "participate") do not answer it.
        signup = next((e for e in index.entries if e.id == SIGNUP_ENTRY), None)
        if signup is not None:
            return Understanding(SIGNUP_ENTRY, subject, match=Match((Hit(signup, 1.0),), confident=True))
    if best is not None and best.id == SIGNUP_ENTRY and checking_in(plain):
        # "وصلت مكان الورشة كيف اسجل حضوري بالكود؟": registering one's presence on the day is checking in.
        checkin = next((e for e in index.entries if e.id == CHECKIN_ENTRY), None)
        if checkin is not None:
            return Understanding(CHECKIN_ENTRY, subject, match=Match((Hit(checkin, 1.0),), confident=True))
    near_signup = nearest is not None and nearest.entry.id == SIGNUP_ENTRY and nearest.score >= index.confident
    if best is None and signing_up and near_signup and nearest is not None:
        # "Come faccio a iscrivermi al workshop di Atene": nearest to signing up, and asking to sign up to a
        # workshop; the city pulls toward its dates, which do not say how.
        return Understanding(SIGNUP_ENTRY, subject, match=Match((match.hits[0],), confident=True))
    near_checkin = [hit for hit in match.hits if hit.entry.id == CHECKIN_ENTRY and hit.score >= index.suggest]
    if best is None and near_checkin and checking_in(plain):
        # "Le jour J je fais comment pour valider ma présence", "where do I type the code on the screen": checking in
        # named, and near the check-in entry, though words about the day keep it unsure.
        return Understanding(CHECKIN_ENTRY, subject, match=Match((near_checkin[0],), confident=True))
    near_cities = [hit for hit in match.hits if hit.entry.id == CITIES_ENTRY and hit.score >= index.suggest]
    if best is None and near_cities and WHICH_CITIES.found(plain) and (WORKSHOP.found(plain) or bool(subject.places)):
        # "Welche Städte haben dieses Jahr Workshops?", "is Baku one of the host cities this year?": the cities asked
        # for, near the list of them, though "this year" pulls toward the program's edition.
        return Understanding(CITIES_ENTRY, subject, match=Match((near_cities[0],), confident=True))
    if best is None and _off_topic(index, text, lang, places, min_length=5):
        # Not sure, and the question is about something no entry mentions ("parking"): offering the nearest
        # topics would only show how far they are. Say so, and how to ask the team.
        return Understanding(None, subject, match=match, undocumented=True)
    return Understanding(best.id if best else None, subject, match=match)


def _only_workshop(plain: str) -> bool:
    """The question's only content words are the workshops' name ("les ateliers c quoi", "what are workshops?")."""
    content = [word for word in words(plain) if word not in STOPWORDS]
    return bool(content) and all(WORKSHOP.names(word) for word in content)


def warm(index: FaqIndex, places: Gazetteer | None) -> None:
    """Build what the first question would otherwise wait for: the index, place names and entry facets."""
    index.warm()
    subject_factors(index, {"part": "1"}, places)
    centroids_of(index)
    understand(index, "warm up the qwertyuiop in athens", "en", places)
    understand(index, "会场附近有停车场吗", "zh", places)  # loads jieba's dictionary


def _topic_cues() -> dict[str, Cues]:
    from bot.faq.lecture_topics import _cues

    return _cues()


def lecture_by_topic(lectures: Sequence[Lecture], text: str) -> Lecture | None:
    """The lecture a question names by its topic: the English title's words, or its terms in another language
    (bot/faq/lecture_topics.py); None when no lecture shares a term."""
    plain = normalize(text)
    asked = {latin_stem(word) for word in words(text) if word.isascii() and len(word) > 3}
    best, found = 0, None
    for lecture in lectures:
        title = {latin_stem(word) for word in words(lecture.title) if len(word) > 3}
        cues = _topic_cues().get(lecture.key)
        # A translated term counts like two title words: it is a whole phrase, chosen to name this lecture.
        score = len(asked & title) + (2 if cues is not None and cues.found(plain) else 0)
        if score > best:
            best, found = score, lecture
    return found
