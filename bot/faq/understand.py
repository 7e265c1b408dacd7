"""What a free-text message asks, recognised before any answer is chosen.

A message is first read for what it is (small talk, a question about the person's own data or a workshop's
live details, a question the program documents do not answer, or a question for the FAQ) and for its subject
(a city or region, a part of the course, a lecture's position, the kind of certificate). Only then is an
answer chosen: small talk and live questions never reach the FAQ's word matching, and the FAQ's ranking is
corrected by the subject, so "who signs the online certificate" cannot get the workshop certificate's answer
because both share "who signs the certificate".

Everything here is pure and fast (no I/O); the handler turns a `Understanding` into a reply. Cue words are
per language but kept together: people mix languages, and a cue in another language is still a cue.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.content.models import FaqEntry, Lecture
from bot.faq.index import FaqIndex, Hit, Match
from bot.faq.kinds import question_kinds
from bot.faq.text import latin_stem, normalize, words
from bot.places.gazetteer import Gazetteer, Place

# The FAQ reads at most this much of a message: no question needs more, and matching cost grows with length.
MAX_READ = 160

SMALLTALK = "smalltalk"
# The FAQ entry that lists the workshop cities: the answer to a workshop asked about in a country or region.
CITIES_ENTRY = "workshop-cities"
LIVE_WORKSHOP = "live:workshop"
LIVE_PROGRESS = "live:progress"
LIVE_NEXT = "live:next"
LIVE_CERTIFICATE = "live:certificate"
LIVE_LECTURE = "live:lecture"


class Cues:
    """Phrases found in normalised text: as whole words in spaced scripts, as substrings in Korean/Chinese."""

    def __init__(self, phrases: Iterable[str]) -> None:
        plain = {normalize(p.strip()) for p in phrases if p.strip()}
        # One-word phrases, for telling a misspelt one ("thnx", "helo").
        self.words = frozenset(p for p in plain if " " not in p and not _cjk(p))
        # Longest first, then alphabetical: the same phrases always match the same way.
        spaced = sorted((p for p in plain if not _cjk(p)), key=lambda p: (-len(p), p))
        # Arabic writes "and", "in", "for" and the article glued to the next word: "بورشة القاهرة" names the
        # workshop too. One optional prefix in the pattern, not a variant per phrase: compiling those took a tenth
        # of a second at every start.
        alternatives = "|".join(map(re.escape, spaced))
        self._spaced = re.compile(rf"(?<!\w)(?:{_AR_GLUED})?(?:{alternatives})(?!\w)") if spaced else None
        self._pieces = sorted((p for p in plain if _cjk(p)), key=lambda p: (-len(p), p))
        # Korean and Chinese pieces are taken leftmost first: in "多谢啦" the thanks is "多谢", not "谢啦".
        self._piece = re.compile("|".join(map(re.escape, self._pieces))) if self._pieces else None

    def found(self, plain: str) -> bool:
        return bool(self._spaced and self._spaced.search(plain)) or any(p in plain for p in self._pieces)

    def longest(self, plain: str) -> int:
        """The length of the longest phrase found in `plain` (0: none)."""
        found = [len(m.group()) for m in self._spaced.finditer(plain)] if self._spaced is not None else []
        found += [len(p) for p in self._pieces if p in plain]
        return max(found, default=0)

    def remove(self, plain: str) -> tuple[str, bool]:
        """The text without the phrases, and whether any was there."""
        hit = False
        if self._spaced is not None:
            plain, n = self._spaced.subn(" ", plain)
            hit = n > 0
        if self._piece is not None:
            plain, n = self._piece.subn(" ", plain)
            hit = hit or n > 0
        return plain, hit


# Longest first; each only before an Arabic letter, so no Latin-script phrase is read with a prefix.
_AR_GLUED = "(?:وال|بال|فال|لل|ال|[وبلف])(?=[\u0621-\u064a])"


def _cjk(text: str) -> bool:
    return any("\u1100" <= c <= "\u11ff" or "\uac00" <= c <= "\ud7af" or "\u4e00" <= c <= "\u9fff" for c in text)


def _cues(*lines: str) -> Cues:
    return Cues(phrase for line in lines for phrase in line.split("|"))


# --- small talk ---------------------------------------------------------------------------------------------
# A message is small talk when nothing is left of it once these phrases and filler words are taken out.
_SMALLTALK: dict[str, Cues] = {
    "greeting": _cues(
        "hi|hello|hey|hiya|heya|yo|howdy|good morning|good afternoon|good evening|hi there|hello there|greetings",
        "sup|wassup|whats up|what s up",
        "ciao|salve|buongiorno|buon pomeriggio|buonasera|ehi|hei",
        "hallo|hi zusammen|guten morgen|guten tag|guten abend|moin|servus|gruss gott|gruezi|na",
        "salut|bonjour|bonsoir|coucou|bonne journee",
        "مرحبا|مرحبتين|اهلا|اهلين|اهلا وسهلا|السلام عليكم|سلام|هاي|هلا|صباح الخير|مساء الخير|صباح النور",
        "안녕|안녕하세요|안녕하십니까|반가워요|반갑습니다|하이|좋은 아침",
        "你好|您好|早上好|早安|晚上好|下午好|嗨|哈喽|哈啰|大家好",
    ),
    "thanks": _cues(
        "thanks|thank you|thank u|thank|thx|thanx|thnx|tnx|ty|tysm|cheers|many thanks|thanks a lot|thank you so much",
        "much appreciated",
        "grazie|grazie mille|ti ringrazio|mille grazie",
        "danke|danke schon|danke sehr|vielen dank|dankeschon|merci",
        "merci beaucoup|merci bien|je vous remercie",
        "شكرا|شكرا جزيلا|شكرا لك|مشكور|يعطيك العافيه|الف شكر|تسلم|تسلمي|يسلمو|يسلموا|يسلمك",
        "감사합니다|감사해요|고마워|고마워요|고맙습니다|땡큐",
        "谢谢|谢谢你|多谢|感谢|谢啦|谢了",
    ),
    "bye": _cues(
        "bye|goodbye|good bye|bye bye|see you|see ya|see u|cya|see you later|later|good night|take care",
        "arrivederci|a presto|ci vediamo|buona notte|buonanotte|addio|ciao ciao",
        "tschuss|tschau|auf wiedersehen|bis bald|bis spater|gute nacht|ciao",
        "au revoir|a bientot|a plus|bonne nuit|adieu|a la prochaine",
        "مع السلامه|وداعا|باي|الى اللقاء|تصبح علي خير|سلام",
        "안녕히 계세요|안녕히 가세요|잘 있어요|잘 있어|잘 가|바이|다음에 봐요|수고하세요",
        "잘자|잘 자|잘자요|잘 자요|굿나잇",
        "再见|拜拜|回头见|晚安|下次见",
    ),
    "help": _cues(
        "help|help me|what can you do|what can u do|what do you do|how does this work|commands",
        "aiuto|aiutami|cosa sai fare|cosa puoi fare|come funziona",
        "hilfe|hilf mir|was kannst du|was kannst du tun|wie funktioniert das",
        "aide|aidez moi|aide moi|que sais tu faire|tu fais quoi|comment ca marche",
        "مساعده|ساعدني|شو بتعمل|ماذا تستطيع|شو بتقدر تعمل",
        "도움말|도움|도와줘|도와주세요|뭐 할 수 있어|뭘 할 수 있어요|사용법",
        "帮助|帮忙|帮帮我|你能做什么|你会什么|怎么用",
    ),
    "menu": _cues(
        "menu|main menu|the menu|back to menu|back to the menu|back to the main menu|show menu|options",
        "menu principale|torna al menu|il menu",
        "menu|hauptmenu|zuruck zum menu|zum menu|das menu",
        "menu principal|retour au menu|le menu",
        "القائمه|القائمه الرئيسيه|المنيو|ارجع للقائمه",
        "메뉴|메인 메뉴|메뉴 보여줘|메뉴로",
        "菜单|主菜单|回到主菜单|返回菜单|返回主菜单|目录",
    ),
    "restart": _cues(
        "start over|restart|reset|start again|from the start|begin again",
        "ricomincia|ricominciamo|ricominciamo da capo|da capo|ricominciare|dall inizio",
        "neu starten|von vorne|nochmal von vorne|neustart|von vorn",
        "recommencer|on recommence|recommence|depuis le debut|reprendre",
        "ابدا من جديد|من البدايه|من الاول|اعاده",
        "처음으로|처음부터|다시 시작|다시 시작해|리셋",
        "重新开始|从头开始|重来|重置",
    ),
    "who": _cues(
        "who are you|what are you|are you a bot|are you human|are you a human|are you real|bot or human",
        "your name|whats your name|who am i talking to|are you a person|are you a real person|is this a bot",
        "who made you|who made u|who built you|who created you|who programmed you",
        "chi sei|chi sei tu|sei un bot|sei umano|sei un robot|come ti chiami",
        "wer bist du|bist du ein bot|bist du ein mensch|wie heisst du|was bist du",
        "qui es tu|t es qui|tu es qui|es tu un bot|tu es un robot|comment tu t appelles|qui etes vous",
        "مين انت|من انت|انت بوت|انت روبوت|شو اسمك|ما اسمك",
        "누구야|누구세요|너 누구|넌 누구|봇이야|사람이야|이름이 뭐야|누구예요",
        "你是谁|你是机器人吗|你叫什么|你是真人吗|你是什么",
    ),
    "ok": _cues(
        "ok|okay|okey|k|kk|cool|great|nice|good|perfect|got it|alright|all right|sure|awesome|fine|understood",
        "va bene|perfetto|ottimo|capito|bene|d accordo|certo",
        "alles klar|gut|super|verstanden|passt|prima|toll",
        "d accord|parfait|tres bien|compris|ca marche|genial|entendu",
        "تمام|حسنا|ماشي|اوكي|طيب|فهمت|ممتاز|زين",
        "알겠어요|알겠습니다|좋아요|네|응|오케이|알았어|굿",
        "好的|好|行|明白了|知道了|没问题|嗯|可以",
    ),
}
# Words that may stand beside a greeting or thanks without making it a question.
_FILLER = frozenset(
    " ".join(
        [
            "there everyone all guys folks again so much very lot a the you u to back main bot please pls me dear",
            "friend or human real tutti voi tanto molto ragazzi zusammen alle leute euch dir sehr vielmals tout le",
            "monde tous beaucoup bien toi vous يا جماعه كتير كثير جزيلا 너 넌 你 们 你们 大家 请 吧 啊 呀 了 回到",
            "啦 哦 呢 嘛 哈 咯 요",
            "~ oh ah wow lol haha ahah hehe",
        ]
    ).split()
)
_SMALLTALK_WORDS = 6
# Messages of at most this many words are read with misspelt small-talk words corrected.
_SMALLTALK_TYPOS = 3
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_TRAILING_REPEAT = re.compile(r"([aeiouyh])\1+\b")


def smalltalk_kind(plain: str) -> str | None:
    """ "greeting", "thanks", "bye", "help", "menu", "restart", "who" or "ok"; None when it is anything more."""
    text = _REPEATS.sub(r"\1", plain)
    text = re.sub(r"[^\w\s]", " ", text).replace("_", " ")
    if not text.strip() or len(text.split()) > _SMALLTALK_WORDS:
        return None
    kind = _smalltalk_of(text)
    if kind is None and text.isascii():
        # "heyyy" and "ciaoo" lost their repeated letter above; "helloo" needs one more try (not first: it
        # would make "see you" "se you").
        kind = _smalltalk_of(_TRAILING_REPEAT.sub(r"\1", text))
    if kind is None and len(text.split()) <= _SMALLTALK_TYPOS:
        kind = _smalltalk_of(" ".join(_smalltalk_word(word) for word in text.split()))
    return kind


def _smalltalk_of(text: str) -> str | None:
    kind = None
    while True:
        # The longest phrase first: "안녕히 계세요" is goodbye, though it starts with the greeting "안녕".
        length, name = max((cues.longest(text), name) for name, cues in _SMALLTALK.items())
        if not length:
            break
        text, _hit = _SMALLTALK[name].remove(text)
        kind = kind or name
    rest = [word for word in text.split() if word not in _FILLER]
    return kind if kind is not None and not rest else None


def _smalltalk_word(word: str) -> str:
    """A misspelt one-word phrase ("thnx", "helo", "grazi") as it is listed: one slip in a word of four letters or
    more. Only in messages of a few words, where nothing else can be meant."""
    if len(word) < 4 or not word.isascii() or word in _FILLER:
        return word
    from rapidfuzz.distance import OSA

    for cues in _SMALLTALK.values():
        if word in cues.words:
            return word
    for cues in _SMALLTALK.values():
        for phrase in cues.words:
            if len(phrase) >= 4 and OSA.distance(word, phrase) <= 1:
                return phrase
    return word


# --- subjects -----------------------------------------------------------------------------------------------
_CERTIFICATE = _cues(
    "certificate|certificates|cert|certification|diploma|certificato|attestato|certificazione|zertifikat",
    "bescheinigung|urkunde|certificat|attestation|شهاده|الشهاده|شهادات|수료증|인증서|증명서|证书|证明",
)
_ONLINE = _cues(
    "online|on line|digital|course|courses|e-learning|elearning|corso|digitale|kurs|onlinekurs|cours en ligne",
    "en ligne|numerique|الكترونيه|الالكترونيه|الكتروني|اونلاين|اون لاين|الرقميه|الدوره|دوره|온라인|강좌|디지털",
    "在线|网课|线上|网上|电子|课程",
)
_WORKSHOP = _cues(
    "workshop|workshops|offline|in person|in-person|atelier|ateliers|presenza|dal vivo|prasenz|vor ort",
    "presentiel|ورشه|ورش|الورشه|الورش|حضوري|الحضوريه|워크숍|대면|오프라인|工作坊|线下|现场",
)
_COST = _cues(
    "pay|paid|fee|fees|cost|costs|price|free|charge|pagare|paga|costa|costo|gratis|gratuito|quota|zahlen",
    "bezahlen|kosten|kostet|gebuhr|gebuhren|kostenlos|umsonst|payer|payant|payante|gratuit|gratuite|frais|coute",
    "مدفوع|مدفوعه|ادفع|رسوم|مجاني|مجانا|ببلاش|بكم|تكلفه|سعر|참가비|유료|무료|비용|돈|얼마|交费|收费|免费|费用|要钱|多少钱|付费",
)
_LECTURE = _cues(
    "lecture|lectures|lecure|lectur|video|videos|lesson|class|lezione|lezioni|vorlesung|vorlesungen|video",
    "lektion|cours|lecon|sequence|محاضره|المحاضره|محاضرات|المحاضرات|درس|강의|강좌 영상|讲|课|讲座",
)
_ABOUT = _cues(
    "about|covers|on the topic|talks about|is on|parla|parla di|riguarda|sul tema|uber|handelt|zum thema",
    "parle|sur le|porte sur|concerne|عن|حول|بتحكي عن|관한|대한|관련|다루는|몇 번|关于|讲的是|是讲|有关",
)
_LAST = _cues("last|final|ultima|ultimo|letzte|letzten|dernier|derniere|اخر|الاخيره|الاخير|마지막|最后")
_FIRST = _cues(
    "first lecture|lecture one|prima lezione|erste vorlesung|premier cours|المحاضره الاولي|اول محاضره|첫 강의",
    "첫번째 강의|첫 번째 강의|第一讲|第一课",
)
_PART = re.compile(
    r"(?:part|parte|teil|partie|module|modulo|modul|الجزء|جزء|파트|部分)\s*(\d|one|two|three|four|uno|due|tre|quattro"
    r"|eins|zwei|drei|vier|un|deux|trois|quatre|الاول|الثاني|الثالث|الرابع)\b"
    r"|(\d)\s*(?:부|파트)|第\s*([一二三四1-4])\s*(?:部分|部|模块)"
    r"|(?:(first|second|third|fourth|prima|seconda|terza|quarta|ersten|zweiten|dritten|vierten|premiere|deuxieme"
    r"|troisieme|quatrieme)\s+(?:part|parte|teil|partie|module|modulo))"
)
_PARTS_COUNT = re.compile(r"\b\d\s+(parts|parties|parti|teile|moduli|modules)\b", re.IGNORECASE)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "uno": 1, "due": 2, "tre": 3, "quattro": 4, "eins": 1, "zwei": 2,
    "drei": 3, "vier": 4, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "الاول": 1, "الثاني": 2, "الثالث": 3,
    "الرابع": 4, "一": 1, "二": 2, "三": 3, "四": 4, "first": 1, "second": 2, "third": 3, "fourth": 4, "prima": 1,
    "seconda": 2, "terza": 3, "quarta": 4, "ersten": 1, "zweiten": 2, "dritten": 3, "vierten": 4, "premiere": 1,
    "deuxieme": 2, "troisieme": 3, "quatrieme": 4,
}  # fmt: skip
_LECTURE_NUMBER = re.compile(
    r"(?:lecture|lezione|vorlesung|cours|lesson|video|محاضره|المحاضره|강의)\s*(?:n\.?|nr\.?|no\.?|#)?\s*(\d{1,2})\b"
    r"|(\d)\.(\d{1,2})\b|(\d{1,2})(?:\s*번째\s*강의?|\s*번\s*강의|강(?![좌의]))|第\s*([1-9一二三四五六七八])\s*[讲课]"
)
_PART_TOPIC = {
    4: _cues("housing|abitare|abitativ|casa|wohnen|wohnungs|logement|الاسكان|السكن|주거|주택|住房|住宅"),
    3: _cues("ai module|ai part|parte ai|ki teil|partie ia|الذكاء الاصطناعي|ai 파트|인공지능 파트|人工智能部分"),
}

# Asking for all the lectures of a part is the FAQ's part entry, not one lecture.
_LIST = _cues(
    "list|lists|liste|elenco|lista|all lectures|which lectures|what lectures|quali lezioni|che lezioni|tutte le",
    "welche vorlesungen|alle vorlesungen|quels cours|les cours de|tous les cours|محاضرات|المحاضرات|목록|강의들",
    "어떤 강의|列表|有哪些|哪些讲座|所有",
)
# A year of an earlier edition of the program (it runs yearly; "marking its fifth year" in 2026).
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
EARLIER_EDITIONS = 5
# Two-digit numbers in the thirties and forties are ages here: the workshop certificate's limit is 35.
_AGE = re.compile(r"(?<![\d.])[34]\d(?![\d.])")

_AWARD = _cues(
    "award|awards|prize|prizes|premio|premi|preis|preise|auszeichnung|prix|جائزه|الجائزه|جوائز|어워드|시상|수상|奖|奖项",
)
_TOPICS = {"workshop": _WORKSHOP, "certificate": _CERTIFICATE, "award": _AWARD}

# --- live questions -----------------------------------------------------------------------------------------
_PROGRESS = _cues(
    "my progress|how far am i|how far have i got|how much have i done|how many have i done|how am i doing",
    "where am i in the course|a che punto sono|i miei progressi|il mio progresso|quante ne ho fatte",
    "wie weit bin ich|mein fortschritt|meinen fortschritt|wie viel habe ich|ou j en suis|ma progression",
    "mes progres|ou en suis je|وين وصلت|تقدمي|شو خلصت|الى اين وصلت|진도|진행 상황|어디까지|学习进度|我的进度|我学到哪",
)
_NEXT = _cues(
    "next lecture|watch next|what next|whats next|what should i watch|next video|next one|prossima lezione",
    "guardare adesso|cosa guardo|la prossima|nachste vorlesung|als nachstes|was kommt jetzt|prochain cours",
    "je regarde quoi|prochaine video|quoi ensuite|regarder ensuite|المحاضره الجايه|المحاضره التاليه|شو بعدين",
    "الجايه|다음 강의|다음에 뭐|다음 거|下一讲|下一课|接下来|下一个",
)
_MISSING = _cues(
    "missing|left to do|still need|what remains|how many left|manca|mi manca|mancano|fehlt|fehlen|noch machen",
    "manque|me manque|reste|ناقص|ناقصني|باقي|بقي|남았|남은|부족|还差|还需要|缺",
)
# Done with the whole course: what comes next is the certificate (its view says what is left, if anything).
_FINISHED = _cues(
    "finished all|finished the lectures|finished the course|done with all|watched all|completed all|what now",
    "ho finito tutte|ho finito il corso|finito tutte le lezioni|e adesso|alle vorlesungen fertig|kurs fertig",
    "alles angeschaut|und jetzt|j ai fini tous|j ai termine le cours|et maintenant|خلصت كل المحاضرات|خلصت الدوره",
    "وهلق شو|강의 다 들었|다 들었는데|이제 뭐|看完所有|学完了|都看完了|接下来做什么",
)
_MINE = _cues("my|mine|i|me|mio|mia|mein|meine|mon|ma|mes|je|me|내|제|나|我")
_SEATS = _cues(
    "seats|seat|places|spots|spaces|capacity|room left|full|posti|posto|pieno|platze|platz|frei|ausgebucht",
    "place|complet|اماكن|مقاعد|فاضيه|محجوز|자리|좌석|정원|마감|名额|座位|满了|空位",
    # What is left of them: "free seats left", "freie Plätze", "posti rimasti", "자리 남았어요", "还有名额".
    "left|remaining|available|freie|freien|rimasti|rimasto|disponibili|restantes|restant|disponibles|متبقي|متبقيه",
    "باقي|남았|남은|잔여|还有|剩|剩余",
)
_VENUE = _cues(
    "venue|address|exact place|where exactly|where is the|sede|indirizzo|luogo|dove si tiene|veranstaltungsort",
    "adresse|lieu|ou se trouve|عنوان|مكان|وين|장소|주소|어디서|地点|地址|场地|在哪",
)
# Words for an event taking place: part of asking when or where a workshop is, not another subject.
_HAPPENS = _cues(
    "held|take place|takes place|taking place|happen|happens|happening|start|starts|begin|begins|tiene|tengono",
    "svolge|svolgono|inizia|comincia|findet|finden|statt|stattfinden|beginnt|lieu|tient|deroule|commence|تعقد|تقام",
    "بتصير|تبدا|열려|열리|개최|시작|举行|举办|开始",
)
_NEAR = _cues("near|nearby|vicino|nahe|pres|قريب|근처|附近")
_STATUS = _cues("cancelled|canceled|annullato|abgesagt|annule|ملغي|الغاء|취소|取消|postponed|rinviato")
_SIGNUP = _cues(
    "sign up|signup|register|registration|enrol|enroll|join|iscriv|iscrizione|anmelden|anmeldung|registrieren",
    "inscrire|inscription|inscris|اسجل|سجل|التسجيل|تسجيل|신청|등록|가입|报名|注册|登记",
)


@dataclass(frozen=True, slots=True)
class Subject:
    places: tuple[Place, ...] = ()
    certificate: str | None = None  # "online" or "workshop"
    age: bool = False  # an age is mentioned (a number in the thirties or forties)
    part: int | None = None
    lecture: int | None = None  # a lecture's position in its part: 1-based, -1 for the last
    topics: tuple[str, ...] = ()  # what the question names: "workshop", "certificate", "award"

    @property
    def city(self) -> str | None:
        cities = [p.name for p in self.places if p.kind == "city"]
        return cities[0] if cities else None


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


def _part_of(plain: str) -> int | None:
    found = _PART.search(plain)
    if found is not None:
        raw = next(g for g in found.groups() if g)
        return int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
    for number, cues in _PART_TOPIC.items():
        if cues.found(plain):
            return number
    return None


def subject_of(plain: str, gazetteer: Gazetteer | None) -> Subject:
    places = tuple(gazetteer.find(plain)) if gazetteer is not None else ()
    certificate = None
    if _CERTIFICATE.found(plain):
        online, workshop = _ONLINE.found(plain), _WORKSHOP.found(plain)
        if online != workshop:
            certificate = "online" if online else "workshop"
    part = _part_of(plain)
    lecture: int | None = None
    number = _LECTURE_NUMBER.search(plain)
    if number is not None:
        groups = number.groups()
        if groups[1] and groups[2]:
            part, lecture = int(groups[1]), int(groups[2])
        else:
            raw = next((g for g in (groups[0], groups[3], groups[4]) if g), None)
            if raw is not None:
                lecture = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
    if lecture is None and _LECTURE.found(plain):
        if _LAST.found(plain):
            lecture = -1
        elif _FIRST.found(plain):
            lecture = 1
    topics = tuple(name for name, cues in _TOPICS.items() if cues.found(plain))
    return Subject(places, certificate, bool(_AGE.search(plain)), part, lecture, topics)


def _live(plain: str, subject: Subject, kinds: frozenset[str]) -> str | None:
    lecture = _LECTURE.found(plain)
    if _MISSING.found(plain) and (_CERTIFICATE.found(plain) or lecture):
        return LIVE_CERTIFICATE
    if _FINISHED.found(plain) and not _CERTIFICATE.found(plain):
        # "I finished, what now?"; "I finished, how do I get the certificate?" is the certificate entry's.
        return LIVE_CERTIFICATE
    if _PROGRESS.found(plain):
        return LIVE_PROGRESS
    if _NEXT.found(plain) and not _WORKSHOP.found(plain):
        return LIVE_NEXT
    specific = subject.lecture is not None and (not _LIST.found(plain) or _LECTURE_NUMBER.search(plain))
    if lecture and "count" not in kinds and (specific or (_ABOUT.found(plain) and not _LIST.found(plain))):
        return LIVE_LECTURE
    workshop = _WORKSHOP.found(plain)
    if _SIGNUP.found(plain) or _CERTIFICATE.found(plain):
        return None
    asks_live = "when" in kinds or _SEATS.found(plain) or _VENUE.found(plain) or _STATUS.found(plain)
    if asks_live and (subject.city is not None or (workshop and not subject.places)):
        return LIVE_WORKSHOP
    return None


# Words that belong to a question about a workshop's live details.
_LIVE_WORDS = (_SEATS, _VENUE, _STATUS, _WORKSHOP, _NEAR, _HAPPENS)


def _off_topic(index: FaqIndex, text: str, lang: str, places: Gazetteer | None, min_length: int = 4) -> bool:
    """A word no entry uses that says what the question is about (`FaqIndex.topic_words`: not a function word, a
    place named, a question word or another form of a known word), and not one of a workshop's live details: the
    question is about something beside the workshop ("parking near the Brescia venue")."""
    plain = normalize(text)
    tokens = plain.split()
    for word in index.topic_words(text, lang, _named_words(plain, places)):
        # The word as typed too: Arabic stems lose letters ("فاضية", free, is read "اضي").
        typed = [token for token in tokens if word in token] or [word]
        if any(cues.found(form) for cues in _LIVE_WORDS for form in (word, *typed)):
            continue
        if word.isascii() and len(word) < min_length:
            continue
        return True
    return False


def _named_words(plain: str, places: Gazetteer | None) -> frozenset[str]:
    """The words that name a place in this question (not every word of every place name: "city", "new")."""
    if places is None:
        return frozenset()
    return frozenset(word for name, _place in places.named(plain) for word in words(name))


def _undocumented(plain: str) -> bool:
    """A question the program documents do not answer, though it shares words with ones they do: the workshop's
    fees (the documents only say the online lectures are free)."""
    return _COST.found(plain) and _WORKSHOP.found(plain) and not _ONLINE.found(plain)


def understand(
    index: FaqIndex, text: str, lang: str, places: Gazetteer | None = None, year: int | None = None
) -> Understanding:
    """What `text` asks, in language `lang`; `places` finds the workshop cities and other places named
    (`FaqLibrary.places`), `year` is the program's edition year (content's `program.year`)."""
    text = text[:MAX_READ]
    plain = normalize(text)
    kind = smalltalk_kind(plain)
    if kind is not None:
        return Understanding(SMALLTALK, smalltalk=kind)
    subject = subject_of(plain, places)
    if year is not None and any(year - EARLIER_EDITIONS <= int(y) < year for y in _YEAR.findall(plain)):
        # An earlier edition ("the cities in 2023"): the answers are about this year's, and must not be
        # given as if they were that year's facts.
        return Understanding(None, subject, undocumented=True, earlier_edition=True)
    kinds = question_kinds(text)
    live = _live(plain, subject, kinds)
    if live == LIVE_WORKSHOP:
        if _off_topic(index, text, lang, places):
            live = None  # "parking near the Brescia venue": the workshop's card does not answer it
        else:
            # An answer staff taught (saved from a question they answered) is more specific than the card.
            taught = index.match(text, lang).best
            if taught is not None and taught.source == "staff":
                return Understanding(taught.id, subject, match=index.match(text, lang))
    if live is not None:
        return Understanding(live, subject)
    if _undocumented(plain):
        return Understanding(None, subject, undocumented=True)
    if _WORKSHOP.found(plain) and any(p.kind == "region" for p in subject.places) and not _SIGNUP.found(plain):
        # "Is there a workshop in Africa?": the answer is the list of cities, whatever else the words match.
        cities_entry = next((e for e in index.entries if e.id == CITIES_ENTRY), None)
        if cities_entry is not None:
            return Understanding(CITIES_ENTRY, subject, match=Match((Hit(cities_entry, 1.0),), confident=True))
    # "The 4 parts of the course": a count of parts, not part 4.
    text = _PARTS_COUNT.sub(r"\1", text)
    factors = _subject_factors(index, _facets(subject), places)
    match = index.match(text, lang, factors=factors, names=_named_words(plain, places))
    best = match.best
    if best is None and _off_topic(index, text, lang, places, min_length=5):
        # Not sure, and the question is about something no entry mentions ("parking"): offering the nearest
        # topics would only show how far they are. Say so, and how to ask the team.
        return Understanding(None, subject, match=match, undocumented=True)
    return Understanding(best.id if best else None, subject, match=match)


def _facets(subject: Subject) -> dict[str, str]:
    """The question's subject, as facets an entry's own wordings can agree or disagree with."""
    facets: dict[str, str] = {}
    if subject.certificate:
        facets["certificate"] = subject.certificate
    if subject.part:
        facets["part"] = str(subject.part)
    if subject.age:
        facets["age"] = "yes"
    if any(place.kind == "region" for place in subject.places):
        facets["place"] = "region"
    for topic in subject.topics:
        facets["topic:" + topic] = "yes"
    return facets


def entry_facets(entry: FaqEntry, places: Gazetteer | None) -> dict[str, dict[str, float]]:
    """Per facet, the share of an entry's stored wordings that name each value ("certificate" → {"online": .8})."""
    counts: dict[str, dict[str, float]] = {}
    texts = [t for ts in entry.questions.values() for t in ts]
    for text in texts:
        subject = subject_of(normalize(text), places)
        for facet, value in _facets(subject).items():
            values = counts.setdefault(facet, {})
            values[value] = values.get(value, 0.0) + 1 / len(texts)
    return counts


# An entry whose wordings name another value of a facet the question names ("online" certificate asked, the
# entry's wordings all say "workshop") keeps this share of its score; one that names neither keeps NEUTRAL.
CONFLICT = 0.3
# An entry none of whose wordings names the workshop, certificate or award the question names.
TOPIC_NEUTRAL = 0.6
TOPIC_USUAL = 0.7
TOPIC_MISSING = 0.75
AGREE = 0.7
DOMINANT = 0.4
# A country or region named to an entry that never names one is most likely another subject ("a student visa
# for Canada" is not the workshop's travel support).
NEUTRAL = {"certificate": 0.85, "part": 0.85, "age": 0.6, "place": 0.5, "topic": TOPIC_NEUTRAL}


def warm(index: FaqIndex, places: Gazetteer | None) -> None:
    """Build what the first question would otherwise wait for: the index, place names and entry facets."""
    index.warm()
    _subject_factors(index, {"part": "1"}, places)
    understand(index, "warm up the qwertyuiop in athens", "en", places)
    understand(index, "会场附近有停车场吗", "zh", places)  # loads jieba's dictionary


def _facets_part(places: Gazetteer | None) -> str:
    """The cache part's name: it changes with the code that reads subjects and with the workshop cities."""
    import hashlib
    from pathlib import Path

    digest = hashlib.sha256(repr(places.cities if places is not None else ()).encode())
    folder = Path(__file__).parent
    for path in (folder / "understand.py", folder / "text.py", folder.parent / "places" / "gazetteer.py"):
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return "facets-" + digest.hexdigest()[:16]


def _subject_factors(index: FaqIndex, facets: dict[str, str], places: Gazetteer | None) -> list[float] | None:
    # Reading every stored wording for its subject takes most of a second: it is done once per index (kept on
    # it), and a new process (`wego-bot ask`, a restart) reads it from the index's disk cache instead, keyed by
    # this code and the cities.
    tables = index.memo(_facets_part(places), lambda: [entry_facets(entry, places) for entry in index.entries])
    if not isinstance(tables, list) or len(tables) != len(index.entries):
        tables = [entry_facets(entry, places) for entry in index.entries]
    factors = []
    for table in tables:
        factor = 1.0
        for facet, values in table.items():
            # An entry asked about a workshop (or a certificate, an award) nearly every time, when the question
            # names none: "is this only for people under 35" is not the workshop certificate's age rule.
            if facet.startswith("topic:") and facet not in facets and values.get("yes", 0.0) >= TOPIC_USUAL:
                factor *= TOPIC_MISSING
        for facet, value in facets.items():
            values = table.get(facet, {})
            share = values.get(value, 0.0)
            if share > 0:
                # An entry that asks about this value only now and then (the overview of both certificates)
                # keeps less than one that is mostly about it.
                factor *= AGREE + (1 - AGREE) * min(1.0, share / DOMINANT)
                continue
            factor *= CONFLICT if values else NEUTRAL.get(facet.partition(":")[0], 1.0)
        factors.append(factor)
    return factors


@lru_cache(maxsize=1)
def _topic_cues() -> dict[str, Cues]:
    from bot.faq.lecture_topics import TOPICS

    return {key: Cues(terms.split("|")) for key, terms in TOPICS.items()}


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
