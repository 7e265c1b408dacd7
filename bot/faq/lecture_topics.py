"""The key terms of each lecture's (English) title in the other six languages, so "quale lezione parla dei
gemelli digitali" finds 1.7 "Digital Twins and MetaCities". Not program facts: translations of the titles'
terms, keyed by lecture key. A title's own English words are matched too (handlers/faq.py).
"""

from __future__ import annotations

from functools import lru_cache

from bot.faq.cues import Cues

TOPICS: dict[str, str] = {
    "1.1": "contesto globale|condizioni locali|globaler kontext|lokale bedingungen|contexte mondial|conditions locales"
    "|السياق العالمي|الظروف المحليه|글로벌 맥락|지역 여건|全球背景|地方条件",
    "1.2": "secolo metropolitano|metropolitane jahrhundert|siecle metropolitain|القرن الحضري|القرن المتروبوليتاني"
    "|대도시의 세기|메트로폴리탄|大都市世纪|都市世纪",
    "1.3": "transizione ecologica|okologische wende|okologischen wandel|transition ecologique|التحول البيئي"
    "|생태 전환|生态转型",
    "1.4": "inclusione urbana|dati per l inclusione|urbane inklusion|inclusion urbaine|الادماج الحضري|الشمول الحضري"
    "|도시 포용|포용 데이터|城市包容",
    "1.5": "comunicare|comunicazione|kommunizieren|kommunikation|communiquer|communication|التواصل|الاتصال|소통"
    "|커뮤니케이션|传播|沟通",
    "1.6": "misurare|benchmarking|messen|benchmark|mesurer|evaluation comparative|قياس|المقارنه المعياريه|측정"
    "|벤치마킹|衡量|基准",
    "1.7": "gemelli digitali|gemello digitale|metacity|metacities|digitale zwillinge|digitaler zwilling"
    "|jumeaux numeriques|jumeau numerique|التوائم الرقميه|التوام الرقمي|디지털 트윈|메타시티|数字孪生|元城市",
    "1.8": "citta resilienti|citta inclusive|resiliente stadte|inklusive stadte|villes resilientes|villes inclusives"
    "|المدن المرنه|المدن الشامله|회복력 있는 도시|포용적 도시|韧性城市|包容性城市",
    "2.1": "infrastrutture sostenibili|nachhaltige infrastruktur|infrastructures durables|البنيه التحتيه المستدامه"
    "|지속가능한 인프라|可持续基础设施",
    "2.2": "valutazione della sostenibilita|nachhaltigkeitsbewertung|evaluation de la durabilite|تقييم الاستدامه"
    "|지속가능성 평가|可持续性评估",
    "2.3": "soluzioni basate sulla natura|naturbasierte losungen|solutions fondees sur la nature"
    "|الحلول القائمه علي الطبيعه|자연 기반 해법|자연기반|基于自然的解决方案",
    "2.4": "infrastruttura e dati|infrastruktur und daten|infrastructure et donnees|البنيه التحتيه والبيانات"
    "|인프라와 데이터|基础设施与数据",
    "2.5": "tecnologie emergenti|pianificazione urbana|neue technologien|stadtplanung|technologies emergentes"
    "|urbanisme|التقنيات الناشئه|التخطيط العمراني|신기술|도시계획|新兴技术|城市规划",
    "2.6": "impatto spaziale|infrastruttura digitale|raumliche wirkung|digitale infrastruktur|impact spatial"
    "|infrastructure numerique|الاثر المكاني|البنيه الرقميه|공간적 영향|디지털 인프라|空间影响|数字基础设施",
    "3.1": "fondamenti di ia|prerequisiti|ki grundlagen|voraussetzungen|fondamentaux de l ia|prerequis"
    "|اساسيات الذكاء الاصطناعي|المتطلبات المسبقه|ai 기초|인공지능 기초|선수 지식|人工智能基础|先修",
    "3.2": "futuro delle infrastrutture|zukunft der infrastruktur|avenir des infrastructures|مستقبل البنيه التحتيه"
    "|인프라의 미래|基础设施的未来",
    "3.3": "sicurezza urbana|stadtische sicherheit|securite urbaine|الامن الحضري|السلامه|도시 안전|도시 보안|城市安全",
    "3.4": "sostenibilita ambientale|umweltnachhaltigkeit|durabilite environnementale|الاستدامه البيئيه"
    "|환경 지속가능성|环境可持续",
    "3.5": "coinvolgimento dei cittadini|benessere|burgerbeteiligung|wohlbefinden|engagement citoyen|bien etre"
    "|مشاركه المواطنين|الرفاهيه|시민 참여|웰빙|公民参与|福祉",
    "4.1": "crisi abitativa|wohnungskrise|crise du logement|ازمه السكن|ازمه الاسكان|주거 위기|주택 위기|住房危机",
    "4.2": "partenariati pubblico privati|finanziamento|offentlich private partnerschaften|finanzierung"
    "|partenariats public prive|financement|الشراكه بين القطاعين|التمويل|민관 협력|금융|公私合作|融资",
    "4.3": "accessibilita|accesso alla casa|zugang zu wohnraum|bezahlbarkeit|acces au logement|abordabilite"
    "|القدره علي تحمل التكاليف|الوصول الي السكن|주거 접근성|주택 가격|住房可负担|住房获取",
    "4.4": "strumenti algoritmici|innovazione responsabile|algorithmische werkzeuge|verantwortungsvolle innovation"
    "|outils algorithmiques|innovation responsable|الادوات الخوارزميه|الابتكار المسؤول|알고리즘|책임 있는 혁신"
    "|算法工具|负责任的创新",
    "4.5": "soluzioni abitative|wohnlosungen skalieren|solutions de logement|توسيع حلول السكن|주거 해법 확대"
    "|住房解决方案",
}

# The titles' own distinctive terms, in English: a question naming one of them asks about that lecture.
ENGLISH: dict[str, str] = {
    "1.1": "global context|local conditions",
    "1.2": "metropolitan century",
    "1.3": "ecological transition",
    "1.4": "urban inclusion|data for inclusion",
    "1.5": "communicating smart",
    "1.6": "measuring and benchmarking",
    "1.7": "digital twins|digital twin",
    "1.8": "resilient cities|inclusive cities|integrative cities",
    "2.2": "sustainability assessment|assessment frameworks",
    "2.3": "nature based solutions|nature-based solutions",
    "2.5": "emerging technologies",
    "2.6": "spatial impact|digital infrastructure",
    "3.1": "ai fundamentals",
    "3.2": "future of infrastructures|future of infrastructure",
    "3.3": "urban security|urban safety",
    "3.4": "environmental sustainability",
    "3.5": "citizen engagement|well-being|wellbeing",
    "4.1": "housing crisis",
    "4.2": "public-private partnerships|public private partnerships",
    "4.3": "housing access|housing affordability|affordable housing",
    "4.4": "algorithmic tools|responsible housing innovation",
    "4.5": "scaling housing|housing solutions",
}


@lru_cache(maxsize=1)
def _cues() -> dict[str, Cues]:
    return {key: Cues([*terms.split("|"), *ENGLISH.get(key, "").split("|")]) for key, terms in TOPICS.items()}


def named_topic(plain: str) -> str | None:
    """The key of the lecture whose key terms `plain` (normalised) names, when exactly one lecture's are named."""
    named = [key for key, cues in _cues().items() if cues.found(plain)]
    return named[0] if len(named) == 1 else None
