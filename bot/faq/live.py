"""Live questions: answered from the database and the content (the person's progress, what is missing for a
certificate, the next lecture, a lecture by its position, a workshop's date, venue, seats or status), never
from the FAQ's word matching.
"""

from __future__ import annotations

from bot.faq.cues import apart, cues_of
from bot.faq.lecture_topics import named_topic
from bot.faq.subjects import CERTIFICATE, LECTURE, LECTURE_NUMBER, WORKSHOP, Subject
from bot.faq.text import words

LIVE_WORKSHOP = "live:workshop"
LIVE_PROGRESS = "live:progress"
LIVE_NEXT = "live:next"
LIVE_CERTIFICATE = "live:certificate"
LIVE_LECTURE = "live:lecture"

_ABOUT = cues_of(
    "about|covers|on the topic|talks about|is on|deals with|parla|parla di|riguarda|sul tema|tratta|uber|handelt",
    "behandelt|zum thema|traite|traite de",
    "parle|sur le|porte sur|concerne|عن|حول|بتحكي عن|관한|대한|관련|다루는|몇 번|关于|讲的是|是讲|有关",
)
# Asking for all the lectures of a part is the FAQ's part entry, not one lecture.
_LIST = cues_of(
    "list|lists|liste|elenco|lista|all lectures|which lectures|what lectures|quali lezioni|che lezioni|tutte le",
    "welche vorlesungen|alle vorlesungen|quels cours|les cours de|tous les cours|محاضرات|المحاضرات|목록|강의들",
    "어떤 강의|列表|有哪些|哪些讲座|所有",
)
_PROGRESS = cues_of(
    "how much have i watched|how many have i watched|what have i done so far|学了多少|看了多少|完成了多少|我的学习进度",
    "my progress|how far am i|how far have i got|how much have i done|how many have i done|how am i doing",
    "where am i in the course|a che punto sono|i miei progressi|il mio progresso|quante ne ho fatte",
    "wie weit bin ich|mein fortschritt|meinen fortschritt|wie viel habe ich|ou j en suis|ma progression",
    "how far along|how far along am i|mes progres|ou en suis je|وين وصلت|تقدمي|شو خلصت",
    "الى اين وصلت|진도|진행 상황|어디까지|学习进度|我的进度|我学到哪",
    # Where one has got to, in the other word order and other dialects ("وصلت لوين", "وين صرت"), and "which
    # lecture have I reached" ("学到第几课", "看到哪了").
    "وصلت لوين|لوين وصلت|وصلت لفين|لفين وصلت|وين صرت|لوين صرت|وصلت لحد فين|وصلت لوين بالدوره",
    "学到第几|学到哪|看到第几|看到哪|进度怎么样|我的进度怎么样|où j en suis|ou j en suis dans|ou en est ma progression",
    "a che punto sono arrivato|a che punto sono arrivata|dove sono arrivato|dove sono arrivata|wo stehe ich",
    "wie weit bin ich gekommen|mein stand|내 진도|진도 어디까지|어디까지 들었|어디까지 봤",
    "mon avancement|mon etat d avancement|my status|il mio avanzamento|몇 개 들었|몇개 들었|몇 개 봤",
    # How many one has done: "كم محاضرة خلصت", "قديش خلصت".
    "كم خلصت|قديش خلصت|كم محاضره خلصت|كم محاضره حضرت|كم درس خلصت|学完几|看完几|学了几|看了几|까지 끝냈",
    # Up to where one has heard, watched or done ("몇강까지 들었어?").
    "까지 들었|까지 봤|까지 했",
    # German "how much have I" typed short ("wie viel hab ich schon durch"); how many of them are left to watch
    # ("还剩几节没看").
    "wie viel hab ich|wieviel hab ich|wieviel habe ich|wie viele hab ich|wie viele habe ich|还剩几节|剩几节|几节没看",
)
_NEXT = cues_of(
    "next lecture|watch next|what next|whats next|what should i watch|next video|next one|prossima lezione",
    "guardare adesso|cosa guardo|la prossima|nachste vorlesung|als nachstes|was kommt jetzt|prochain cours",
    "je regarde quoi|prochaine video|quoi ensuite|regarder ensuite|المحاضره الجايه|المحاضره التاليه|شو بعدين",
    "الجايه|다음 강의|다음에 뭐|다음 거|下一讲|下一课|接下来|下一个",
    "下一节|下一集|下一个视频|下一个课|该看哪|该看什么|先看哪|다음 영상|다음에 들을|뭐 들어야",
    # Where one left off, to go on from there ("da dove ricomincio", "من وين أكمل", "接着该看").
    "where i left off|continue where|pick up where|da dove ricomincio|da dove riprendo|dove ero rimasto",
    "dove ero rimasta|wo war ich stehen geblieben|wo mach ich weiter|wo geht es weiter|ou j en etais|reprendre ou",
    "je reprends ou|من وين اكمل|من وين بكمل|من وين اكمل|من فين اكمل|이어서 볼|이어서 들을|이어 볼|接着|继续看|从哪继续",
    # "Going on, what do I watch" ("이어서 뭐 보면 돼?").
    "이어서 뭐|이어서 뭘|이어서 어떤|이어서 무슨",
    # Whose turn it is ("ايش المحاضرة اللي على الدور").
    "علي الدور|الدور علي",
    # What to watch, asked in the present ("what do I watch now").
    "what do i watch|what do i watch now|what am i watching next|what to watch now",
)
# "Now" or "next" beside a lecture: which one to watch next ("quale lezione devo vedere adesso").
_NOW = cues_of(
    "next|now|adesso|ora|prossima|prossimo|dopo|jetzt|nachste|nachstes|als nachstes|danach|maintenant|ensuite",
    "prochain|prochaine|apres|الجايه|الجاي|التاليه|التالي|هلق|الان|بعدين|다음|이제|지금|下一|接下来|现在|然后",
    # The following one ("leçon suivante", "la lezione successiva").
    "suivant|suivante|successiva|successivo",
)
_MISSING = cues_of(
    "missing|left to do|still need|what remains|how many left|whats left|what's left|what’s left|what is left|manca",
    # How near one is ("am i close to getting my cert", "how far am i from the certificate").
    "am i close to|how close am i|am i near|how far am i from|am i almost|almost there",
    "mi manca|mancano|fehlt|fehlen|noch machen|hangt noch|alles zusammen|tout ce qu il faut|everything i need",
    "tutto quello che serve",
    "manque|me manque|reste|ناقص|ناقصني|باقي|بقي|باقيلي|بقيلي|ضايل|ضايلي|남았|남은|부족|还差|还需要|缺|还剩|剩下|剩几",
    # Arabic "missing" with its pronoun glued on ("ناقصها حاجة": is something missing from it).
    "ناقصها|ناقصه|ناقصلي|ناقصنا|ناقصك",
)
# Having watched or finished ... all of it ("ho visto tutte le lezioni", "다 봤어요", "都看完了"): what comes next is
# the certificate.
_DONE = cues_of(
    "watched|finished|done|seen|completed|visto|viste|finito|finite|completato|gesehen|angeschaut|fertig",
    "abgeschlossen|regarde|regardees|fini|finis|termine|termines|terminee|terminees|خلصت|شفت|حضرت|انهيت|봤어요|봤는데|들었어요",
    "끝냈어요|끝났어요|다 봤|다 들었|看完|学完|完成了|看了|学了|听了",
    # German "got through", "managed", "done with" ("wie viele hab ich schon durch").
    "durch|geschafft|erledigt|gemacht|absolviert",
    # French "j'ai complété" (the bare word is also English "complete", as in "do I need to complete all of it").
    "j ai complete|j ai completes|j ai completees",
    # "Done" as French and Italian say it of lectures ("j'ai fait combien de cours", "quante ne ho fatte").
    "fait|faits|faites|fatto|fatte|fatti",
)
# Ready, issued ("is my certificate ready", "mein Zertifikat schon fertig?"): asked of one's own certificate, its
# status.
_READY = cues_of(
    "ready|issued|available yet|pronto|pronti|pronta|rilasciato|fertig|bereit|ausgestellt|pret|prete|disponible",
    "جاهز|جاهزه|طلعت|صدرت|준비됐|준비 됐|발급됐|나왔|好了|出来了|准备好",
    # Already, yet, now ("posso già avere il mio certificato?", "can I get my certificate yet", "내 수료증 이제 받을
    # 수 있어?").
    "yet|already|gia|schon|deja|بعد|已经|벌써|이미|now|adesso|ora|jetzt|maintenant|هلق|الحين|الان|이제|지금|现在",
)
_ALL = cues_of("all|everything|tutte|tutto|tutti|alle|alles|tout|tous|toutes|كل|كلها|다|전부|모두|모든|都|全部")
# Done with the whole course: what comes next is the certificate (its view says what is left, if anything).
_FINISHED = cues_of(
    "finished all|finished the lectures|finished the course|done with all|watched all|completed all|what now",
    "ho finito tutte|ho finito il corso|finito tutte le lezioni|e adesso|alle vorlesungen fertig|kurs fertig",
    "alles angeschaut|und jetzt|j ai fini tous|j ai termine le cours|et maintenant|خلصت كل المحاضرات|خلصت الدوره",
    "وهلق شو|강의 다 들었|다 들었는데|이제 뭐|看完所有|学完了|都看完了|接下来做什么",
)
# Oneself, also as the verb says it: "ho visto" (I have seen), "j'ai fini", "habe gesehen".
# New lectures asked about ("neue Vorlesungen zum Thema Wohnen"): what is new this year, not one lecture's topic.
NEW = cues_of(
    "new|newly|nuove|nuovi|nuova|nuovo|neu|neue|neuen|neues|nouveau|nouveaux|nouvelle|nouvelles|جديد|جديده|새로|새|新"
)
# One's own (a possessive): "my certificate", not "I" (who asks anything).
_MY = cues_of("my|mio|mia|mein|meine|mon|شهادتي|내 수료증|제 수료증|我的")
# (Arabic "خلصت", "شفت", "حضرت": I finished, saw, attended; the verb says who.)
_MINE = cues_of("my|mine|i|me|mio|mia|mein|meine|mon|ma|mes|je|me|ho|habe|hab|j ai|انا|내|제|나|我|خلصت|شفت|حضرت")
# The status of something ("mein Zertifikat Status", "제 수료증 상태"): said of one's own certificate, where it stands.
_STATE = cues_of("status|stato|stand|statut|etat|حاله|الحاله|상태|状态|情况")
# One's attendance at a workshop counted toward the certificate ("did my attendance count for the cert", "ma présence
# est bien comptée pour le certif"): where one's own certificate stands.
_ATTENDANCE = cues_of(
    "attendance|presence|mia presenza|la presenza|partecipazione|anwesenheit|teilnahme|حضوري|الحضور|حضور|출석|참석",
    "出勤|出席|签到",
)
_COUNTED = cues_of(
    "count|counted|counts|comptee|compte|comptabilisee|comptabilise|prise en compte|pris en compte|conta|contata",
    "contato|conteggiata|registrata|valida|zahlt|gezahlt|gewertet|erfasst|انحسب|اتحسب|تنحسب|محسوب|محسوبه|인정|반영",
    "算|算不算|记录了|记上",
)
# Progress named in any language beside one's own ("내 progress", "il mio progresso", "mein Fortschritt").
_PROGRESS_WORD = cues_of("progress|progresso|progressi|fortschritt|fortschritte|progression|progres|تقدم|진도|进度")
_SEATS = cues_of(
    "seats|seat|places|spots|spaces|capacity|room left|full|posti|posto|pieno|platze|platz|frei|ausgebucht",
    "place|complet|voll|اماكن|مقاعد|فاضيه|محجوز|امتلت|امتلات|ممتلئه|مليانه|자리|좌석|정원|마감|名额|座位|满了|空位",
    # What is left of them: "free seats left", "freie Plätze", "posti rimasti", "자리 남았어요", "还有名额".
    "left|remaining|available|freie|freien|rimasti|rimasto|disponibili|restantes|restant|disponibles|متبقي|متبقيه",
    "باقي|남았|남은|잔여|还有|剩|剩余",
    # Remaining, as verbs and compounds ("quanti posti restano", "Restplätze").
    "restano|resta|rimangono|rimane|restplatze|restplatz|ubrig|restent|reste|مجال|فيه مجال|اكتمل|اكتملت|مكتمل",
    "مكتمله",
)
# An e-mail address is not the venue's ("l'adresse mail de l'intervenant").
_EMAIL_ADDRESS = cues_of(
    "email address|e mail address|mail address|adresse mail|adresse e mail|adresse email|indirizzo email",
    "indirizzo mail|indirizzo e mail|mailadresse|e mail adresse|email adresse|عنوان الايميل",
    "이메일 주소|邮箱地址|邮件地址",
)
# Which cities ("في اي مدن؟ في شي بالقاهره؟"): the list's question, though a city is named beside it.
WHICH_CITIES = cues_of(
    "which cities|what cities|quali citta|in quali citta|welche stadte|welchen stadten|in welchen stadten",
    "quelles villes|dans quelles villes|اي مدن|انهي مدن|ايش المدن|شو المدن|ما هي المدن",
    "어느 도시들|어떤 도시들|哪些城市|哪几个城市",
    # The host cities ("is Baku one of the host cities?"), and which city asked in Korean ("어느 도시에서 해요").
    "host cities|host city|hosting cities|one of the cities|citta ospitanti|gastgeberstadte|villes hotes",
    "المدن المستضيفه|개최 도시|개최도시|어느 도시|어떤 도시|主办城市|举办城市",
)
# Eligible ("am I eligible now"), said of one's own certificate with "now" or "yet": its status.
_ELIGIBLE = cues_of("eligible|elligible|eligibile|idoneo|idonea|berechtigt|admissible|مؤهل|مستحق|자격|资格")
# Besides a city named ("besides Seoul, where else"): the other cities, the list's question.
_ELSE = cues_of(
    "else|besides|other than|apart from|oltre a|a parte|altrimenti|ausser|sonst noch|andere stadte|a part|en dehors de",
    "autres villes|غير|الى جانب|외에|말고|除了|以外",
)
# A workshop's sign-up opening or open ("정식 신청 열렸어요?"): its status.
_OPEN = cues_of(
    "open|opened|opens|aperte|aperto|aperta|aprono|offen|geoffnet|ouvert|ouverte|ouvertes|مفتوح|مفتوحه|انفتح|열렸|열려|开放",
    # Pre-registration, while a workshop's date is not announced.
    "pre register|preregister|pre registration|preregistration|vorregistrierung|preiscrizione|pre iscrizione",
    "preinscription|pre inscription|تسجيل مسبق|사전등록|사전 등록|预注册|预报名|预登记",
)
_VENUE = cues_of(
    "venue|address|exact place|where exactly|where is the|sede|indirizzo|luogo|dove si tiene|veranstaltungsort",
    "adresse|lieu|ou se trouve|عنوان|مكان|وين|장소|주소|어디서|地点|地址|场地|在哪",
)
# Words for an event taking place: part of asking when or where a workshop is, not another subject.
_HAPPENS = cues_of(
    "held|take place|takes place|taking place|happen|happens|happening|start|starts|begin|begins|tiene|tengono",
    "svolge|svolgono|inizia|comincia|findet|finden|statt|stattfinden|beginnt|lieu|tient|deroule|commence|تعقد|تقام",
    "بتصير|تبدا|열려|열리|개최|시작|举行|举办|开始",
)
_NEAR = cues_of("near|nearby|vicino|nahe|pres|قريب|근처|附近")
_STATUS = cues_of(
    "cancelled|canceled|annullato|abgesagt|annule|ملغي|الغاء|취소|取消|postponed|rinviato",
    "انلغت|اتلغت|تلغت|انلغي|اتلغي|ملغيه|تاجلت|اتاجلت|verschoben|reporte|연기|延期",
    "confirmed|confermato|confermata|bestatigt|confirme|confirmee|مؤكد|مؤكده|확정|确定了|确认了",
    "waiting list|waitlist|lista d attesa|warteliste|liste d attente",
    "قائمه الانتظار|قائمه انتظار|대기자|대기 명단|候补|等候名单",
)
# The organisation named without a workshop: its offices, its history, not a workshop's details.
_ORGANISATION = cues_of("wego|ويغو|위고")
# Checking in at the workshop: the check-in entry's, not the workshop's date ("comment je m'enregistre le jour").
CHECKIN = cues_of(
    "check in|checkin|check-in|checking in|enregistrer|enregistre|m enregistrer|einchecken|einchecke",
    "registrieren vor ort|fare il check in|registrare la presenza|registro la presenza|تسجيل الحضور|اسجل حضوري",
    "سجل حضوري|تشيك ان|تشيك إن|체크인|출석 체크|签到|als anwesend|anwesenheit",
    # Marking or confirming one's presence on the day ("valider ma présence", "segnare che ci sono").
    "valider ma presence|valider la presence|confirmer ma presence|signaler ma presence|marquer ma presence",
    "segnare la presenza|segnare la mia presenza|segnare che ci sono|confermare la presenza|convalidare la presenza",
    "mark my attendance|mark attendance|register my attendance|record my attendance|confirm my attendance",
    "anwesenheit bestatigen|anwesenheit eintragen|اثبت حضوري|اكد حضوري|출석 인정|출석체크|签个到",
)
SIGNUP = cues_of(
    "sign up|signup|register|registration|enrol|enroll|join|iscriv|iscrizione|anmelden|anmeldung|registrieren",
    "inscrire|inscription|inscris|اسجل|سجل|التسجيل|تسجيل|신청|등록|가입|报名|注册|登记",
    # The verb's other forms: "iscrivermi", "registrarmi", "angemeldet", "inscrit".
    "iscrivermi|iscriversi|iscriverti|iscrivo|iscritto|iscritta|registrarmi|registrarsi|registrato|anmelde",
    "angemeldet|registriere|registriert|inscrit|inscrite|inscrits|inscrive|signed up|registered|enrolled",
    "eintragen|einschreiben|نسجل|تسجلوا|سجلني",
    # The plural nouns ("still open for signups", "le iscrizioni sono aperte", "Anmeldungen").
    "signups|sign ups|registrations|iscrizioni|anmeldungen|inscriptions",
    # Booking a place ("prenotare un posto", "réserver une place", "자리 예약"): how to sign up, not the seats left.
    "book|booking|prenotare|prenoto|prenotazione|prenota|buchen|reservieren|reservierung|reserver|reserve",
    "reservation|احجز|حجز|نحجز|예약|预约|预订",
)
# Having signed up already ("signed up for Athens, what time does it start", "서울 워크숍 신청했는데 장소가 어디예요"):
# who asks, not asking how to sign up.
_SIGNED_UP = cues_of(
    "i signed up|signed up for|i registered|i m registered|im registered|i am registered|i enrolled|already signed up",
    "mi sono iscritto|mi sono iscritta|sono iscritto|sono iscritta|mi sono registrato|mi sono registrata",
    "ich bin angemeldet|ich habe mich angemeldet|hab mich angemeldet|habe mich angemeldet|bin angemeldet",
    "je suis inscrit|je suis inscrite|je me suis inscrit|je me suis inscrite|suis inscrit|suis inscrite",
    "سجلت|انا مسجل|انا مسجله|신청했|등록했|报名了|已经报名|已报名",
    # The participle alone, wherever the city stands ("ich habe mich für Baku angemeldet").
    "angemeldet|registriert|eingetragen|iscritto|iscritta|iscritti|inscrit|inscrite|inscrits|registered|enrolled",
    "مسجل|مسجله",
)
# The code shown at the venue, typed to check in ("where do I type the code on the screen"); a verification code or a
# password is the course platform's.
_CODE = cues_of("code|codes|codice|kod|كود|الكود|رمز|코드|签到码|代码")
_AT_WORKSHOP = cues_of(
    "venue|on the day|screen|sede|schermo|il giorno|vor ort|bildschirm|am tag|lieu|ecran|le jour|sur place|القاعه",
    "الشاشه|مكان الورشه|يوم الورشه|현장|화면|당일|会场|现场|屏幕|当天",
)
_PLATFORM = cues_of(
    "verification|verify|login|log in|password|verifica|passwort|mot de passe|verifier|تحقق|تفعيل|인증|비밀번호|验证",
    "密码|登录|platform|piattaforma|plattform|plateforme|منصه|플랫폼|平台|email|mail|e mail",
    "logging in|logging into|log into|account|mon compte|konto|حسابي|계정|账号|账户",
    # What to wear is no code to type, nor is a postcode.
    "dress code|dresscode|codice di abbigliamento|kleiderordnung|code vestimentaire|드레스 코드|드레스코드|着装",
    "zip code|postal code|postcode|codice postale|postleitzahl|code postal|الرمز البريدي|우편번호|邮编|邮政编码",
)


def checking_in(plain: str) -> bool:
    """Checking in at a workshop: named (`CHECKIN`), or the code at the venue typed ("où je tape le code affiché").
    Not logging in, a verification code or a password: those are the course platform's ("by check in I mean
    logging into the course site")."""
    if _PLATFORM.found(plain):
        return False
    return CHECKIN.found(plain) or (_CODE.found(plain) and _AT_WORKSHOP.found(plain))


def live_question(plain: str, subject: Subject, kinds: frozenset[str]) -> str | None:
    """The LIVE_* question `plain` asks (`kinds`: the kinds of answer it asks for), or None: one for the FAQ."""
    lecture = LECTURE.found(plain)
    if _MISSING.found(plain) and (CERTIFICATE.found(plain) or lecture):
        if not CERTIFICATE.found(plain) and "count" in kinds and _DONE.found(plain):
            # "كم محاضرة خلصت وكم باقيلي": how many done and how many left, one's progress.
            return LIVE_PROGRESS
        return LIVE_CERTIFICATE
    if CERTIFICATE.found(plain) and _ELIGIBLE.found(plain) and _READY.found(plain):
        # "Est-ce que je suis éligible au certificat maintenant ?"
        return LIVE_CERTIFICATE
    if CERTIFICATE.found(plain) and _MY.found(plain) and len(words(plain)) == 1:
        # "Il mio certificato?": one's own certificate, nothing else asked: where it stands.
        return LIVE_CERTIFICATE
    if CERTIFICATE.found(plain) and _MY.found(plain) and _STATE.found(plain):
        # "Mein Zertifikat Status?", "제 수료증 상태 확인 가능할까요": where one's own certificate stands.
        return LIVE_CERTIFICATE
    if CERTIFICATE.found(plain) and _MINE.found(plain) and _ATTENDANCE.found(plain) and _COUNTED.found(plain):
        # "Did my attendance at the Geneva workshop count for the cert?": one's own certificate, its status.
        return LIVE_CERTIFICATE
    if _READY.found(plain) and CERTIFICATE.found(plain) and _MY.found(plain) and not WORKSHOP.found(plain):
        # "Is my certificate ready?": where one's own stands (/certificate's view), not how certificates are had.
        return LIVE_CERTIFICATE
    # "Bis wann muss ich den Kurs fertig haben" asks for a deadline, not what comes after finishing.
    finished = (_FINISHED.found(plain) and "when" not in kinds) or (
        _DONE.found(plain) and _ALL.found(plain) and not kinds
    )
    if finished and not CERTIFICATE.found(plain) and not WORKSHOP.found(plain):
        # ("Muss ich den Kurs fertig haben, um zum Workshop zu gehen" asks whether the workshop needs it.)
        # "I finished, what now?"; "I finished, how do I get the certificate?" is the certificate entry's.
        return LIVE_CERTIFICATE
    own_progress = _PROGRESS_WORD.found(plain) and _MINE.found(plain)
    progress = (
        _PROGRESS.found(plain)
        or own_progress
        or ("count" in kinds and lecture and _DONE.found(plain) and _MINE.found(plain))
    )
    if progress and not _NEXT.found(plain):
        # ("我上次看到哪了？接着该看哪一节": where one left off, and what next, is the next lecture.)
        # "How many lectures have I done", "quante lezioni ho visto", "我看了几讲": a count of one's own.
        return LIVE_PROGRESS
    if (_NEXT.found(plain) or (lecture and _NOW.found(plain) and not kinds)) and not WORKSHOP.found(plain):
        return LIVE_NEXT
    specific = subject.lecture is not None and (not _LIST.found(plain) or LECTURE_NUMBER.search(plain))
    # A lecture asked about by its topic's terms ("c'è una lezione sui gemelli digitali?") or with "about".
    # ("About" after the lecture: "sur le site du cours" is not a lecture about a site.)
    at = max(0, LECTURE.first(plain))
    about = (_ABOUT.found(apart(plain)[at:]) or named_topic(plain) is not None) and not _LIST.found(plain)
    if lecture and "count" not in kinds and (specific or (about and not NEW.found(plain))):
        return LIVE_LECTURE
    workshop = WORKSHOP.found(plain)
    # Seats left or the status of a named city's workshop, though signing up is named ("اكتملت ولا لسه في مجال
    # أسجل؟", "사전등록만 받는 중이에요 아니면 정식 신청 열렸어요?"): its card answers.
    seats_or_status = _SEATS.found(plain) or _STATUS.found(plain) or _OPEN.found(plain)
    if subject.city is not None and workshop and SIGNUP.found(plain) and seats_or_status:
        return LIVE_WORKSHOP
    # Having signed up is who asks ("mi sono iscritto a Brescia, ci sono ancora posti?"); signing up asked about
    # is the FAQ's.
    signing_up = SIGNUP.found(_SIGNED_UP.remove(plain)[0]) if _SIGNED_UP.found(plain) else SIGNUP.found(plain)
    if signing_up or CERTIFICATE.found(plain) or checking_in(plain):
        return None
    if _ELSE.found(plain) or WHICH_CITIES.found(plain):
        return None
    if not workshop and _ORGANISATION.found(plain):
        # "WeGO ha sede a Seul?": a question about the organisation, not about the workshop in that city.
        return None
    if "award" in subject.topics:
        # "Is the award ceremony the same day as the Seoul workshop? Where is it?": the award's, not the workshop's.
        return None
    asks_live = "when" in kinds or _SEATS.found(plain) or _STATUS.found(plain)
    if subject.city is not None:
        # "Where is the Brescia workshop": where a workshop in a named city is held is its venue. Where the
        # workshops are, no city named, is the list of cities, the FAQ's ("dans quelles villes ont lieu les
        # ateliers", "워크숍 어디서 열려요").
        venue = _VENUE.found(plain) and not _EMAIL_ADDRESS.found(plain)
        asks_live = asks_live or venue or ("where" in kinds and workshop)
    if asks_live and (subject.city is not None or (workshop and not subject.places)):
        return LIVE_WORKSHOP
    return None


# Words that belong to a question about a workshop's live details.
LIVE_WORDS = (_SEATS, _VENUE, _STATUS, WORKSHOP, _NEAR, _HAPPENS, _OPEN, SIGNUP)
