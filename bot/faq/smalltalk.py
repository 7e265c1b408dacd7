"""Small talk: a greeting, thanks, a goodbye, a request for help or the menu, "start over", "who are you", "ok".

Recognised before anything else, so small talk never reaches the FAQ's word matching.
"""

from __future__ import annotations

import re
import unicodedata

from bot.faq.cues import Cues, cues_of
from bot.faq.text import STOPWORDS

# A message is small talk when nothing is left of it once these phrases and filler words are taken out.
_SMALLTALK: dict[str, Cues] = {
    "greeting": cues_of(
        "ehila|ehi la|ehi ciao|하이루|하이요|하잉|嗨嗨|嗨嗨嗨|哈喽哈喽|سلام عليكم|السلام|هلو|اهلين فيك",
        "buondi|buon di|hallihallo|halli hallo|guten tag zusammen|좋은 아침|좋은 아침이에요|안뇽|안뇽하세요",
        "哈喽|嗨喽|晚上好|早安|午安",
        "tach|tachchen|거기 있어요|거기 있나요|거기 있어",
        # Greeting the bot ("机器人你好", "مرحبا يا بوت").
        "机器人你好|你好机器人|机器人您好|مرحبا يا بوت|اهلا يا بوت|هلا يا بوت|مرحبا بوت",
        "صباح النور|هاي|هايي",
        "hi|hello|hey|hiya|heya|yo|howdy|good morning|good afternoon|good evening|hi there|hello there|greetings",
        "good day|gm|hey there|hello again|hi again|morning|evening",
        "sup|wassup|whats up|what s up",
        "ciao|salve|buongiorno|buon pomeriggio|buonasera|ehi|hei",
        "hallo|hi zusammen|guten morgen|guten tag|guten abend|moin|servus|gruss gott|gruezi|na",
        "salut|bonjour|bonsoir|coucou|bonne journee",
        "مرحبا|مرحبتين|اهلا|اهلين|اهلا وسهلا|السلام عليكم|سلام|هاي|هلا|صباح الخير|مساء الخير|صباح النور",
        "안녕|안녕하세요|안녕하십니까|반가워요|반갑습니다|하이|좋은 아침",
        "ㅎㅇ|하이요|안뇽|헬로",
        # "Moinsen"; "slm", "salam" as Arabic chat writes them in Latin letters.
        "moinsen|slm|salam|salam alaikum|salam aleikum",
        "你好|您好|早上好|早安|晚上好|下午好|嗨|哈喽|哈啰|大家好",
        # Checking someone is there before asking: "在吗", "anyone there?".
        "在吗|在不在|有人吗|are you there|anyone there|anybody there|you there|ci sei|bist du da|t es la|tu es la",
        "موجود|في حدا|거기 누구 있어요|계세요",
        # "How are you" goes with a greeting, and abbreviations of one ("slt", "bjr").
        "how are you|how r u|how are u|how is it going|hows it going|how you doing",
        "come va|come stai|tutto bene|wie gehts|wie geht s|wie geht es dir|wie geht s dir|ca va|comment ca va",
        "comment vas tu|comment allez vous|slt|bjr|bsr|كيفك|كيف حالك|كيف الحال|شلونك|عامل ايه",
        "잘 지내요|잘 지냈어요|잘 지내셨어요|你好吗|最近好吗|最近怎么样",
        "hallochen|halloechen|هلا|هلا والله|هلا وغلا|gruss dich|grus dich|grussi|gruezi mitenand|bon apres midi",
        "bon aprem|مساء النور|مساء الخير|좋은 오후|좋은 저녁",
        "السلام عليكم ورحمه الله|السلام عليكم ورحمه الله وبركاته|سلام عليكم|اهلين|يا هلا|هاي|hallo zusammen",
    ),
    "thanks": cues_of(
        "متشكر|متشكرين|متشكره|متشكر جدا|يعطيك الصحه|الله يعطيك الصحه|بارك الله فيك|جزاك الله خير",
        "جزاكم الله خير|جزاكم الله خيرا|جزاك الله خيرا|بارك الله فيكم",
        "grazie gentilissimo|gentilissimo|gentilissima|sei gentilissimo|sei gentile|merci c est gentil",
        "c est gentil|tres gentil|trop gentil",
        "谢谢帮忙|谢谢你的帮助|谢谢帮助|多谢帮忙|谢谢你的帮忙",
        "تسلم ايدك|تسلم ايديك|يسلم ايدك|يسلمو ايديك|谢谢啊|谢了啊|thanks a ton|thank you kindly|much obliged",
        "thanks|thank you|thank u|thank|thx|thanx|thnx|tnx|ty|tysm|cheers|many thanks|thanks a lot|thank you so much",
        "cheers mate|ta mate|thanks mate|thanks man|thanks bro|مشكور يا غالي|مشكوره|مشكورين|شكرا يا غالي",
        "much appreciated",
        "thanks so much|thank you very much|thanks a bunch|appreciate it|i appreciate it|tyvm",
        "grazie|grazie mille|ti ringrazio|mille grazie|grazie 1000",
        "grazie tante|grazie di tutto|grazie davvero|ti ringrazio tanto",
        "danke|danke schon|danke sehr|vielen dank|dankeschon|merci",
        "danke dir|danke euch|besten dank|herzlichen dank|vielen lieben dank|dank dir",
        "merci beaucoup|merci bien|je vous remercie",
        "merci bcp|merci a toi|merci a vous|je te remercie|mille mercis|thanks",
        "شكرا|شكرا جزيلا|شكرا لك|مشكور|يعطيك العافيه|الف شكر|تسلم|تسلمي|يسلمو|يسلموا|يسلمك",
        "감사합니다|감사해요|고마워|고마워요|고맙습니다|땡큐",
        "ㄱㅅ|ㄳ|감사|감사감사|정말 감사합니다|고마워용|감사드립니다",
        "수고하셨습니다|수고하셨어요|수고 많으셨습니다|수고 많으셨어요|수고해요",
        "谢谢|谢谢你|多谢|感谢|谢啦|谢了|辛苦了|辛苦啦|辛苦你了",
        "非常感谢|十分感谢|太感谢了|万分感谢|谢谢您|感谢你|感谢您|谢谢啦|太感谢|太谢谢了",
    ),
    "bye": cues_of(
        "bye now|bye for now|ok bye|alright bye|bye then|ci sentiamo dopo|ci sentiamo piu tardi|a piu tardi",
        "alla prossima volta",
        # Wishing a good day: "يومك سعيد", "祝你愉快".
        "يومك سعيد|نهارك سعيد|يوم سعيد|يومك حلو|祝你愉快|祝你有美好的一天|祝你今天愉快|좋은 하루 보내세요",
        "auf wiederschauen|wiederschauen|bis spater dann|bis dann mal|a la prochaine fois|salut a plus",
        "다음에 또 봐요|또 봐요|다음에 봐|나중에 봐|안녕히 계세요~|再见啦|拜拜啦|先这样|الى اللقاء|نشوفك بعدين|يلا باي",
        "see you tomorrow|see you soon|talk to you later|talk later",
        "bye|goodbye|good bye|bye bye|see you|see ya|see u|cya|see you later|later|good night|take care",
        "goodnight|nighty night|gotta go|have a nice day|have a good day|catch you later|bye for now",
        "arrivederci|a presto|ci vediamo|buona notte|buonanotte|addio|ciao ciao",
        "a dopo|alla prossima|a domani|ci sentiamo|buona giornata|buona serata",
        "tschuss|tschau|auf wiedersehen|bis bald|bis spater|gute nacht|ciao",
        "bis dann|bis morgen|mach s gut|schonen tag noch|bis zum nachsten mal|schonen abend|schonen abend noch",
        "schones wochenende|einen schonen tag|bonne fin de journee|buon fine settimana|have a nice evening",
        "au revoir|a bientot|a plus|bonne nuit|adieu|a la prochaine",
        "a plus tard|a demain|bonne journee a toi|bonne soiree|a tout a l heure",
        "مع السلامه|وداعا|باي|الى اللقاء|تصبح علي خير|سلام",
        "안녕히 계세요|안녕히 가세요|잘 있어요|잘 있어|잘 가|바이|다음에 봐요|수고하세요",
        "잘자|잘 자|잘자요|잘 자요|굿나잇",
        "再见|拜拜|回头见|晚安|下次见",
        "ㅂㅂ|ㅂㅇ|또 봐요|나중에 봐요|좋은 하루 되세요",
        "再会|明天见|先走了|回头聊|回头再聊|改天聊|다음에 또 올게요|또 올게요|have a good one|have a nice one",
        # "That's all": the conversation is over.
        "that s all|thats all|that is all|that s it|thats it",
        "e tutto|è tutto|nient altro|das wars|das war s|das war alles",
        "c est tout|rien d autre|هيك بكفي|بس هيك|هذا كل شي",
        "هذا كل شيء|그게 다예요|이게 다예요|没有别的了|没别的了|就这些",
    ),
    "help": cues_of(
        # Not understanding and asking for help: "non ho capito, mi aiuti?", "我不懂，帮我一下".
        "non ho capito|non capisco|ich verstehe nicht|ich verstehe das nicht|kannst du helfen|je ne comprends pas",
        "j ai pas compris|je comprends pas|不懂|我不懂|帮我一下|帮我|이해가 안 돼요|모르겠어요",
        "ho bisogno di una mano|mi dai una mano|dammi una mano|kannst du mir helfen|hilfst du mir|peux tu m aider",
        "شو بتقدر تساعدني|بتقدر تساعدني|كيف بتقدر تساعدني|كيف بتساعدني|你能帮我做什么|你能帮我什么|你可以帮我什么",
        "뭐 할 수 있어요|뭘 도와줄 수 있어|what can you help with|what can you help me with",
        "help|help me|what can you do|what can u do|what do you do|how does this work|commands",
        # Asking what one can ask ("was kann ich hier alles fragen", "que puis-je te demander").
        "what can i ask|what can i ask you|what can i ask here|cosa posso chiedere|cosa posso chiederti",
        "was kann ich fragen|was kann ich hier fragen|was kann ich hier alles fragen|was kann ich dich fragen",
        "que puis je demander|qu est ce que je peux demander|je peux demander quoi|que puis je te demander",
        "شو بقدر اسال|شو اقدر اسال|ماذا يمكنني ان اسال|뭘 물어볼 수 있어|뭐 물어봐도 돼|我可以问什么|能问什么",
        "شو بقدر اسالك|شو اقدر اسالك|ماذا يمكنني ان اسالك|뭐 물어볼 수 있어요|뭘 물어볼 수 있어요|뭐 물어볼 수 있어",
        "qu est ce que je peux te demander|qu est ce que je peux vous demander|what can i ask u",
        "i need help|need help|i need some help|can you help me|can you help|can u help me|help pls|help please",
        "what can you do for me|what can u do for me|what are you for|what do you do here|how do i use this",
        "aiuto|aiutami|cosa sai fare|cosa puoi fare|come funziona",
        "ho bisogno di aiuto|mi serve aiuto|puoi aiutarmi|mi aiuti|cosa fai|a cosa servi",
        "hilfe|hilf mir|was kannst du|was kannst du tun|wie funktioniert das",
        "ich brauche hilfe|brauche hilfe|kannst du mir helfen|hilfe bitte|was machst du|wofur bist du da",
        "aide|aidez moi|aide moi|que sais tu faire|tu fais quoi|comment ca marche",
        "j ai besoin d aide|besoin d aide|tu peux m aider|peux tu m aider|vous pouvez m aider",
        "tu peux faire quoi|que peux tu faire|qu est ce que tu peux faire|tu sers a quoi|qu est ce que tu fais",
        "tu sais faire quoi|que sais tu faire|was kannst du so|was kannst du denn|cosa sai fare|what else can you do",
        "qu est ce que tu sais faire|vous savez faire quoi|was kannst du alles|cosa sai fare di preciso",
        "وش تقدر تسوي|ايش تقدر تسوي|شو تقدر تسوي|وش تسوي|ايش تسوي|شو بتسوي",
        "뭘 할 수 있어|뭘 할 수 있니|무엇을 할 수 있어",
        "مساعده|ساعدني|شو بتعمل|ماذا تستطيع|شو بتقدر تعمل",
        "ماذا تستطيع ان تفعل|ماذا يمكنك ان تفعل|ماذا تفعل|احتاج مساعده|محتاج مساعده|ممكن تساعدني|كيف استخدمك",
        "도움말|도움|도와줘|도와주세요|뭐 할 수 있어|뭘 할 수 있어요|사용법",
        "도움이 필요해요|도움 필요해요|뭐 할 수 있어요|무엇을 할 수 있나요|뭐 해줄 수 있어|어떻게 써요",
        "帮助|帮忙|帮帮我|你能做什么|你会什么|怎么用",
        "我需要帮助|需要帮助|能帮我吗|你可以做什么|你能干什么|怎么使用|你能干啥|你都能干啥|你会干啥|能做啥",
        # A complaint (the answer was wrong, or not understood): what can be asked, and how.
        "this is useless|useless|you re useless|youre useless|not helpful|that s wrong|thats wrong|wrong answer",
        "you don t understand|you didn t understand|that s not what i asked|thats not what i asked|doesn t work",
        "not what i asked|i don t understand|i dont understand|confused|i m confused|im confused",
        "non hai capito|non capisci|inutile|risposta sbagliata|non e quello che ho chiesto|non capisco|sei inutile",
        "das stimmt nicht|du verstehst mich nicht|nutzlos|falsche antwort|das ist falsch|ich verstehe nicht",
        "das hilft nicht|tu ne comprends pas|tu n as pas compris|c est faux|mauvaise reponse|tu sers a rien",
        "je ne comprends pas|je comprends pas|c est nul|ca ne m aide pas|tu comprends rien|tu ne comprends rien",
        "tu piges rien|t as rien compris|non hai capito niente|non capisci niente|non hai capito nulla|non mi aiuti",
        "das hilft mir nicht|hilft mir nicht|du verstehst nichts|du verstehst gar nichts|that doesn t help",
        "that didn t help|you re not helping|not helping|no that s wrong|nope wrong",
        "ما فهمت|مش فاهم|ما فهمتني|مش مفهوم|غلط|اجابه غلط|جواب غلط|مو مفيد|مش مفيد|ما فهمت عليك|مش هيك",
        "이해 못 했어|이해를 못 하네|틀렸어|답이 틀렸어요|쓸모없어|무슨 말인지 모르겠어요|잘 모르겠어요|이상해요",
        "그게 아니라|그게 아니에요|못 알아듣네|도움이 안 돼요|도움 안 돼|ما فادني|ما ساعدتني|مو هذا قصدي|مش هذا قصدي",
        "你不懂|答错了|没用|不对|你没听懂|我不明白|看不懂|听不懂|不是这个意思",
        # Asked formally: what the bot can help with ("wobei Sie mir behilflich sein können", "在这里能得到什么帮助").
        "what can you help me with|how can you help me|how can you assist me|what can you assist with",
        "what you can help me with|how you can help me|what this service can do|what this bot can do",
        "in cosa puo aiutarmi|in cosa mi puo aiutare|come puo aiutarmi|come mi puo aiutare|in cosa potete aiutarmi",
        "wobei sie mir behilflich sein konnen|wobei konnen sie mir helfen|wie konnen sie mir helfen|womit konnen sie",
        "wobei kannst du mir helfen|wie kannst du mir helfen|en quoi pouvez vous m aider|comment pouvez vous m aider",
        "en quoi vous pouvez m aider|en quoi tu peux m aider|ce que vous pouvez faire|ce que tu peux faire",
        "كيف يمكنك مساعدتي|بماذا يمكنك مساعدتي|كيف تقدر تساعدني|كيف يمكنكم مساعدتي|بماذا يمكنكم مساعدتي",
        "어떤 도움을 받을 수|어떤 도움을 줄 수|무엇을 도와줄 수|뭘 도와줄 수|무엇을 도와주실 수|어떤 도움을 주실 수",
        "能得到什么帮助|能提供什么帮助|可以提供什么帮助|你能提供什么帮助|您能帮我什么|您可以帮我什么|能帮我做什么",
    ),
    "menu": cues_of(
        "fammi vedere il menu|mostra il menu|zeig mir das menu|zeig das menu|le menu principal",
        "menu principal|show the menu",
        "رجعني عالقائمه|رجعني للقائمه|ارجع عالقائمه|وريني القائمه|메뉴로 가기|메뉴로 가|메뉴 좀|回到菜单|打开菜单",
        "menu|main menu|the menu|back to menu|back to the menu|back to the main menu|show menu|options",
        "show me the menu|show me the options|open the menu|open menu|go back|home",
        "menu principale|torna al menu|il menu",
        "mostrami il menu|apri il menu|indietro",
        "menu|hauptmenu|zuruck zum menu|zum menu|das menu",
        "menu principal|retour au menu|le menu",
        "affiche le menu|montre moi le menu|retour",
        "القائمه|القائمه الرئيسيه|المنيو|ارجع للقائمه",
        "메뉴|메인 메뉴|메뉴 보여줘|메뉴로",
        "메뉴 보여주세요|처음 화면|홈|처음으로 돌아가기|처음으로 돌아가|메뉴로 돌아가기|돌아가기",
        "菜单|主菜单|回到主菜单|返回菜单|返回主菜单|目录",
        "torna al menu principale|zuruck zum hauptmenu|ارجع للقائمه الرئيسيه|返回主页|回到主页|主页|首页",
        # Asking to be shown or opened the menu: "اعرض القائمة", "显示菜单", "메뉴 열어줘", "apri menu".
        "اعرض القائمه|عرض القائمه|افتح القائمه|اظهر القائمه|وريني المنيو|افتح المنيو|اعرض المنيو",
        "显示菜单|打开主菜单|看菜单|看看菜单|给我看菜单|菜单在哪|메뉴 열어줘|메뉴 열어 주세요|메뉴 보기",
        "apri menu|mostra menu|menu anzeigen|menu zeigen|afficher le menu|ouvre le menu|voir le menu",
    ),
    # One's own questions to the team, asked to be shown (what `/team` alone shows).
    "questions": cues_of(
        "my questions|my open questions|my questions to the team|show my questions|show me my questions",
        "where are my questions|my pending questions|questions i asked|the questions i asked",
        "le mie domande|mostra le mie domande|le mie domande al team|domande che ho fatto",
        "meine fragen|meine offenen fragen|zeig meine fragen|zeig mir meine fragen|meine fragen an das team",
        "mes questions|mes questions en attente|montre mes questions|affiche mes questions",
        "les questions que j ai posees",
        "اسئلتي|اسئلتي المفتوحه|اعرض اسئلتي|وين اسئلتي|الاسئله اللي سالتها",
        "내 질문|내 질문들|제 질문|제 질문들|내가 한 질문|내 질문 보여줘|내 질문 목록",
        "我的问题|我提的问题|我问的问题|查看我的问题|我的提问",
    ),
    "restart": cues_of(
        "lets start from the beginning|let s start from the beginning|start from the beginning|from the top",
        "back to the start",
        "ricominciamo|ricomincia da capo|neu starten|neustarten|von vorne anfangen",
        "recommencer depuis le debut|on reprend tout",
        "ابدا من جديد|نبدا من جديد|من اول وجديد|처음으로 돌아가|처음으로 돌아가줘|重新开始吧|从头来",
        "start over|restart|reset|start again|from the start|begin again|back to start|back to the beginning",
        "lets start again|let s start again|lets start over|let s start over|start from scratch|from the beginning",
        "ricomincia|ricominciamo|ricominciamo da capo|da capo|ricominciare|dall inizio",
        "ricominciamo dall inizio|riparti|ripartiamo",
        "neu starten|von vorne|nochmal von vorne|neustart|von vorn",
        "nochmal von vorn|neu anfangen|fang nochmal an",
        "recommencer|on recommence|recommence|depuis le debut|reprendre",
        "recommencons|on reprend depuis le debut|reprendre a zero",
        "ابدا من جديد|من البدايه|من الاول|اعاده",
        "처음으로|처음부터|다시 시작|다시 시작해|리셋",
        "처음부터 다시|다시 처음부터|처음부터 다시 해요|처음부터 다시 할게요",
        "from scratch|start from zero|on recommence a zero|recommencer a zero|repartir de zero|da zero",
        "ricominciamo da zero|von null|nochmal von null|von neuem|بدنا نبدا من جديد|نبدا من الاول|从零开始|重新来",
        "重新开始|从头开始|重来|重置",
    ),
    "who": cues_of(
        "로봇이야|로봇이니|로봇이에요|너 로봇이야|你是机器人吗|你是机器人|是机器人吗",
        "are you chatgpt|is this chatgpt|are you gpt|are you an ai|are you a robot",
        "sei un robot o una persona|sei una persona o un robot",
        "sei chatgpt|sei un ai|bist du ein chatbot|bist du chatgpt|bist du ein roboter|vous etes un humain",
        "vous etes humain",
        "t es humain|tu es humain|c est chatgpt|tu es chatgpt|انت chatgpt|هل انت chatgpt|انت شات جي بي تي",
        "사람이세요|혹시 사람이세요|사람이에요|챗gpt야|챗봇이야|你是chatgpt吗|你是ai吗|是人工智能吗|你是机器人还是人",
        "who are you|what are you|are you a bot|are you human|are you a human|are you real|bot or human",
        "your name|whats your name|who am i talking to|are you a person|are you a real person|is this a bot",
        "who made you|who made u|who built you|who created you|who programmed you",
        # Who made you, in the other six languages.
        "qui t a cree|qui t a fait|qui t a programme|qui vous a cree|qui vous a programme|chi ti ha creato",
        "chi ti ha fatto|chi ti ha programmato|wer hat dich gemacht|wer hat dich erstellt|wer hat dich programmiert",
        "wer hat dich entwickelt|مين عملك|مين صنعك|من صنعك|من برمجك|مين برمجك|شكون صاوبك|شكون دارك",
        "누가 만들었어|누가 만들었어요|누가 너 만들었어|누가 만든거야",
        "谁做的你|谁开发的你|谁创造了你|你是谁做的|你是谁开发的",
        "who r u|who are u|who ru|what r u|are u a bot|r u a bot|r u human",
        "who am i chatting with|who am i talking with|who is this|whos this|who s this|with whom am i talking",
        "chi sei|chi sei tu|sei un bot|sei umano|sei un robot|come ti chiami",
        "wer bist du|bist du ein bot|bist du ein mensch|wie heisst du|was bist du",
        "qui es tu|t es qui|tu es qui|es tu un bot|tu es un robot|comment tu t appelles|qui etes vous",
        "c est qui|t es un bot|tu es un bot|vous etes un robot",
        "t es un robot|t es une ia|tu es une ia|c est un bot|c est un robot|vous etes un bot|je parle a un robot",
        "sei una persona|sei un umano|sei un ia|parlo con un bot|sei una ia|bist du echt|bist du eine ki",
        "are you ai|are you an ai|is this ai|am i talking to a bot|am i talking to a human|is this a real person",
        "مين انت|من انت|انت بوت|انت روبوت|شو اسمك|ما اسمك",
        "مين حضرتك|من حضرتك|مين معي|مين معاي|انت انسان|انت انسان ولا بوت|انت بوت ولا انسان|انت مين",
        "انت روبوت ولا انسان|انت انسان ولا روبوت|انت ذكاء اصطناعي|هل انت روبوت|هل انت انسان",
        "넌 누구니|누구니|너 뭐야|넌 뭐야|who s there|who dis",
        "누구야|누구세요|너 누구|넌 누구|봇이야|사람이야|이름이 뭐야|누구예요",
        "너는 누구야|당신은 누구세요|챗봇이에요|로봇이에요|넌 누구야|너 누구야|넌 누구예요|너 누구니|누구신데요",
        "사람이에요|사람인가요|봇인가요|너 봇이야|너 사람이야|ai야|ai예요|누구신가요|누구세요",
        "봇이에요|봇이세요|봇임|tu es une personne|t es une personne|es tu une personne|vous etes une personne",
        "tu es une vraie personne|t es une vraie personne|vous etes une vraie personne",
        "are you a real human|is this an automated bot|is this automated|bist du ein echter mensch|انت انسان حقيقي",
        "你是谁|你是机器人吗|你叫什么|你是真人吗|你是什么",
        "你是人还是机器人|你是人吗|是机器人吗|是真人吗|你是ai吗|你是人工智能吗|机器人吗|真人还是机器人",
        # Asked formally: "is this an automated assistant", "whom am I addressing", "Sind Sie ein Mensch", "人工客服".
        "automated assistant|an automated assistant|a virtual assistant|whom am i addressing|who am i addressing",
        "whom i am addressing|whom i am speaking with|whom i am speaking to|who i am speaking with|who i am talking to",
        "whom am i speaking to|whom am i speaking with|sind sie ein mensch|sind sie ein bot|mit wem spreche ich",
        "etes vous un robot|etes vous un humain|a qui ai je l honneur|lei e un bot|lei e una persona|con chi parlo",
        "هل انت مساعد الي|هل هذا مساعد الي|مساعد الي|هل انت مساعد ذكي|자동 응답|자동응답|챗봇인가요|상담원이세요",
        "人工智能助手|人工客服|智能客服|机器人客服|bot이야|bot이에요|bot인가요|bot임",
    ),
    "ok": cues_of(
        "va benissimo|benissimo|d acc|dacc|dac|ok dacc|ca roule|好滴|好哒|好嘞|ماشي تمام|넵 알겠습니다|ok ok|okok",
        "alles gut|in ordnung|太好了|太棒了",
        # "Fine as it is", "received": nothing more wanted ("a posto così grazie", "收到").
        "a posto|a posto cosi|sono a posto|收到|收到了|了解|了解了",
        "tutto chiaro|chiaro|tutto ok|kapiert|verstanden|alles verstanden|compris|c est clair|واضح|كل شي واضح",
        "clair|claire|tres clair|c est tres clair|c est tres claire|super clair|molto chiaro|sehr klar",
        "كله واضح|كلشي واضح|明白|明白了|清楚了|懂了",
        "ok|okay|okey|k|kk|cool|great|nice|good|perfect|got it|alright|all right|sure|awesome|fine|understood",
        "okay cool|sounds good|no problem|ok thanks|noted|will do|i see|makes sense",
        "va bene|perfetto|ottimo|capito|bene|d accordo|certo",
        "alles klar|gut|super|verstanden|passt|prima|toll",
        "d accord|parfait|tres bien|compris|ca marche|genial|entendu",
        "تمام|حسنا|ماشي|اوكي|طيب|فهمت|ممتاز|زين",
        "اوك|اوكيه|تمام التمام|خلاص",
        "알겠어요|알겠습니다|좋아요|네|응|오케이|알았어|굿",
        "ㅇㅋ|ㅇㅇ|넵|네네|오키|알겠어|좋네요|이해했어요|이해했습니다|이해했어",
        "好的|好|行|明白了|知道了|没问题|嗯|可以",
        # A compliment: nothing to answer but "good, anything else?".
        "bravo|bravissimo|well done|good job|great job|good bot|nice bot|you re awesome|you re great|youre awesome",
        "youre great|you rock|you are great|you are awesome|you re the best|love it|love this|amazing",
        "sei bravo|sei grande|sei fantastico|grande|ottimo lavoro|gut gemacht|toll gemacht|du bist toll|klasse",
        "du bist super|sehr gut|wunderbar|super travail|bien joue|t es genial|tu es genial|tu es super|genial merci",
        "انت رائع|انت ممتاز|انت شاطر|شاطر|عاش|برافو|احسنت|رائع|روعه|ممتاز جدا|يعطيك الف عافيه",
        "최고|최고예요|잘했어|잘했어요|짱|대박|멋져요|훌륭해요|你真棒|太棒了|厉害|好厉害|真棒|很好|不错",
    ),
}
# Words that may stand beside a greeting or thanks without making it a question, besides the function words
# of bot/faq/text.py ("thanks for the info", "danke für die Hilfe", "au revoir et merci").
_FILLER = frozenset(
    " ".join(
        [
            "there everyone all guys folks again so much very lot a the you u to back main bot please pls me dear",
            "friend or human real tutti voi tanto molto ragazzi zusammen alle leute euch dir sehr vielmals tout le",
            # "A real person" beside "are you a bot" ("t'es un robot ou une vraie personne ?").
            "person personne vraie humaine persona vera vero echte echter mensch automated automatic حقيقي",
            # "Please" as Italian says it ("aiutami per favore").
            "favore cortesia",
            "mate buddy bro dude man غالي حبيبي اخوي ولا بالجميع الجميع جميعا بالكل",
            # Korean endings and softeners left beside a phrase ("좋은 아침이에요", "혹시 사람이세요").
            "이에요 예요 에요 이요 줘 줘요 가기 혹시 또 좀 그럼 now then",
            "monde tous beaucoup bien toi vous يا جماعه كتير كثير جزيلا 너 넌 你 们 你们 大家 请 吧 啊 呀 了 回到",
            "啦 哦 呢 嘛 哈 咯 요",
            "~ oh ah wow lol haha ahah hehe",
            # "Show (me)" beside the menu, in whatever language the menu is named ("menu 보여줘", "zeig menu").
            "보여줘 보여주세요 보여 zeig zeige mostrami mostra montre affiche وريني اعرض 显示 给我看 看看",
            # "Anyway", "all the same" after an "ok" ("va bene comunque", "ok quand même").
            "anyway comunque quand meme",
            # What one thanks for: the help, the information, the answer.
            "help helpful info infos information answer answers reply support explanation really super",
            # How quick or kind the answer was ("danke für die schnelle Antwort").
            "quick fast rapid kind schnell schnelle schnellen rapide rapida rapido veloce veloci gentile سريع 빠른",
            "infinite infinitely infiniment tantissimo tausend",
            "aiuto informazioni informazione risposta risposte spiegazione davvero disponibilita dell per",
            "hilfe information informationen antwort antworten auskunft unterstutzung erklarung echt wirklich alles",
            "aide informations reponse reponses explication vraiment",
            "مساعده المساعده مساعدتك المعلومات معلومات الرد ردك الاجابه لو سمحت فضلك من الله وبركاته كتير",
            "도움 도움이 답변 정보 안내 정말 진짜 너무 많이 늘",
        ]
    ).split()
)
# Han characters that only frame a greeting or thanks ("谢谢你的帮助": "的" is left once the phrases are out).
_CJK_FILLER = frozenset("的了吗呢吧啊呀么嘛我你您他们是在和请也都还哦哈咯啦帮助忙回答解信息")
_SMALLTALK_WORDS = 8
# Messages of at most this many words are read with misspelt small-talk words corrected.
_SMALLTALK_TYPOS = 3
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_TRAILING_REPEAT = re.compile(r"([aeiouyh])\1+\b")
_GERMAN_ARTICLE = re.compile(r"(?<=\s)(n|nen)(?=\s|$)")
_CUTE_OF = {"용": "요", "당": "다"}
_CUTE = re.compile(r"(?<=[\uac00-\ud7a3])[용당](?![\uac00-\ud7a3])")


# A message of emoji alone is as plain as words ("👋", "🙏", "👍"): read as the word they stand for.
_EMOJI = {"👋": " hi ", "🙏": " thanks ", "👍": " ok ", "👌": " ok ", "🆗": " ok ", "🤝": " thanks "}
_EMOJI_OF = re.compile("|".join(map(re.escape, _EMOJI)))


def smalltalk_kind(plain: str) -> str | None:
    """ "greeting", "thanks", "bye", "help", "menu", "questions", "restart", "who" or "ok"; None when it is anything
    more."""
    text = _REPEATS.sub(r"\1", _EMOJI_OF.sub(lambda found: _EMOJI[found.group()], plain))
    if not any(char.isalnum() for char in text) and any(unicodedata.category(char) == "So" for char in text):
        # Emoji alone ("😊", "❤️", "👏"): an acknowledgement, whichever they are.
        return "ok"
    text = re.sub(r"[^\w\s]", " ", text).replace("_", " ")
    if " n" in text:
        # German chat shortens the article: "bist du n bot", "bist du nen Mensch".
        text = _GERMAN_ARTICLE.sub(lambda found: "ein" + found.group(1)[1:], text)
    if not text.strip() or len(text.split()) > _SMALLTALK_WORDS:
        return None
    kind = _smalltalk_of(text)
    if kind is None and text.isascii():
        # "heyyy" and "ciaoo" lost their repeated letter above; "helloo" needs one more try (not first: it
        # would make "see you" "se you").
        kind = _smalltalk_of(_TRAILING_REPEAT.sub(r"\1", text))
    if kind is None and len(text.split()) <= _SMALLTALK_TYPOS:
        kind = _smalltalk_of(" ".join(_smalltalk_word(word) for word in text.split()))
    if kind is None and _CUTE.search(text):
        # Korean chat writes the polite ending cutely: "안녕하세용", "감사합니당" are "안녕하세요", "감사합니다".
        kind = _smalltalk_of(_CUTE.sub(lambda found: _CUTE_OF[found.group()], text))
    return kind


def _smalltalk_of(text: str) -> str | None:
    found: list[str] = []
    while True:
        # The longest phrase first: "안녕히 계세요" is goodbye, though it starts with the greeting "안녕".
        length, name = max((cues.longest(text), name) for name, cues in _SMALLTALK.items())
        if not length:
            break
        text, _hit = _SMALLTALK[name].remove(text)
        found.append(name)
    if not found or any(not _filler(word) for word in text.split()):
        return None
    # Thanks beside anything else is thanks: "شكرا على المساعدة" names the help it thanks for.
    return "thanks" if "thanks" in found else found[0]


def _filler(word: str) -> bool:
    return word in _FILLER or word in STOPWORDS or all(char in _CJK_FILLER for char in word)


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


# Latin-script greetings that are nothing else, so they come off the start of a question without a comma
# ("hello is the course free"); others ("morning", "na", "yo") only when punctuation follows.
_PLAIN_GREETINGS = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "hiya",
        "ciao",
        "salve",
        "buongiorno",
        "buonasera",
        "hallo",
        "servus",
        "moin",
        "salut",
        "bonjour",
        "bonsoir",
        "coucou",
    ]
)
# Words that may follow a greeting or thanks at the edge ("hi there,", "hello everyone!", "thanks a lot").
_EDGE_FILLER = (
    "there|everyone|all|guys|folks|again|team|tutti|zusammen|alle|a tous|a lot|so much|in advance"
    # Thanks for everything ("danke für alles!", "merci pour tout", "grazie di tutto").
    "|for everything|fur alles|pour tout|di tutto|per tutto|على كل شي|على كل شيء|على كلشي"
)
_PUNCTUATION = " \t!,.?~:;，。！？、،؟"


def _phrases(*kinds: str) -> str:
    phrases = sorted({p for kind in kinds for p in _SMALLTALK[kind].phrases()}, key=lambda p: (-len(p), p))
    return "|".join(map(re.escape, phrases))


_HEAD = re.compile(rf"^[\W]*({_phrases('greeting', 'thanks')})((?:\s+(?:{_EDGE_FILLER}))*)(?=\W|$)")
_TAIL = re.compile(rf"(?:^|[{_PUNCTUATION}])\s*(?:{_phrases('thanks')})(?:\s+(?:{_EDGE_FILLER}))*[\W]*$")
# "Quick question:", "j'ai une question,", "질문 있어요": announcing a question is not part of it.
_PREAMBLE = re.compile(
    r"^(?:(?:i have |i ve got |i got )?(?:a |one )?(?:quick |short |small )?question|(?:ho )?una domanda(?: veloce)?"
    r"|(?:ich habe )?(?:eine )?(?:kurze )?frage|(?:j ai |j'ai )?(?:une )?(?:petite )?question|(?:عندي )?سؤال"
    r"|질문(?: 있어요| 있습니다|이요|이 있어요)?|问一下|想问一下|请问"
    # The last or another question: "letzte Frage:", "ultima domanda:", "마지막 질문인데", "اخر سؤال:".
    r"|(?:one )?(?:last|final|another|one more) question|(?:un )?(?:ultima|altra) domanda|un altra domanda"
    r"|(?:eine )?(?:letzte|weitere) frage|noch eine frage|(?:une )?(?:derniere|autre) question|encore une question"
    r"|اخر سؤال|سؤال اخير|كمان سؤال|마지막 질문(?:인데|이요|입니다)?|질문 하나 더|最后一个问题|还有一个问题)"
    r"(?:\s*[:,\-–!?.،，：]+\s*|\s+)"
)
_HAN_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u4e00-\u9fff]")


def without_smalltalk(plain: str) -> str:
    """A question without the greeting it starts with or the thanks it ends with: "ciao, sono ...",
    "안녕하세요 저는 ...", "你好，我是 ...", "... merci !" (what is left is the question)."""
    head = _HEAD.match(plain)
    if head is None and _HAN_HANGUL.match(plain.lstrip(_PUNCTUATION)):
        # Korean and Chinese greetings need no space after them: "你好我想问".
        for piece in _SMALLTALK["greeting"].phrases():
            if not piece.isascii() and plain.lstrip(_PUNCTUATION).startswith(piece):
                rest = plain.lstrip(_PUNCTUATION)[len(piece) :]
                if rest.strip(_PUNCTUATION):
                    plain = rest.lstrip(_PUNCTUATION)
                break
    elif head is not None:
        rest = plain[head.end() :]
        word = head.group(1)
        punctuated = rest[:1] != "" and rest[:1] in _PUNCTUATION.replace(" ", "")
        if rest.strip(_PUNCTUATION) and (punctuated or not word.isascii() or word in _PLAIN_GREETINGS):
            plain = rest.lstrip(_PUNCTUATION)
    preamble = _PREAMBLE.match(plain)
    if preamble is not None and plain[preamble.end() :].strip(_PUNCTUATION):
        plain = plain[preamble.end() :]
    tail = _TAIL.search(plain)
    if tail is not None and plain[: tail.start()].strip(_PUNCTUATION):
        plain = plain[: tail.start()]
    return plain


# What a message of courtesy around something said, not asked, is: thanks above all ("merci, je transmets à ma
# fille"), then a goodbye, then a greeting ("Guten Abend, ich schreibe im Namen meiner Tochter").
_COURTESY = ("thanks", "bye", "greeting")


def courtesy(plain: str) -> tuple[str, str] | None:
    """The kind of the small talk `plain` holds beside other words (thanks, a goodbye or a greeting), and the text
    without it; None when it holds none."""
    kinds = [kind for kind in _COURTESY if _SMALLTALK[kind].found(plain)]
    if not kinds:
        return None
    rest = plain
    for kind in kinds:
        rest = _SMALLTALK[kind].remove(rest)[0]
    return kinds[0], rest


# Small talk that asks something of the bot itself: who or what it is, what it can help with, starting over.
_ABOUT_THE_BOT = ("who", "help", "restart")


def _whole_phrases(kind: str) -> Cues:
    """A kind's phrases that say it alone among other words: of two words at least, or five Han or Hangul
    characters ("人工智能助手"). One word ("help", "ساعدني", "누구예요", "帮我") is as often part of another question
    ("帮我写个简历", "한국 대통령이 누구예요")."""
    kept = [
        phrase
        for phrase in _SMALLTALK[kind].phrases()
        if len(phrase.split()) >= 2 or (len(phrase) >= 5 and _HAN_HANGUL.match(phrase) is not None)
    ]
    return Cues(kept)


def about_the_bot(plain: str) -> str | None:
    """The kind of a question about the bot itself that `plain` holds among other words, framed as a letter frames
    it ("Guten Tag, ich nutze diesen Dienst zum ersten Mal. Könnten Sie mir zeigen, wobei Sie mir behilflich sein
    können?", "Good morning. May I ask whom I am addressing?"); None when it holds none. The caller decides
    whether the rest asks anything else."""
    for kind, cues in _BOT_PHRASES.items():
        if cues.found(plain):
            return kind
    return None


def without_the_bot(plain: str) -> str:
    """`plain` without its phrases about the bot itself (who it is, what it can help with)."""
    for cues in _BOT_PHRASES.values():
        plain = cues.remove(plain)[0]
    return plain


_BOT_PHRASES = {kind: _whole_phrases(kind) for kind in _ABOUT_THE_BOT}
_THANKS = frozenset(_SMALLTALK["thanks"].phrases())


def thanks_first(plain: str) -> bool:
    """The message opens with thanks ("merci beaucoup pour ces précisions, ...")."""
    head = _HEAD.match(plain)
    return head is not None and head.group(1) in _THANKS
