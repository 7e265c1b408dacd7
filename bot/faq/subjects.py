"""The subject of a question: a city or region, a part of the course, a lecture's position, the kind of
certificate, an age, and whether it names a workshop, a certificate or the award.

Read from the question, and from each entry's stored wordings (bot/faq/facets.py), with the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.faq.cues import cues_of
from bot.places.gazetteer import Gazetteer, Place

CERTIFICATE = cues_of(
    "certificate|certificates|cert|certification|diploma|certificato|attestato|certificazione|zertifikat",
    "bescheinigung|urkunde|certificat|attestation|شهاده|الشهاده|شهادات|수료증|인증서|증명서|证书|证明",
    # With a pronoun glued on: "شهادتي" (my certificate); "certif" as French chat writes it.
    "شهادتي|شهادتك|شهادتنا|شهادته|شهادتها|certif|certifs|سيرتفيكيت|سيرتيفيكيت|سيرتفكيت|سرتفكيت",
)
_ONLINE = cues_of(
    "online|on line|digital|course|courses|e-learning|elearning|corso|digitale|kurs|onlinekurs|cours en ligne",
    "en ligne|numerique|الكترونيه|الالكترونيه|الكتروني|اونلاين|اون لاين|الرقميه|الدوره|دوره|온라인|강좌|디지털",
    "在线|网课|线上|网上|电子|课程",
)
# Who co-signs the workshop certificate (the documents name no signature on the online one): a certificate asked
# about with the mayor or the Secretary General is the workshop's.
_SIGNATORY = cues_of(
    "mayor|sindaco|burgermeister|maire|عمده|العمده|عمده سيول|서울시장|시장님|서울 시장|市长|首尔市长",
    "secretary general|segretario generale|generalsekretar|secretaire general|الامين العام|사무총장|秘书长",
)
# Words for an age: "is there an age limit for the online certificate" asks the age rule's question.
_AGE_WORDS = cues_of(
    "age|age limit|how old|too old|eta|limite di eta|alter|altersgrenze|jahre alt|limite d age|age limite",
    "العمر|عمري|السن|حد عمر|حد العمر|나이|나이 제한|연령|年龄|岁数|年龄限制",
)
WORKSHOP = cues_of(
    "workshop|workshops|offline|in person|in-person|atelier|ateliers|presenza|dal vivo|prasenz|vor ort",
    "presentiel|ورشه|ورش|الورشه|الورش|حضوري|الحضوريه|워크숍|대면|오프라인|工作坊|线下|现场",
)
_COST = cues_of(
    "pay|paid|fee|fees|cost|costs|price|free|charge|pagare|paga|costa|costo|gratis|gratuito|quota|zahlen",
    "bezahlen|kosten|kostet|gebuhr|gebuhren|kostenlos|umsonst|payer|payant|payante|gratuit|gratuite|frais|coute",
    "مدفوع|مدفوعه|ادفع|رسوم|مجاني|مجانا|ببلاش|بكم|تكلفه|سعر|참가비|유료|무료|비용|돈|얼마|交费|收费|免费|费用|要钱|多少钱|付费",
    "how much|quanto costa|combien coute|wie viel kostet|wieviel kostet",
)
# The weather: never in the program documents, and in Italian and French it is asked with the word for "time"
# ("che tempo fa", "quel temps fait-il"), which the course's duration answers use.
_WEATHER = cues_of(
    "weather|weather forecast|forecast|che tempo fa|che tempo fara|meteo|previsioni del tempo",
    "wetter|wettervorhersage|quel temps fait-il|quel temps fera-t-il|quel temps il fait|la meteo",
    "الطقس|طقس|حاله الطقس|날씨|일기예보|天气|天气预报|气温",
    # Spoken Arabic asks "how is the air" ("كيف الجو في سيول"); the temperature in every language.
    "كيف الجو|شلون الجو|الجو في|الجو هناك|درجه الحراره|temperature|temperatura|temperatur|기온",
    # Rain or snow on the day ("워크숍 당일에 서울 비 와요?").
    "rain|raining|snow|pioggia|piove|pioverà|neve|regen|regnet|schnee|pluie|pleut|neige|مطر|امطار|ثلج",
    "비 와|비 오|비와|비오|눈 와|눈 오|下雨|下雪",
)
# The train there ("zahlt WeGO die Zugfahrt", "il treno fino a Ginevra"): a thing for the journey, and the journey.
_TRAIN = (
    "train|trains|train ticket|train fare|treno|treni|zug|zugfahrt|bahn|bahnfahrt|bahnticket|zugticket|قطار|القطار"
    "|기차|기차표|ktx|火车|高铁|火车票|动车"
)
# Things for the journey to a workshop: whether WeGO pays for them is the travel entry's (the documents do not
# say); what they cost, or which there are in a city, the documents do not say at all.
_TRAVEL = cues_of(
    "hotel|hotels|hostel|flight|flights|plane ticket|airfare|ticket|tickets|accommodation|lodging|albergo|alberghi",
    "ostello|volo|voli|aereo|biglietto|biglietti|alloggio|flug|fluge|flugticket|unterkunft|ubernachtung|vol|vols",
    "ubernachten|dormire|dormir|loger|avion|billet|billets|hebergement|فندق|فنادق|الفندق|طياره|الطياره|طيران|تذكره|تذاكر|호텔|숙소|항공권|비행기|티켓",
    "숙박|酒店|宾馆|机票|门票|住宿|飞机票",
    _TRAIN,
)
_VISA = cues_of("visa|visas|visto|visum|فيزا|الفيزا|تاشيره|التاشيره|비자|签证")
# Asking whether someone pays for it or helps with it (the travel entry's question), not what it costs.
_COVERED = cues_of(
    "pay for|pays for|paid|cover|covered|covers|reimburse|reimbursed|reimbursement|support|grant|help|provided",
    "pagato|pagata|pagati|paga|pagano|coperto|coperta|rimborso|rimborsa|rimborsano|contributo|aiuto|fornito",
    "bezahlt|zahlt|ubernimmt|ubernehmen|erstattet|erstattung|zuschuss|abgedeckt|gestellt|paie|paye|payes|payee",
    "pris en charge|prise en charge|rembourse|remboursement|aide|fourni|مدفوع|مدفوعه|تتحمل|تغطي|تعويض|دعم|منحه",
    "بتدفع|بتغطي|지원|제공|포함|报销|补助|包吗|提供|支持|负责",
)
# Near (a venue): a hotel near the workshop is a place to find, not a cost WeGO may cover.
_NEAR_VENUE = cues_of("near|nearby|close to|vicino|vicina|nahe|in der nahe|pres|proche|قريب|جنب|근처|附近")
# Paying or being paid for, said of the journey ("do we get the hotel paid").
_JOURNEY_PAID = cues_of("pay|paga|pagare|zahlen|bezahlen|payer|ادفع|يدفع|내야|付")
# The journey itself: a question about paying for it is the travel entry's, not one about the workshop's fees.
_JOURNEY = cues_of(
    "travel|travelling|traveling|visa|viaggio|viaggiare|visto|reise|reisekosten|anreise|visum|voyage|voyager|visa",
    "سفر|السفر|فيزا|تاشيره|여행|비자|差旅|旅费|路费|签证",
    _TRAIN,
)
# The language something is held or spoken in. The documents give the languages of the videos' subtitles, and
# nothing about the language of the workshops.
_LANGUAGE = cues_of(
    "language|languages|english|in english|lingua|lingue|inglese|in inglese|sprache|sprachen|englisch|auf englisch",
    "langue|langues|anglais|en anglais|لغه|اللغه|بالانجليزي|انجليزي|الانجليزيه",
    "언어|영어|영어로|语言|英语|英文|用英语|用什么语言",
)
# Scholarships: the documents name none (a grant for the journey to a workshop is the travel entry's question).
_SCHOLARSHIP = cues_of(
    "scholarship|scholarships|borsa di studio|borse di studio|stipendium|stipendien|bourse|bourses|bourse d etudes",
    "منحه دراسيه|منح دراسيه|المنح الدراسيه|منحه للدراسه|장학금|奖学金|助学金",
)
LECTURE = cues_of(
    "lecture|lectures|lecure|lectur|video|videos|lesson|class|lezione|lezioni|vorlesung|vorlesungen|video",
    "lektion|cours|lecon|sequence|محاضره|المحاضره|محاضرات|المحاضرات|درس|강의|강좌 영상|讲|课|讲座",
    # Plurals the light stemmer does not reach here ("j'ai complété combien de leçons").
    "lessons|lecons|lektionen",
)
_LAST = cues_of("last|final|ultima|ultimo|letzte|letzten|dernier|derniere|اخر|الاخيره|الاخير|마지막|最后")
_FIRST = cues_of(
    "first lecture|lecture one|prima lezione|erste vorlesung|premier cours|المحاضره الاولي|اول محاضره|첫 강의",
    "첫번째 강의|첫 번째 강의|第一讲|第一课",
)
_PART = re.compile(
    # (Arabic as `normalize` leaves it: "الجزء" loses its hamza.)
    r"(?:part|parte|teil|partie|module|modulo|modul|الجز|جز|파트|部分)\s*(\d|one|two|three|four|uno|due|tre|quattro"
    r"|eins|zwei|drei|vier|un|deux|trois|quatre|الاول|الثاني|الثالث|الرابع|التاني|التالت)(?:\b|(?<=\d)(?!\d))"
    r"|(\d)\s*(?:부|파트)|第\s*([一二三四1-4])\s*(?:部分|部|模块)"
    r"|(?:(first|second|third|fourth|prima|seconda|terza|quarta|ersten|zweiten|dritten|vierten|erste|zweite|dritte"
    r"|vierte|premiere|deuxieme"
    r"|troisieme|quatrieme)\s+(?:part|parte|teil|partie|module|modulo))"
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "uno": 1, "due": 2, "tre": 3, "quattro": 4, "eins": 1, "zwei": 2,
    "drei": 3, "vier": 4, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "الاول": 1, "الثاني": 2, "الثالث": 3,
    "الرابع": 4, "一": 1, "二": 2, "三": 3, "四": 4, "first": 1, "second": 2, "third": 3, "fourth": 4, "prima": 1,
    "seconda": 2, "terza": 3, "quarta": 4, "ersten": 1, "zweiten": 2, "dritten": 3, "vierten": 4, "premiere": 1,
    "erste": 1, "zweite": 2, "dritte": 3, "vierte": 4,
    "deuxieme": 2, "troisieme": 3, "quatrieme": 4, "التاني": 2, "التالت": 3,
}  # fmt: skip
# A lecture named by its place in words: "the third lecture", "la terza lezione", "المحاضرة التالتة", "세 번째 강의".
_ORDINALS = {
    1: "first|prima|primo|erste|ersten|premier|premiere|الاولي|الاول|첫|첫번째|첫 번째",
    2: "second|seconda|secondo|zweite|zweiten|deuxieme|seconde|الثانيه|التانيه|두 번째|두번째",
    3: "third|terza|terzo|dritte|dritten|troisieme|الثالثه|التالته|세 번째|세번째",
    4: "fourth|quarta|quarto|vierte|vierten|quatrieme|الرابعه|네 번째|네번째",
    5: "fifth|quinta|quinto|funfte|funften|cinquieme|الخامسه|다섯 번째|다섯번째",
    6: "sixth|sesta|sesto|sechste|sechsten|sixieme|السادسه|여섯 번째|여섯번째",
    7: "seventh|settima|settimo|siebte|siebten|septieme|السابعه|일곱 번째|일곱번째",
    8: "eighth|ottava|ottavo|achte|achten|huitieme|الثامنه|التامنه|여덟 번째|여덟번째",
}
_ORDINAL_OF = {word: n for n, words in _ORDINALS.items() for word in words.split("|")}
_LECTURE_WORDS = r"lecture|video|lesson|lezione|vorlesung|lektion|cours|lecon|المحاضره|محاضره|강의"
_ORDINAL = "|".join(sorted(_ORDINAL_OF, key=len, reverse=True))
_ORDINAL_LECTURE = re.compile(
    # (Korean glues its particle on: "세 번째 강의가".)
    rf"(?<!\w)(?:({_ORDINAL})\s*(?:{_LECTURE_WORDS})|(?:{_LECTURE_WORDS})\s+({_ORDINAL}))(?:(?!\w)|(?<=강의))"
)
LECTURE_NUMBER = re.compile(
    r"(?:lecture|lezione|vorlesung|cours|lesson|video|محاضره|المحاضره|강의)\s*(?:n\.?|nr\.?|no\.?|#|numero|number"
    r"|nummer|num\.?|رقم)?\s*(\d{1,2})\b"
    r"|(\d)\.(\d{1,2})\b|(\d{1,2})(?:\s*번째\s*강의?|\s*번\s*강의|강(?![좌의]))|第\s*([1-9一二三四五六七八])\s*[讲课]"
)
_PART_TOPIC = {
    4: cues_of("housing|abitare|abitativ|casa|wohnen|wohnungs|logement|الاسكان|السكن|주거|주택|住房|住宅"),
    3: cues_of("ai module|ai part|parte ai|ki teil|partie ia|الذكاء الاصطناعي|ai 파트|인공지능 파트|人工智能部分"),
}
# Two-digit numbers in the thirties and forties are ages here: the workshop certificate's limit is 35.
_AGE = re.compile(r"(?<![\d.])[34]\d(?![\d.])")

_AWARD = cues_of(
    "award|awards|prize|prizes|premio|premi|preis|preise|auszeichnung|prix|جائزه|الجائزه|جوائز|어워드|시상|수상|奖|奖项",
    "청년상",
)
_TOPICS = {"workshop": WORKSHOP, "certificate": CERTIFICATE, "award": _AWARD}
# The award's categories, named beside the award or the word "category": "who sponsors the net zero category" is
# that category's entry, not the list of every category's partners. Alone, these words are course topics ("AI").
_CATEGORY_WORD = cues_of(
    "category|categories|categoria|categorie|kategorie|kategorien|preiskategorie|kulturpreis|technologiepreis",
    "فئه|الفئه|فئات|부문|분야|문화상|기술상|창업상|리더십상|类别|类|组别|奖项",
)
_CATEGORIES = {
    "smart-city": cues_of(
        "smart city|smart cities|citta intelligente|citta intelligenti|intelligente stadt|ville intelligente",
        "villes intelligentes|المدن الذكيه|المدينه الذكيه|مدن ذكيه|스마트시티|스마트 시티|智慧城市|智能城市",
    ),
    "advanced-technology": cues_of(
        "advanced technology|advanced tech|tecnologia avanzata|tecnologie avanzate|fortgeschrittene technologie",
        "fortschrittliche technologie|spitzentechnologie|technologie avancee|technologies avancees",
        "التكنولوجيا المتقدمه|التقنيه المتقدمه|التقنيات المتقدمه|첨단기술|첨단 기술|先进技术|尖端技术",
        "drone|drones|robot|robots|robotics|robotica|robotik|robotique|roboter|drohne|drohnen|درون|درونز|روبوت",
        "드론|로봇|无人机|机器人",
    ),
    "net-zero": cues_of(
        "net zero|netzero|net-zero|zero emissioni|emissioni zero|netto null|netto-null|zero net|zero emission",
        "الحياد الكربوني|صافي الصفر|صافي صفر|نت زيرو|صافي الانبعاثات|넷제로|넷 제로|탄소중립|净零|碳中和",
        # A project's terms ("an app that cuts household CO2 emissions"), read beside the award or a category.
        "co2|emissions|emission|carbon|emissioni|emissionen|انبعاثات|الانبعاثات|الكربون|탄소|배출|碳排放|减排",
        "carbon neutral|carbon neutrality|neutralita carbonica|klimaneutralitat|neutralite carbone",
    ),
    "ai": cues_of(
        "ai|a i|ia|ki|kunstliche intelligenz|intelligenza artificiale|intelligence artificielle",
        "الذكاء الاصطناعي|인공지능|人工智能",
    ),
    "youth-entrepreneurship": cues_of(
        "entrepreneurship|entrepreneur|entrepreneurs|startup|startups|start-up|imprenditoria|imprenditorialita",
        "imprenditori|imprenditore|unternehmertum|unternehmer|grunder|entrepreneuriat|رياده الاعمال|رواد الاعمال",
        "창업|创业|스타트업|初创",
    ),
    "sdgs": cues_of(
        "sdg|sdgs|sustainable development goals|obiettivi di sviluppo sostenibile|nachhaltigkeitsziele|odd",
        "objectifs de developpement durable|اهداف التنميه المستدامه|التنميه المستدامه|지속가능발전목표|可持续发展目标",
        "model united nations|nazioni unite|vereinte nationen|nations unies|الامم المتحده|모의유엔|유엔|联合国",
    ),
    "culture": cues_of(
        "culture|cultural|cultura|culturale|kultur|kulturpreis|culturel|الثقافه|ثقافه|الثقافيه|문화|文化",
        # The category's partner network's name, the Silk Road ("ein Festival zur Seidenstraße").
        "silk road|via della seta|seidenstrasse|route de la soie|طريق الحرير|실크로드|丝绸之路",
    ),
    "leadership": cues_of("leadership|leader|leaders|fuhrung|القياده|قياده|리더십|领导力"),
}
# A category by its number, as the answers number them ("category 6", "الفئة السادسة", "6번 부문", "第6类").
_AR_ORDINALS = ("الاولي", "الثانيه", "الثالثه", "الرابعه", "الخامسه", "السادسه", "السابعه", "الثامنه")
_ZH_NUMBERS = "一二三四五六七八"
for _n, _name in enumerate(_CATEGORIES, start=1):
    _CATEGORIES[_name] = cues_of(
        "|".join(_CATEGORIES[_name].phrases()),
        f"category {_n}|categoria {_n}|kategorie {_n}|categorie {_n}|cat {_n}|الفئه {_n}|فئه {_n}",
        f"الفئه {_AR_ORDINALS[_n - 1]}|{_n}번 부문|{_n} 부문|부문 {_n}|{_n}번째 부문",
        f"第{_n}类|第{_ZH_NUMBERS[_n - 1]}类|类别{_n}|{_n}类",
    )


@dataclass(frozen=True, slots=True)
class Subject:
    places: tuple[Place, ...] = ()
    certificate: str | None = None  # "online" or "workshop"
    age: bool = False  # an age is mentioned (a number in the thirties or forties)
    part: int | None = None
    lecture: int | None = None  # a lecture's position in its part: 1-based, -1 for the last
    topics: tuple[str, ...] = ()  # what the question names: "workshop", "certificate", "award"
    category: str | None = None  # the award category named beside the award ("net-zero")
    part_named: bool = False  # the part is named by its number ("part 3", "teil 4"), not only by its topic

    @property
    def city(self) -> str | None:
        cities = [p.name for p in self.places if p.kind == "city"]
        return cities[0] if cities else None


_WATCHING = cues_of(
    "watch|watched|watching|guardo|guardare|guardato|guardati|visto|viste|schaue|geschaut|angeschaut|anschauen",
    "regarde|regarder|regardes|شفت|اشوف|بشوف|اتفرج|شاهدت|اشاهد|보면|봤|봐|看完|都看|看了",
)


def about_journey(plain: str) -> bool:
    """The journey to a workshop is named: a flight, a hotel, a visa, travel."""
    return _TRAVEL.found(plain) or _JOURNEY.found(plain)


def names_online(plain: str) -> bool:
    return _ONLINE.found(plain)


_PART_WORD = cues_of("part|parte|teil|partie|module|modulo|modul|الجز|جز|الجزء|جزء|파트|부분|部分")


def _part_of(plain: str) -> int | None:
    found = _PART.search(plain)
    if found is not None:
        raw = next(g for g in found.groups() if g)
        return int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
    for number, cues in _PART_TOPIC.items():
        if cues.found(plain):
            return number
    return None


_COURSE = cues_of("course|corso|kurs|onlinekurs|cours|كورس|الكورس|دوره|الدوره|강좌|课程|网课")


def subject_of(plain: str, gazetteer: Gazetteer | None) -> Subject:
    places = tuple(gazetteer.find(plain)) if gazetteer is not None else ()
    certificate = None
    if CERTIFICATE.found(plain):
        # (The course is the online course: "شهادة الكورس وشهادة الورشة" names both certificates.)
        online, workshop = _ONLINE.found(plain) or _COURSE.found(plain), WORKSHOP.found(plain)
        if online != workshop:
            certificate = "online" if online else "workshop"
        elif not online and _SIGNATORY.found(plain):
            certificate = "workshop"
        elif not workshop and (LECTURE.found(plain) or _WATCHING.found(plain)):
            # "Do I get a certificate if I watch everything": the videos are the online course's.
            certificate = "online"
    part = _part_of(plain)
    # "Was wird im Teil zum Wohnen behandelt": a part named by the word and its topic asks for that part too.
    part_named = _PART.search(plain) is not None or (part is not None and _PART_WORD.found(plain))
    lecture: int | None = None
    number = LECTURE_NUMBER.search(plain)
    if number is not None:
        groups = number.groups()
        if groups[1] and groups[2]:
            part, lecture = int(groups[1]), int(groups[2])
        else:
            raw = next((g for g in (groups[0], groups[3], groups[4]) if g), None)
            if raw is not None:
                lecture = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
    if lecture is None and LECTURE.found(plain):
        ordinal = _ORDINAL_LECTURE.search(plain)
        if _LAST.found(plain):
            lecture = -1
        elif ordinal is not None:
            lecture = _ORDINAL_OF[ordinal.group(1) or ordinal.group(2)]
        elif _FIRST.found(plain):
            lecture = 1
    topics = tuple(name for name, cues in _TOPICS.items() if cues.found(plain))
    category = None
    if "award" in topics or _CATEGORY_WORD.found(plain):
        named = [name for name, cues in _CATEGORIES.items() if cues.found(plain)]
        category = named[0] if len(named) == 1 else None
    age = bool(_AGE.search(plain)) or _AGE_WORDS.found(plain)
    return Subject(places, certificate, age, part, lecture, topics, category, part_named)


def states_age(plain: str) -> bool:
    """An age is stated as a number ("bin grad 35 geworden", "عندي 37 سنة"), not only asked about ("age limit")."""
    return _AGE.search(plain) is not None


def program_word(word: str) -> bool:
    """A word the program's subjects are named by in some language ("路费", "atelier", "수료증"), though no entry
    may use it: not something beside the program."""
    return any(cues.names(word) for cues in (WORKSHOP, CERTIFICATE, LECTURE, _ONLINE, _JOURNEY, _AWARD))


# The time of day now: never in the program documents ("what time is it in Seoul" names a workshop city).
_CLOCK = cues_of(
    "what time is it|time is it now|che ore sono|che ora e|che ora fa|wie spat ist es|wie viel uhr ist es",
    "quelle heure est il|quelle heure il est|il est quelle heure|كم الساعه|الساعه كم|قديش الساعه",
    "몇 시예요|지금 몇 시|몇시예요|现在几点|几点了|现在是几点",
)


def elsewhere(plain: str) -> bool:
    """About something outside the program altogether (the weather, the time now), though it may share words with
    it: no program topic is near, so none is offered."""
    return _WEATHER.found(plain) or _CLOCK.found(plain)


# How to reach someone: the contact entry gives the WeGO Secretariat's, no one else's.
_REACH = cues_of(
    "phone|phone number|telephone|number|email|e mail|mail|contact|contacts|telefono|numero|cellulare|telefon",
    "telefonnummer|nummer|handynummer|kontakt|telephone|numero de telephone|courriel|portable|هاتف|رقم|تلفون",
    "جوال|موبايل|ايميل|بريد|전화|전화번호|번호|이메일|연락처|电话|号码|邮箱|手机|联系方式",
)
# People whose phone or e-mail the documents do not give: "the mayor of Seoul" signs a certificate, the
# Secretariat is who answers.
_OFFICIAL = cues_of(
    "mayor|governor|president|minister|professor|lecturer|teacher|ceo|rector|sindaco|governatore|presidente",
    "ministro|professore|docente|rettore|burgermeister|gouverneur|prasident|minister|professor|dozent|maire",
    "ministre|recteur|enseignant|عمده|محافظ|رئيس|الرئيس|وزير|دكتور|الدكتور|استاذ|시장님|서울시장|도지사|대통령|장관",
    "교수|교수님|강사|총장|市长|省长|州长|总统|部长|教授|老师|校长",
)
_WHO = cues_of("who|who s|whos|chi|chi e|wer|qui|qui est|مين|من هو|من هي|누구|누가|谁")
# Sponsoring the award or becoming its partner: the documents name the partners, not how one becomes one.
_SPONSOR = cues_of(
    "sponsor|sponsoring|sponsorship|sponsorizzare|sponsorizzazione|sponsern|sponsoring|sponsoriser|parrainer",
    "parrainage|mecenat|رعايه|يرعى|نرعى|ارعى|راعي|스폰서|후원하|후원할|赞助",
)
_BECOME_PARTNER = cues_of(
    "become a partner|become partners|be a partner|diventare partner|partner werden|partner sein",
    "devenir partenaire|etre partenaire|نصبح شركاء|اصبح شريك|نكون شركاء|파트너가 되|파트너 되|成为合作伙伴|成为合作方",
)
# Minutes, the length of a video (the documents give none; the course's duration is its own entry's question).
_MINUTES = cues_of(
    "minute|minutes|mins|minuto|minuti|minuten|دقيقه|دقايق|دقائق|분짜리|分钟",
    # A video's length ("video length?", "lunghezza dei video", "영상 길이").
    "length|lengths|lunghezza|longueur|videolange|videolaenge|طول|길이|분량|时长|多长",
)
# An internship or a job with WeGO: the documents offer neither.
_INTERNSHIP = cues_of(
    "internship|internships|intern|interning|tirocinio|tirocini|stage|stagista|praktikum|praktika|praktikant",
    "praktikantin|stagiaire|effectuer un stage|تدريب عملي|اتدرب|نتدرب|اتمرن|인턴|인턴십|인턴쉽|实习|实习生",
)
_OURS = cues_of(
    "my|our|we|i|mia|mio|nostra|nostro|noi|mein|meine|meiner|unser|unsere|wir|ich|mon|ma|notre|nous|je",
    "شركتي|شركتنا|جامعتي|جامعتنا|نحن|انا|우리|제가|저희|我们|我的|我",
)


# What to wear: the documents say nothing of it ("is there a dress code at the venue" shares "code" and "venue" with
# checking in).
_DRESS = cues_of(
    "dress code|dresscode|what to wear|what should i wear|cosa indossare|cosa mi metto|abbigliamento|kleiderordnung",
    "was soll ich anziehen|was anziehen|code vestimentaire|tenue vestimentaire|quoi porter|quelle tenue|شو البس",
    "ماذا ارتدي|ايش البس|اللبس|드레스 코드|드레스코드|복장|뭐 입고|着装|穿什么",
)


def undocumented(plain: str, subject: Subject | None = None) -> bool:
    """A question the program documents do not answer, though it shares words with ones they do: the workshop's
    fees (the documents only say the online lectures are free), the workshop's language (they give the videos'
    subtitles), scholarships, the price of a hotel or a flight, or which hotels a city has (whether WeGO pays for
    them is the travel entry's question)."""
    travel, workshop = _TRAVEL.found(plain), WORKSHOP.found(plain)
    if _COST.found(plain) and workshop and not _ONLINE.found(plain) and not travel and not _JOURNEY.found(plain):
        return True
    if _LANGUAGE.found(plain) and workshop and not _ONLINE.found(plain) and not LECTURE.found(plain):
        # "What language is the workshop in": the subtitles' languages are the videos', not the workshop's.
        return True
    if _SCHOLARSHIP.found(plain) and not travel and not _JOURNEY.found(plain):
        return True
    if _MINUTES.found(plain) and LECTURE.found(plain):
        # "How many minutes is each lecture video": the documents give the lectures' number, not their length.
        return True
    if _DRESS.found(plain):
        return True
    if _INTERNSHIP.found(plain):
        # "Can I do an internship with you": the documents offer no internships or jobs.
        return True
    if _OFFICIAL.found(plain) and _WHO.found(plain) and not _SIGNATORY.found(plain):
        # "Who is the president of Kookmin University": the documents name no one (the certificate's signatories,
        # the mayor and the Secretary General, by their office only).
        return True
    if _REACH.found(plain) and _OFFICIAL.found(plain):
        # "The phone number of the mayor of Seoul": the contact entry gives the Secretariat's, not theirs.
        return True
    if _BECOME_PARTNER.found(plain) or (_SPONSOR.found(plain) and _OURS.found(plain)):
        # "Can my company sponsor the award": who the partners are is documented, how to become one is not.
        return True
    named = subject is not None and bool(subject.places)
    if travel and _NEAR_VENUE.found(plain) and not _COVERED.found(plain) and not _JOURNEY_PAID.found(plain):
        # "Mi consigli un albergo vicino alla sede del workshop?": which hotels are near, not whether WeGO pays.
        return True
    if _VISA.found(plain) and not workshop and not _COVERED.found(plain) and _COST.found(plain):
        # "How much is a Korean visa": what a visa costs, not whether WeGO helps with it.
        return True
    return travel and not workshop and not _COVERED.found(plain) and (named or _COST.found(plain))
