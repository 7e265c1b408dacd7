"""Function words of the seven languages from the stopwords-iso collection (PyPI `stopwordsiso`).

They decide only one thing: whether a word no FAQ entry uses says what the question is about. "whats the wifi
password" is about wifi, a word no entry knows, so the password-reset entry must not answer it; "the
verification mail never came" is about the verification mail, and "never" and "came" are only how it is said.
The lists are not used to drop words before matching: they hold words such as "course", "free" and "work"
(too eager for the program's own vocabulary), while here a listed word only stops counting against an answer.
"""

from __future__ import annotations

from functools import lru_cache

from bot.faq.text import KO_STOPWORDS, normalize, words

LANGUAGES = ("en", "it", "de", "fr", "ar", "ko", "zh")


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Every language's list together, normalised like question words (people mix languages)."""
    import stopwordsiso

    found: set[str] = set()
    for lang in LANGUAGES:
        for word in stopwordsiso.stopwords(lang):
            found.add(normalize(word))
            found.update(words(word))
            if lang == "de":
                # German typed without umlauts: "fuer", "moechte", "muss".
                found.add(normalize(word.casefold().translate(_UMLAUTS)))
    found.update(_MORE)
    # Korean words that only carry the sentence ("있어", "해요"), which the list lacks, and "or (else)".
    found.update(KO_STOPWORDS)
    found.update(["아님", "아니면", "혹은", "근데", "그리고"])
    # The counter of things with the copula ("몇 개야", how many are there).
    found.update(["개야", "개예요", "개에요", "개임", "개인가요", "개나"])
    found.update(stem for word in _MORE for stem in words(word))
    return frozenset(found)


# Words that only frame a question, which the lists lack: Chinese "到底" (exactly), "具体" (in detail); spoken
# Arabic (Levantine, Gulf, Egyptian, Maghrebi), which the list (Modern Standard only) lacks: "can I", "give me",
# "I want", "must", "there is", "still", "of" (possessive), "how much", "why", "how", "because", "now", "also",
# "like", "who", "you (polite)", "please", "take", "exists".
_SPOKEN_ARABIC = normalize(
    "اقدر بقدر نقدر تقدر يقدر قادر قادره عطيني اعطيني اعطني عطني ابغى ابغي ابي نبي نبغى عايز عاوز عايزه حابب"
    " حابه اريد نريد لازم يجب يلزم يوجد توجد لسا لسه لسة لسى تبع تاع بتاع متاع قديش اديش قداش كام بكام ليش ليه"
    " ازاي شلون وش شنو عشان علشان مشان هلق هسا هسه دلوقتي كمان برضو برضه زي منو حضرتك سمحت فضلك ياريت اخد"
    " موجود موجوده ياخد ياخذ تاخد تاخذ اعرف بعرف نعرف تعرف يعرف اكون يكون تكون نكون بكون"
    # Egyptian and Maghrebi: "this", "what", "how", "where", "of", "will be", "exactly", "made".
    " ده دي دا دول واش كيفاش علاش فاش شنو وشنو فين بتاعة بتاعت بتوع هتكون هيكون هتبقي بالظبط عامل عاملين"
    " فيه تعطون تعطونها تعطوني بتعطوا"
    # Maghrebi (Moroccan, Algerian): "who", "of" (possessive), "how much", "please", "there is", "I want", "now",
    # "will", "I need", "a lot", "good".
    " شكون شكون ديال ديالها ديالو ديالي ديالك ديالنا ديالهم شحال عافاك كاين كاينه كاينين بغيت بغينا دابا واخا"
    " غادي غاديه خاصني خاصك خاص بزاف مزيان"
).split()
# Words that say how something is asked about, in any language: a thing forgotten, divided, listed ("password
# dimenticata", "in quante parti è diviso", "4부 강의 리스트") is still asked about the thing.
_HOW_ASKED = normalize(
    "forgot forgotten dimenticato dimenticata dimenticate vergessen oublie oubliee نسيت 잊어버렸 잊었 忘记 忘了"
    " divided diviso divisa suddiviso suddivisa unterteilt aufgeteilt divise divisee مقسم مقسمه 나뉘어 分成"
    " list liste lista elenco 리스트 목록 列表 قائمه"
    # Korean "is it issued / does it come out" as chat writes it ("수료증 나옴?").
    " 나옴 나와요 나오나요 나와 나오냐"
    # Asking to be introduced to something, for its steps, what is needed or planned: how a formal question asks.
    " introduce introduction present presentarmi presentare presentami presentarci vorstellen vorstellung presenter"
    " presentez presente تعريف عرفني تعرفني 소개 介绍 steps step procedure passaggi passaggio procedura"
    " schritte schritt"
    " verfahren ablauf etapes etape demarche demarches خطوات خطوه اجراءات 절차 단계 步骤 流程 necessary required"
    " necessario necessaria necessari notig notwendig erforderlich necessaire necessaires requis ضروري مطلوب 필요 需要"
    " planned foreseen previsto previsti prevista vorgesehen geplant prevu prevus prevue متوقع المتوقع 예정 预计"
    # Italian "by (a date)" and "explain (to me)"; Korean "listen", "watch", "go" as chat writes them before
    # "must" or "if", and "what and what" (which ones).
    " entro spieghi spiegami spiegarmi spiegate 듣는 들어야 들으면 봐야 보는 보려면 가려면 가야 뭐뭐"
    # German "run" (take place): not a misspelt "kaufen"; "of what", "on what", "in what", "what for".
    " laufen lauft woraus worauf worin wozu womit"
    # Out, known, fixed yet ("le date sono uscite?", "les dates sont connues ?", "stehen die Termine fest?").
    " uscite uscita uscito usciti pubblicate pubblicati connues connue connu connus fest feststehen festgelegt"
    " 나왔어요 나왔나요 나왔 정해졌어요 정해졌나요 تحددت تحدد تتحدد انعلنت"
    # "From (when)" ("à partir de quand"); spoken Arabic "talks about", "comes out of", "turn to", "reached".
    " partir يتكلم بيتكلم تتكلم يحكي بيحكي تطلع يطلع بتطلع اتوجه نتوجه"
    # Formal framings: "I would like to know", "could you tell me", "tell me more about", "what is needed".
    " wissen erfahren erzahlen erzahl naheres interessiert interessiere interessieren gerne gern ubernehmen"
    " erfullen sapere dirmi dire dica dirci potrebbe potreste servono serve aimerais voudrais savoir pourriez"
    " pourrais اخباري اخبرني اخبرنا حدثني حدثنا 알고 싶습니다 싶어요 알려주실 알려 주실 궁금합니다 궁금해요"
    # Colloquial framing: "was kostet der Spaß", "überhaupt", "nochmal", "wo steigt", "was bringt mir", "krieg ich";
    # "sta roba"; "ça coûte un bras"; spoken Arabic "will", "when", "is it ok", "at all", "I'll take"; Korean "this",
    # "costs (it takes)", "if I watch", "give".
    " spass uberhaupt nochmal steigt bringt krieg kriege geschaut hab roba guardo bras راح لما ينفع اصلا grad grade"
    " هاخد هاخذ 이거 들어 보면 줘"
    # Who asks for whom and when ("mon fils a 17 ans", "ho iniziato ieri"), not understanding something.
    " fils fille figlio figlia sohn tochter ابني بنتي 아들 딸 아이 儿子 女儿 孩子 gestern angefangen hier commence ieri"
    " iniziato iniziata امس بديت بلشت 어제 시작했는데 시작했어요 끝나면 versteh verstehe capito capisco comprend"
    " comprends فاهم افهم 모르겠어요 ganz bene bien"
    # Arabic ordinals ("الفئة السادسة", the sixth category), as the stemmer leaves them.
    " اول ثاني ثالث رابع خامس سادس سابع ثامن"
    # Korean "I forgot" as chat writes it.
    " 잊어버렸어요 잊었어요 까먹었어요 까먹었 잊어버렸는데"
    # Formal Arabic for "I would like", "can I", "will be held", "there is", "more".
    " اود نود ارغب يمكنني يمكنك استطيع نستطيع ستقام سيتم يتم تتم هناك المزيد"
    # Hearsay ("I heard there is something about housing"), "the different (kinds)", "the full (list)", "till",
    # French "thing" ("un truc de villes"). (Not English "different" nor German "brauchen": a word sharing their
    # root, "difference", or a question needing something, "brauche ich ein Visum", is what is asked.)
    " heard gehort entendu sentito سمعت سمعنا 들었는데 听说 diversi diverse verschiedene verschieden"
    " unterschiedliche مختلف مختلفه 다른 不同 complete full completa completo vollstandig vollstandige complet"
    " كامل كامله 전체 完整 لحد لغايه لحتي truc trucs machin"
    # "I mean", "only", "altogether", "as for" ("niveau participants"), "sure" ("schon klar"), "extra", "curious",
    # "what it is". (Not "the difference": between two things, it is what is asked, "the difference between the
    # course's certificate and the workshop's" being the overview's question; nor English "mean".)
    " intendo intendevo meine meinte"
    " sola solo soltanto seulement uniquement lediglich altogether insgesamt complessivamente niveau klar extra"
    " 궁금 궁금한데 궁금해서 뭔지 뭔데 있나 是不是 是否 要不要 会不会 对不对"
    # The names of things listed ("أسماء المحاضرات", the lectures' names): how a list is asked for; "I ask".
    " اسما اسماء اسال سالت"
    # "In total", and "its idea" (what something is about: "الورشة شو فكرتها").
    " مجموع المجموع بالمجموع فالمجموع مجمل بالمجمل اجمالي بالاجمالي فكره فكرته فكرتها"
    # Chat fillers, hedges and moods around a question, in every language: "so grob", "sowas", "selber", "ewig
    # gesucht", "nix"; "par rapport à", "toutes parties confondues"; "tbh", "wtf", "nah", "honestly", "basically",
    # "usually", "already"; "sti" (these), "scusate"; spoken Arabic "and not", "I was"; Korean "forgot", "right?",
    # "how" (어케), "really", "annoying", "at first"; Chinese "that (one)", "mainly", "for ages", "or not".
    " sowas grob gehts selber ganze irgendwo ewig gesucht gefunden nix eigentlich echt halt mal"
    " rapport confondues confondu decouvre tbh wtf nah yo honestly basically usually already actually actual lol"
    " sti scusate scusa scusami ومو ومش كنت كنا 까먹음 맞음 어케 진짜 짜증나네 처음엔 那场 那个 主要 半天 多不多"
    # Closing thanks glued to "and" ("... للشباب؟ وشكرا"), "still" glued to "and" ("ولسه فيه أماكن"); Chinese "please
    # explain simply" (求科普) and "substance" (干货); Korean "what" with its particle, "give".
    " شكرا وشكرا ولسه ولسا ولسة 科普 干货 뭐가 뭘 줘요"
    # What something is centred on ("la parte due su cosa è incentrata"); Chinese "issue (it) to me".
    " incentrata incentrato incentrati incentrate 给我发 发给我"
    # Courtesy around a formal request, in every language: "could you kindly let me know", "I would be grateful if
    # you could clarify", "vorrei cortesemente sapere", "könnten Sie mir freundlicherweise mitteilen", "je vous
    # serais reconnaissant de bien vouloir m'indiquer", "أرجو التكرم بإفادتي", "알려주시겠습니까", and the forms of
    # address and office that open a letter ("Dear team", "Sehr geehrte Damen und Herren", "En ma qualité de").
    " kindly grateful appreciate appreciated obliged clarify outline enquire inquire wondering wonder whether"
    " regarding concerning dear sir madam behalf hereby humbly advise inform"
    " gentilmente cortesemente cortese gentile gentili vorrei desidererei desidero conoscere chiedere chiedo"
    " permetto indicarmi indicare indicarci potreste potrebbe chiarire illustrarmi egregio egregi spettabile"
    " gentilissimi qualita scrivo"
    " konnten konnte wurden ware waren freundlich freundlicherweise mitteilen erkundigen erklaren dankbar"
    " geehrte geehrter geehrtes damen herren behilflich informieren mochte mochten"
    " souhaiterais souhaiterions souhaite preciser indiquer communiquer reconnaissant reconnaissante amabilite"
    " auriez vouloir madame monsieur qualite permets renseigner connaitre plait"
    " تتكرم تتكرمون التكرم بالتكرم تفضل التفضل بالتفضل تفضلوا ارجو نرجو يرجى افادتي بافادتي افادتنا توضيح"
    " بتوضيح اعلامي تحيه طيبه وبعد حضرات بصفتي بالنيابه"
    " 알려주시겠습니까 알려주시겠어요 알려주실 안내 부탁드립니다 부탁드려요 문의드립니다 문의드려요 여쭙고"
    " 여쭤봐도 죄송하지만 실례지만 바쁘신 와중에 주시겠습니까 주시겠어요 싶습니다 받아볼"
    # Italian "also", "by now", "meanwhile"; Korean "show me", "what do I do".
    " pure inzwischen mittlerweile frattempo entretemps meanwhile"
    " 보여줘 보여주세요 보여줘요 어떡해요 어떡해 어떡하죠"
    # Korean "here", "whether there is" ("여기서 어떤 도움을 받을 수 있는지").
    " 여기서 여기선 있는지 있는지요"
    # Chinese courtesy of a formal letter: "may I presume to disturb", "kindly inform", "trouble you to", "further",
    # "communicate", "matters", "when", "where" (written style).
    " 冒昧 打扰 敬请 烦请 恳请 劳驾 告知 进一步 沟通 事宜 何时 何地"
    # Arabic "and is (there)", the question particle after "and"; "aged" before an age ("ابني البالغ من العمر").
    " وهل فهل البالغ البالغه بالغ"
    # "About, roughly" (大概), "how many (schools)" (几所), "right now" (rn), a friend one asks for ("una mia amica").
    " 大概 大约 差不多 几所 rn amica amico freundin freund copine copain صاحبي صاحبتي صديقي صديقتي 친구 朋友"
    # Results "coming out" ("les résultats sortent quand", "quando escono i risultati").
    " sortent sortira sortiront escono usciranno"
).split()
_MORE = frozenset(
    [
        *_HOW_ASKED,
        *["到底", "究竟", "具体", "一下", "请问", "想问", "想知道", "告诉", "知道", "有没有", "能不能", "可不可以"],
        *_SPOKEN_ARABIC,
    ]
)


@lru_cache(maxsize=1)
def framing_words() -> frozenset[str]:
    """The words this module adds to the lists (spoken Arabic, words for forgetting, steps, introductions...), as
    questions read them: words that only frame a question, in whatever language."""
    return frozenset(_MORE) | frozenset(stem for word in _MORE for stem in words(word))


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
