"""Free text understood before it is answered: small talk, subjects, live data, explicit questions to the team."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.content import load_content
from bot.domain.workshops import RegistrationStatus
from bot.faq.evaluate import evaluate, load_eval
from bot.faq.index import FaqIndex
from bot.faq.live import LIVE_LECTURE, LIVE_NEXT, LIVE_WORKSHOP
from bot.faq.understand import SMALLTALK, understand
from bot.i18n import _, use_locale
from bot.places.gazetteer import Gazetteer
from bot.settings import PROJECT_ROOT
from storage import workshops as ws
from storage.models import Question
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver
from tests.journeys.test_free_text import CONVERSATIONS

CONTENT = PROJECT_ROOT / "content"


def labels(rows: list[list[object]]) -> list[str]:
    return [b.label for row in rows for b in row]  # type: ignore[attr-defined]


# --- understanding, without a chat ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "hi"),
        ("en", "thanks!"),
        ("en", "bye"),
        ("en", "ok"),
        ("en", "menu"),
        ("it", "grazie"),
        ("it", "ciao"),
        ("de", "tschüss"),
        ("fr", "merci"),
        ("ar", "مرحبا"),
        ("ko", "안녕하세요"),
        ("zh", "你好"),
    ],
)
def test_small_talk_is_understood_in_every_language(index: FaqIndex, places: Gazetteer, lang: str, text: str) -> None:
    assert understand(index, text, lang, places).label == SMALLTALK


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Dropping the question words leaves "wego" for both: the stored wording nearest the whole question wins.
        ("en", "what is WeGO?", "wego-what"),
        ("en", "what does WeGO do?", "wego-mission"),
        ("en", "I finished all lectures, what now?", "live:certificate"),
        ("ar", "كيف أسجل في الدورة؟", "course-signup"),
    ],
)
def test_the_issues_core_questions(index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str) -> None:
    assert understand(index, text, lang, places).label == expected


def test_a_greeting_with_a_question_is_a_question(index: FaqIndex, places: Gazetteer) -> None:
    assert understand(index, "hi, is the course free?", "en", places).label == "course-cost"


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # The subject decides, not the words shared with the workshop certificate's stored questions.
        ("en", "who signs the online course certificate?", "certificate-online"),
        ("it", "chi firma il certificato del corso online?", "certificate-online"),
        ("en", "who signs the workshop certificate?", "certificate-workshop"),
        # A continent is a place: the answer is the list of cities (Cairo is in it).
        ("en", "is there a workshop in Africa", "workshop-cities"),
        ("de", "gibt es einen Workshop in Europa", "workshop-cities"),
    ],
)
def test_the_subject_chooses_the_entry(index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str) -> None:
    assert understand(index, text, lang, places).label == expected


def test_a_lecture_by_position_and_a_workshop_by_its_local_city_name(index: FaqIndex, places: Gazetteer) -> None:
    last = understand(index, "the last lecture of part 1", "en", places)
    assert (last.label, last.subject.part, last.subject.lecture) == (LIVE_LECTURE, 1, -1)
    milan = understand(index, "quando è il workshop di Milano?", "it", places)
    assert (milan.label, milan.subject.city) == (LIVE_WORKSHOP, "Milan")
    # CLDR's Korean name for Athens.
    athens = understand(index, "아테네 워크숍 언제예요?", "ko", places)
    assert (athens.label, athens.subject.city) == (LIVE_WORKSHOP, "Athens")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Do I need to pay for the workshop?"),
        ("it", "il workshop si paga?"),
        ("en", "is there parking near the Brescia venue"),
        ("en", "how do i get a student visa for canada"),
        # The weather is asked with the words for "time" in Italian and French, which the course's duration uses.
        ("it", "che tempo fa a milano"),
        ("fr", "quel temps fait-il à paris"),
    ],
)
def test_what_the_documents_do_not_say_is_declined(index: FaqIndex, places: Gazetteer, lang: str, text: str) -> None:
    assert understand(index, text, lang, places).label is None


@pytest.mark.parametrize(
    "text",
    [
        "which lecture is about digital twins?",
        "quale lezione parla dei gemelli digitali",
        "welche Vorlesung ist über digitale Zwillinge",
        "quel cours parle des jumeaux numériques",
        "اي محاضرة عن التوائم الرقمية",
        "디지털 트윈 강의는 몇 번이에요",
        "哪一讲是关于数字孪生的",
    ],
)
def test_a_lecture_is_found_by_its_topic_in_every_language(text: str) -> None:
    from bot.faq.understand import lecture_by_topic

    found = lecture_by_topic(load_content(CONTENT).all_lectures(), text)
    assert found is not None and found.key == "1.7"


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Chat shorthand and elisions typed without their apostrophe, spelt out before anything is read.
        ("fr", "jfais comment pr minscrire au cours", "course-signup"),
        ("fr", "latelier dathenes cest complet ?", LIVE_WORKSHOP),
        ("fr", "t ki toi ?", SMALLTALK),
        ("it", "va bene cmq", SMALLTALK),
        # Courtesy around something said, not asked.
        ("fr", "Merci beaucoup pour ces précisions, je transmets à mes élèves. Bonne journée !", SMALLTALK),
        ("ko", "안녕하세요 학부모입니다", SMALLTALK),
        ("en", "😊", SMALLTALK),
        # German colloquial forms: a function verb without its ending, the article "n", a city's "-er" adjective.
        ("de", "wie komm ich an das digitale zertifikat", "certificate-online"),
        ("de", "bist du n bot", SMALLTALK),
        ("de", "genfer workshop noch plaetze frei?", LIVE_WORKSHOP),
        # Maghrebi Arabic: the reflexive verb and "n-" for "I".
        ("ar", "كيفاش نتسجل فالورشة", "workshop-signup"),
        # Korean typed without spaces keeps its certificate.
        ("ko", "온라인강의 수료증 어떻게받아요", "certificate-online"),
        # English mixed into Arabic is read in English too.
        ("ar", "شو الـ new topic هالسنة؟ سمعت في شي عن housing", "new-topic-housing"),
        # One's own certificate asked as ready is its status.
        ("de", "mein zertifikat schon fertig?", "live:certificate"),
    ],
)
def test_messages_as_people_type_them(index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str) -> None:
    assert understand(index, text, lang, places, 2026).label == expected


def test_courtesy_with_a_question_is_a_question(index: FaqIndex, places: Gazetteer) -> None:
    # A question word or mark, even past what is read, keeps a message with a greeting from being small talk.
    assert understand(index, "hey bot, who made the housing lectures", "en", places, 2026).label is None
    assert (
        understand(index, "mi consigli un albergo vicino alla sede del workshop di Ginevra?", "it", places).label
        is None
    )


def test_an_earlier_edition_is_not_answered_with_this_years_facts(index: FaqIndex, places: Gazetteer) -> None:
    assert understand(index, "which cities had workshops in 2023?", "en", places, 2026).label is None
    assert understand(index, "which cities host workshops in 2026?", "en", places, 2026).label == "workshop-cities"


def test_only_the_start_of_a_long_message_is_read(index: FaqIndex, places: Gazetteer) -> None:
    question = "who signs the online certificate?"
    assert understand(index, question, "en", places).label == "certificate-online"
    # Past the first MAX_READ characters nothing is read: matching a pasted page costs no more than a question.
    assert understand(index, "~ " * 2000 + question, "en", places).label is None


def test_the_evaluation_sets_meet_the_ci_gate(index: FaqIndex, places: Gazetteer) -> None:
    """CI's gate is on the TUNE set; the HELD-OUT set is reported by `wego-bot faq eval`, never tuned on."""
    result = evaluate(index, load_eval(CONTENT / "faq_eval.yaml"), places=places, year=2026)
    overall = result.overall
    assert sorted(result.per_language) == ["ar", "de", "en", "fr", "it", "ko", "zh"]
    assert overall.accuracy >= 0.90, [m for m in result.misses if m[0].expect is not None]
    assert overall.wrong_share <= 0.04, [m for m in result.misses if m[1] is not None]
    assert overall.declined_share >= 0.90, [m for m in result.misses if m[0].expect is None]
    assert overall.smalltalk_share >= 0.95


def test_the_evaluation_sets_are_big_enough_and_apart() -> None:
    tune = load_eval(CONTENT / "faq_eval.yaml")
    held_out = load_eval(CONTENT / "faq_eval_heldout.yaml")
    held_out_b = load_eval(CONTENT / "faq_eval_heldout_b.yaml")
    both = tune + held_out
    assert sum(item.expect is not None for item in both) >= 400
    assert sum(item.expect is None for item in both) >= 60
    assert {item.lang for item in held_out} == {"en", "it", "de", "fr", "ar", "ko", "zh"}
    assert not {(i.lang, i.question) for i in tune} & {(i.lang, i.question) for i in held_out}
    # The second held-out set was written by someone who saw neither the matcher nor the stored questions.
    assert {item.lang for item in held_out_b} == {"en", "it", "de", "fr", "ar", "ko", "zh"}
    assert not {(i.lang, i.question) for i in tune} & {(i.lang, i.question) for i in held_out_b}
    # The third: a blind check kept apart from the start (session 8), apart from all three.
    held_out_c = load_eval(CONTENT / "faq_eval_heldout_c.yaml")
    assert {item.lang for item in held_out_c} == {"en", "it", "de", "fr", "ar", "ko", "zh"}
    earlier = {(i.lang, i.question) for i in tune + held_out + held_out_b}
    assert not earlier & {(i.lang, i.question) for i in held_out_c}


def test_no_answer_starts_with_yes_or_no() -> None:
    openings = ("Yes,", "No,", "Sì,", "Ja,", "Nein,", "Oui,", "Non,", "نعم،", "لا،", "네,", "아니요,")
    openings += ("是的，", "可以，")
    starts = [
        (entry.id, lang)
        for entry in load_content(CONTENT).faq.entries
        for lang, answer in entry.answer.items()
        if answer.startswith(openings)
    ]
    assert starts == []


# --- in the chat ------------------------------------------------------------------------------------------------


async def test_small_talk_gets_a_short_answer_and_the_menu(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("hi")
    assert alice.text == (
        "Hello! I am the WeGO Champions assistant. Ask me about the course, the workshops or the award, "
        "or choose a topic below."
    )
    assert labels(alice.last[0].buttons)[:3] == ["About the program", "Lectures", "Workshops"]
    await alice.send("thanks")
    assert alice.text == "You're welcome! Anything else? Choose a topic or ask me."
    maria = chat("maria", locale_hint="it")
    await maria.send("grazie mille")
    with use_locale("it"):
        assert maria.text == _("You're welcome! Anything else? Choose a topic or ask me.")


async def test_an_earlier_edition_is_handed_to_the_team(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("which cities had workshops in 2023?")
    assert alice.text == (
        "I answer about the 2026 edition of the program only, so I will not mix in another year.\n"
        "To ask the program team, send: /team which cities had workshops in 2023?"
    )


async def test_a_mistyped_command_suggests_the_nearest(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("/lecture")
    assert alice.text == "I don't know the command /lecture. Did you mean /lectures?"
    await alice.press("/lectures")
    assert alice.text.startswith("The online course (24 lectures)")
    await alice.send("/xyzzy")
    assert alice.text == "I don't know the command /xyzzy. Send /help to see what I can do."


async def test_when_is_the_milan_workshop_after_staff_set_its_date(chat: Callable[..., ChatDriver], app: App) -> None:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        milan = next(w for w in await ws.list_workshops(uow.session) if w.slug == "milan-2026")
    staffer, alice = chat("staffer"), chat("alice")
    await staffer.send(f"/ws_date {milan.id} 2026-05-14 15:00")
    await alice.send("when is the Milan workshop?")
    assert "14" in alice.text and "May" in alice.text
    assert "not published" not in alice.text
    assert "Sign up" in labels(alice.last[0].buttons)
    # The same in Italian, with the Italian name of the city.
    await alice.send("/language it")
    await alice.send("quando c'è il workshop di Milano?")
    assert "14" in alice.text and "maggio" in alice.text


async def test_a_lecture_by_its_position_or_topic_has_its_done_button(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("what is the last lecture of part 1?")
    assert alice.text == (
        "Lecture 1.8: “Integrative, Inclusive, Resilient Cities”, in part 1, "
        "“Accelerating, Benchmarking, and Communicating Smart and Sustainable Cities' Transitions”."
    )
    await alice.send("which lecture is about digital twins?")
    assert alice.text.startswith("Lecture 1.7: “Digital Twins and MetaCities”")
    assert labels(alice.last[0].buttons) == ["Done 1.7", "Part 1", "Main menu"]
    await alice.press("Done 1.7")
    await alice.send("how far am i in the course")
    assert "Overall: 1 of 24 lectures" in alice.text
    assert "Continue: mark 1.1 watched" in labels(alice.last[0].buttons)


async def test_an_unanswered_message_is_not_sent_to_the_team_unless_asked(
    chat: Callable[..., ChatDriver], app: App, clock: FrozenClock
) -> None:
    alice = chat("alice")
    await alice.send("is there parking near the venue")
    # Nothing in the documents mentions parking: no neighbouring topic is offered, only the team.
    assert alice.text == (
        "The program information does not say that, so I will not guess.\n"
        "To ask the program team, send: /team is there parking near the venue"
    )
    assert labels(alice.last[0].buttons) == ["Ask the team", "Main menu"]
    await alice.press("Ask the team")
    assert alice.text == "Write your question after the command, for example: /team Is there parking at the venue?"
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Question)) == 0
    await alice.send("/team is there parking near the venue")
    clock.advance(hours=2)
    await alice.send("/team")
    assert alice.text == (
        "Your questions waiting for the team\n"
        "2 hours ago: “is there parking near the venue”\n\n"
        "Write your question after the command, for example: /team Is there parking at the venue?"
    )
    # Typed, in any language, the same list: never a new question, never an FAQ answer.
    await alice.send("my questions")
    assert alice.text == (
        "Your questions waiting for the team\n"
        "2 hours ago: “is there parking near the venue”\n\n"
        "Write your question after the command, for example: /team Is there parking at the venue?"
    )
    async with app.storage.unit_of_work() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Question)) == 1


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "show me my questions"),
        ("it", "le mie domande"),
        ("de", "meine offenen Fragen"),
        ("fr", "mes questions ?"),
        ("ar", "وين اسئلتي"),
        ("ko", "내 질문 목록"),
        ("zh", "我提的问题"),
    ],
)
def test_ones_own_questions_asked_for_are_the_open_questions(
    index: FaqIndex, places: Gazetteer, lang: str, text: str
) -> None:
    understood = understand(index, text, lang, places)
    assert (understood.label, understood.smalltalk) == (SMALLTALK, "questions")


def test_a_question_about_something_else_is_not_a_request_for_ones_questions(
    index: FaqIndex, places: Gazetteer
) -> None:
    assert understand(index, "I have a question about my certificate", "en", places).label == "live:certificate"
    assert understand(index, "ho delle domande sul corso, chi contatto?", "it", places).smalltalk != "questions"


async def test_a_long_message_is_matched_off_the_event_loop_and_still_answered(
    chat: Callable[..., ChatDriver], monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    threads: list[object] = []
    real = asyncio.to_thread

    async def counting(func: Callable[..., object], /, *args: object) -> object:
        threads.append(func)
        return await real(func, *args)

    monkeypatch.setattr(asyncio, "to_thread", counting)
    alice = chat("alice")
    await alice.send("who signs the workshop certificate?" + " ?" * 60)
    assert alice.text.startswith("Participants of the in-person workshops can request a certificate signed by")
    await alice.send("who signs the workshop certificate?")
    assert len(threads) == 1


async def test_too_many_messages_too_fast_are_asked_to_slow_down(
    chat: Callable[..., ChatDriver], clock: FrozenClock
) -> None:
    alice, bob = chat("alice"), chat("bob")
    for _n in range(10):
        await alice.send("is the course free?")
        assert alice.text.startswith("The online lectures are offered free of charge")
    await alice.send("is the course free?")
    assert alice.text == (
        "You are sending messages faster than I can read them. Please wait a few seconds and try again."
    )
    await bob.send("is the course free?")
    assert bob.text.startswith("The online lectures are offered free of charge")
    clock.advance(seconds=10)
    await alice.send("is the course free?")
    assert alice.text.startswith("The online lectures are offered free of charge")


async def test_a_live_question_without_the_database_answers_from_the_faq(tmp_path: Path) -> None:
    """`wego-bot ask` has no database: a workshop's date comes from the FAQ's dates entry."""
    from bot.app import build_app
    from tests.conftest import make_settings

    application = await build_app(make_settings(tmp_path), with_storage=False)
    try:
        person = ChatDriver(application, user_id="asker")
        await person.send("when is the Seoul workshop?")
        assert person.text.startswith("The program information doesn't list the dates")
        await person.send("how far am i in the course")
        assert person.text == (
            "That needs the assistant's database, which this command runs without. Try it in the chat (wego-bot chat)."
        )
    finally:
        await application.close()


def _action(driver: ChatDriver, name: str, pick: int = 0) -> object:
    """The action of the `pick`-th button whose action is `name`, in the last replies."""
    found = [
        b.action for reply in driver.last for row in reply.buttons for b in row if b.action and b.action.name == name
    ]
    assert found, (name, [b.action for reply in driver.last for row in reply.buttons for b in row])
    return found[pick]


@pytest.mark.parametrize(("lang", "greeting", "question"), CONVERSATIONS)
async def test_free_text_from_hello_to_a_workshop_sign_up(app: App, lang: str, greeting: str, question: str) -> None:
    """No command typed: a greeting, a question in the person's words, then the buttons the answers carry."""
    from tests.workshop_helpers import registrations

    person = ChatDriver(app, user_id=f"p-{lang}", locale_hint=lang)
    await person.send(greeting)
    assert any(b.action and b.action.args == ("workshops",) for row in person.last[0].buttons for b in row)
    await person.send(question)
    await person.press_action(_action(person, "ws.signup"))  # type: ignore[arg-type]
    await person.press_action(_action(person, "ws.consent"))  # type: ignore[arg-type]
    await person.press_action(_action(person, "ws.join", pick=-1))  # type: ignore[arg-type]
    assert await registrations(app) == [(f"p-{lang}", RegistrationStatus.PREREGISTERED, None)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "thnx"),  # a misspelt one-word phrase, one slip from "thanx"
        ("en", "see u"),
        ("en", "who made u"),
        ("de", "vielen dank!"),
        ("ar", "يسلمو"),
        ("ko", "안녕히 계세요"),  # goodbye, though it starts with the greeting "안녕"
        ("ko", "잘자요"),
        ("zh", "多谢啦"),  # "多谢" is the thanks, whatever order the phrases are in
    ],
)
def test_small_talk_variants(index: FaqIndex, places: Gazetteer, lang: str, text: str) -> None:
    assert understand(index, text, lang, places).label == SMALLTALK


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        # A phrase that starts with the Arabic article is read whole, not as the article and a shorter phrase
        # ("سلام" is also goodbye): the greeting, with nothing left over.
        ("ar", "السلام عليكم", "greeting"),
        ("en", "👋", "greeting"),  # emoji alone stand for their word
        ("en", "🙏🙏", "thanks"),
        ("ko", "ㄱㅅ", "thanks"),  # Korean chat shorthand, typed as compatibility jamo
        ("ko", "ㅇㅋ", "ok"),
        ("en", "i need help", "help"),  # not the travel answer through "need"
        ("it", "a dopo", "bye"),
        ("fr", "j'ai besoin d'aide", "help"),
    ],
)
def test_small_talk_as_people_type_it(index: FaqIndex, places: Gazetteer, lang: str, text: str, kind: str) -> None:
    understood = understand(index, text, lang, places)
    assert (understood.label, understood.smalltalk) == (SMALLTALK, kind)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "free seats left in geneva?"),
        ("de", "freie plätze in mailand?"),
        ("ko", "제네바 워크숍 자리 남았어요?"),
        ("zh", "日内瓦工作坊还有名额吗"),
        ("ar", "في اماكن فاضية بورشة القاهرة؟"),
    ],
)
def test_seats_left_in_a_city_are_a_live_question(index: FaqIndex, places: Gazetteer, lang: str, text: str) -> None:
    assert understand(index, text, lang, places).label == LIVE_WORKSHOP


def test_a_workshop_fee_glued_to_an_arabic_preposition_is_still_the_workshops(
    index: FaqIndex, places: Gazetteer
) -> None:
    """ "بورشة" is "in the workshop": its fee is something the documents do not say, not the course's price."""
    understood = understand(index, "كم رسوم التسجيل بورشة القاهرة", "ar", places)
    assert (understood.label, understood.undocumented) == (None, True)


def test_a_count_of_parts_keeps_the_word_parts(index: FaqIndex, places: Gazetteer) -> None:
    """ "The 4 parts" is not part 4, but it is still about the parts: the course's structure."""
    assert understand(index, "les 4 parties du cours c'est quoi", "fr", places).label == "course-structure"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # What a hotel or a flight costs, or which hotels a city has: the documents do not say (not the course's
        # price, not the travel entry, which answers whether WeGO pays for them).
        ("en", "how much does a hotel in athens cost"),
        ("it", "prezzo del volo per il cairo"),
        ("de", "gute hotels in genf?"),
        ("fr", "combien coûte un billet d'avion pour bakou"),
    ],
)
def test_the_price_of_a_hotel_or_a_flight_is_declined(index: FaqIndex, places: Gazetteer, lang: str, text: str) -> None:
    understood = understand(index, text, lang, places)
    assert (understood.label, understood.undocumented) == (None, True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # Paying for travel to a workshop is the travel entry's question, not a workshop fee to decline.
        ("en", "will wego pay my travel to the workshop"),
        ("en", "are flights to the workshop paid"),
    ],
)
def test_whether_wego_pays_the_journey_is_the_travel_entry(
    index: FaqIndex, places: Gazetteer, lang: str, text: str
) -> None:
    assert understand(index, text, lang, places).label == "workshop-travel"


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        ("en", "how are you", "greeting"),
        ("it", "ciao come stai", "greeting"),
        ("de", "hallo wie gehts", "greeting"),
        ("fr", "slt ça va", "greeting"),
        ("ar", "كيف حالك", "greeting"),
        # The cute spelling of the polite ending.
        ("ko", "안녕하세용", "greeting"),
        ("ko", "감사합니당", "thanks"),
    ],
)
def test_how_are_you_and_cute_endings_are_small_talk(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, kind: str
) -> None:
    understood = understand(index, text, lang, places)
    assert (understood.label, understood.smalltalk) == (SMALLTALK, kind)


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        # What one thanks for, and the words between, do not make a question of it; thanks beside the help it
        # thanks for is thanks.
        ("de", "danke für die info", "thanks"),
        ("fr", "au revoir et merci", "thanks"),
        ("it", "grazie per l'aiuto", "thanks"),
        ("ar", "شكرا كتير على المساعدة", "thanks"),
        ("zh", "谢谢你的帮助", "thanks"),
        ("ko", "수고하셨습니다", "thanks"),
        ("zh", "在吗", "greeting"),
        ("ko", "처음으로 돌아가기", "menu"),
    ],
)
def test_thanks_for_something_is_small_talk(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, kind: str
) -> None:
    understood = understand(index, text, lang, places)
    assert (understood.label, understood.smalltalk) == (SMALLTALK, kind)


@pytest.mark.parametrize(
    ("lang", "text", "label"),
    [
        # Where the workshops are, no city named: the list of cities, not one workshop's card.
        ("fr", "dans quelles villes ont lieu les ateliers", "workshop-cities"),
        ("ko", "워크숍 어디서 열려요", "workshop-cities"),
        # A lecture and "now" or "next": the next one to watch ("Next" is also a partner's name).
        ("en", "which lecture should i do next", LIVE_NEXT),
        ("it", "quale lezione devo vedere adesso", LIVE_NEXT),
        # A part named by its number: that part's lectures, not the themes entry that shares "studia".
        ("it", "cosa si studia nella parte 3", "course-part-3"),
        ("de", "was wird in teil 4 behandelt", "course-part-4"),
        # Spoken Arabic: "هال" (this) and the present's "ب" glued on, a preposition with its pronoun.
        ("ar", "مين بنظم هالبرنامج", "wego-what"),
        ("ar", "كيف اتواصل معكم", "contact"),
        # Chinese: only the bigrams inside words count as what the question names ("织这" is no subject).
        ("zh", "谁在组织这个活动", "wego-what"),
        # A word for a price no entry uses ("pagamento") is the kind of answer asked for, not another subject.
        ("it", "le lezioni sono a pagamento?", "course-cost"),
    ],
)
def test_free_text_read_for_what_it_asks(index: FaqIndex, places: Gazetteer, lang: str, text: str, label: str) -> None:
    assert understand(index, text, lang, places).label == label


@pytest.mark.parametrize(
    ("lang", "text", "label"),
    [
        # A greeting before the question and an introduction of who asks: what is asked is the rest.
        ("it", "ciao, sono una studentessa di architettura, posso partecipare?", "target-audience"),
        ("ko", "안녕하세요 저는 도시계획 전공 대학원생인데 참여 가능한가요?", "target-audience"),
        ("zh", "你好，我是城市规划专业的研究生，可以参加吗", "target-audience"),
        ("en", "hello, quick question - is the online course realy free?", "course-cost"),
        # Everything watched, and now: the certificate's view, not the next lecture.
        ("it", "ho visto tutte le lezioni, e ora?", "live:certificate"),
        ("ko", "강의 다 봤어요 이제 어떻게 해요", "live:certificate"),
        # A lecture by its place in words, a part in spoken Arabic ("التاني": second).
        ("ar", "شو المحاضرة التالتة بالجزء التاني", LIVE_LECTURE),
        ("ko", "파트 2의 세 번째 강의가 뭐예요", LIVE_LECTURE),
        # "Full" is about seats.
        ("de", "ist der workshop in baku schon voll", LIVE_WORKSHOP),
    ],
)
def test_greetings_introductions_and_positions(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, label: str
) -> None:
    assert understand(index, text, lang, places).label == label


def test_a_greeting_alone_keeps_its_words_and_a_question_word_is_not_a_greeting() -> None:
    from bot.faq.smalltalk import without_smalltalk

    assert without_smalltalk("hiking near the venue") == "hiking near the venue"
    assert without_smalltalk("morning workshops?") == "morning workshops?"
    assert without_smalltalk("good morning, when is it") == "when is it"
    assert without_smalltalk("how do i sign up, thanks!") == "how do i sign up"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # The answer names the mayor, but the question is not about the certificate he signs.
        ("en", "who is the mayor of seoul"),
        ("it", "chi è il sindaco di seul"),
        ("de", "wer ist der bürgermeister von seoul"),
        # A word of three letters no entry uses is what the question is about ("app"), not "telefono".
        ("it", "c'è un'app per il telefono?"),
    ],
)
def test_a_neighbouring_fact_is_not_an_answer(index: FaqIndex, places: Gazetteer, lang: str, text: str) -> None:
    assert understand(index, text, lang, places).label is None


@pytest.mark.parametrize(
    ("lang", "text", "label"),
    [
        # A lecture asked about by its topic's terms, in English too.
        ("en", "which video covers digital twins", LIVE_LECTURE),
        ("fr", "y a-t-il un cours sur les jumeaux numériques ?", LIVE_LECTURE),
        ("zh", "有讲数字孪生的课吗", LIVE_LECTURE),
        ("en", "is there a waiting list for milan", LIVE_WORKSHOP),
        ("ar", "كم محاضرة باقيلي للشهادة", "live:certificate"),
        ("en", "how many winners will there be overall", "award-winners"),
    ],
)
def test_lectures_by_topic_waiting_lists_and_what_is_left(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, label: str
) -> None:
    assert understand(index, text, lang, places).label == label


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        ("it", "ok grazie, è tutto", "thanks"),
        ("de", "ok danke, das wars", "thanks"),
        ("zh", "好的谢谢，没有别的了", "thanks"),
        ("de", "grüß dich", "greeting"),
        ("fr", "tu sais faire quoi", "help"),
    ],
)
def test_closings_and_more_greetings(index: FaqIndex, places: Gazetteer, lang: str, text: str, kind: str) -> None:
    understood = understand(index, text, lang, places)
    assert (understood.label, understood.smalltalk) == (SMALLTALK, kind)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # A person is asked for, and the part's entry never answers who: the documents do not name lecturers.
        ("fr", "qui enseigne la partie 3"),
        ("zh", "第三部分是谁讲的"),
    ],
)
def test_who_is_not_answered_by_an_entry_never_asked_who(
    index: FaqIndex, places: Gazetteer, lang: str, text: str
) -> None:
    assert understand(index, text, lang, places).label is None


def test_spoken_korean_endings_are_cut() -> None:
    from bot.faq.stems import korean_stem

    assert [korean_stem(w) for w in ("생겼어요", "듣는데", "참여했어요", "비용")] == ["생겼", "듣", "참여", "비용"]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # "듣는데" (listening, but) and "생겼어요" (came about) are not what the question is about.
        ("ko", "강의 듣는데 돈 내야 돼요?", "course-cost"),
        ("ko", "WeGO는 언제 생겼어요", "wego-history"),
        # Adverbs that only insist.
        ("fr", "concrètement on apprend quoi", "program-themes"),
        ("it", "esattamente cosa si studia", "program-themes"),
        # Short forms, and an age near the rule's 35.
        ("en", "do i get a cert", "certificate-overview"),
        ("en", "im 38, can i get the workshop cert", "certificate-age-rule"),
    ],
)
def test_filler_words_short_forms_and_ages(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # One category named: that category's entry, not the list of all the partners.
        ("en", "who sponsors the culture category", "award-culture"),
        # None named: the list, not the one category whose partners are universities.
        ("de", "welche unis sind partner beim award", "award-partners"),
    ],
)
def test_the_award_category_named_chooses_the_entry(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


def test_an_award_category_is_read_only_beside_the_award() -> None:
    from bot.faq.subjects import subject_of
    from bot.faq.text import normalize

    assert subject_of(normalize("net zero category partner"), None).category == "net-zero"
    assert subject_of(normalize("premio intelligenza artificiale"), None).category == "ai"
    assert subject_of(normalize("what is the AI part of the course"), None).category is None


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("it", "dov'è il workshop di atene", LIVE_WORKSHOP),
        # Where a workshop in a named city is: its venue (not the list of cities).
        ("de", "wo ist der workshop in athen", LIVE_WORKSHOP),
        ("en", "where's the brescia workshop", LIVE_WORKSHOP),
        ("en", "what's left for my certificate", "live:certificate"),
        ("ar", "كم محاضرة خلصت", "live:progress"),
        ("de", "welche vorlesung behandelt smart cities", LIVE_LECTURE),
        # WeGO's office in a workshop city is the organisation's, not the workshop's card.
        ("it", "la sede di wego è a seul?", "wego-offices"),
    ],
)
def test_live_questions_as_people_type_them(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Chat fillers and hedges no entry uses ("tbh", "honestly", "scusate", "so grob", "到底", "半天") are how it is
        # said, not what is asked about.
        ("en", "is the course free tbh", "course-cost"),
        ("en", "honestly how many lectures are there", "lecture-count"),
        ("it", "scusate, ci sono i sottotitoli in tedesco?", "subtitles"),
        # Closing thanks glued to "and" after the question.
        ("ar", "مين الجهات الشريكة في الجائزة؟ وشكرا", "award-partners"),
        # Chinese "掏钱" (to fork out money) asks a price.
        ("zh", "网课要掏钱吗", "course-cost"),
        # Introductions by name ("ich heiße", "my name is"): who asks, not what about.
        ("de", "ich heiße Lena und studier in Graz, sind die videos gratis?", "course-cost"),
        ("en", "my name is Tom, from Lagos. is the course free?", "course-cost"),
        # Who made the bot, in other languages than English, is small talk.
        ("de", "wer hat dich programmiert", SMALLTALK),
        ("it", "chi ti ha creato?", SMALLTALK),
        ("ko", "누가 만들었어요?", SMALLTALK),
        # A filler does not make a question about something the documents do not say answerable.
        ("en", "whats the wifi password tbh", None),
        ("de", "gibts da sowas wie parkplätze beim workshop", None),
        ("zh", "那个 首尔工作坊附近有停车场吗", None),
    ],
)
def test_chat_fillers_introductions_by_name_and_who_made_you(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str | None
) -> None:
    assert understand(index, text, lang, places).label == expected


def test_a_spoken_korean_particle_to_a_person_is_cut() -> None:
    from bot.faq.stems import korean_stem

    # "몇 명한테" (to how many people): the count's noun, without "한테".
    assert korean_stem("명한테") == "명"


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Sign-ups in the plural are signing up: "still open for signups" is the workshop's status, not a subject.
        ("en", "is the athens workshop still open for signups", LIVE_WORKSHOP),
        # A month asks when.
        ("en", "in what months are the workshops", LIVE_WORKSHOP),
        ("de", "in welchem monat ist der workshop in genf", LIVE_WORKSHOP),
        ("en", "what month is the award ceremony", "award-ceremony"),
        ("en", "how many months does the online course take", "course-duration"),
        # How near one is to one's certificate: what is left for it.
        ("en", "am i close to getting my certificate", "live:certificate"),
        # "Going on, what do I hear": the next lecture.
        ("ko", "이어서 뭐 들으면 돼?", LIVE_NEXT),
        # What a part is centred on: that part.
        ("it", "la parte tre su cosa è incentrata", "course-part-3"),
    ],
)
def test_signups_months_how_near_and_going_on(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


def test_a_left_out_word_and_a_split_compound_do_not_shift_the_corrections(index: FaqIndex) -> None:
    # "grad" is left out and "workshopbescheinigung" read as two words: as many words read as typed, but not one
    # for one ("grad" was not read as "35", which hid the age).
    question = "bin grad 35 geworden, krieg ich die workshopbescheinigung trotzdem noch?"
    assert index.corrections(question, "de") == {"workshopbescheinigung": "workshop bescheinigung"}


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("de", "bin grad 35 geworden, krieg ich die workshopbescheinigung trotzdem noch?", "certificate-age-rule"),
        ("ar", "عندي 37 سنة، هل يحق لي شهادة الورشة الموقعة من عمدة سيول؟", "certificate-age-rule"),
        # An age said, and who signs asked: who signs.
        ("en", "I'm 33, who signs the workshop certificate?", "certificate-workshop"),
        ("de", "wer unterschreibt die workshopbescheinigung?", "certificate-workshop"),
    ],
)
def test_an_age_stated_beside_the_certificate_asks_the_age_rule(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


def test_chat_french_je_is_spelt_out_before_any_word() -> None:
    from bot.faq.shorthand import spelled_out

    def known(word: str) -> bool:
        return word in {"peux", "suis", "inscris", "atelier", "attestato"}

    assert spelled_out("jpeux venir", "fr", known) == "je peux venir"
    assert spelled_out("jsuis a combien", "fr", known) == "je suis a combien"
    # "je" before another elision.
    assert spelled_out("comment jminscris a latelier", "fr", known) == "comment je m inscris a l atelier"
    assert spelled_out("lattestato", "it", known) == "l attestato"


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # "ou" without its accent after the verb of taking place, and the room asked for: the venue.
        ("fr", "il se passe ou exactement l atelier de geneve, quelle salle ?", LIVE_WORKSHOP),
        # "qd meme" is "quand même" (all the same): no time is asked.
        ("fr", "jai pas encore commencé les videos, jpeux qd meme aller au workshop ?", None),
        ("fr", "jsuis a combien de cours terminés la ?", "live:progress"),
        ("fr", "comment jminscris a latelier de milan", "workshop-signup"),
        ("fr", "jminscris comment au cours en ligne ?", "course-signup"),
        ("fr", "c koi le num de tel du secretariat ?", "contact"),
    ],
)
def test_french_typed_as_sms(index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str | None) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # A video's length in minutes: the documents give the lectures' number, not their length.
        ("en", "Roughly how many minutes is each lecture video?", None),
        ("en", "how many lectures are there in total?", "lecture-count"),
        # Spoken and regional German: "wat" is "was", "isser" is "ist er".
        ("de", "wat kannst du eigentlich alles?", SMALLTALK),
        ("de", "findet der workshop in new york noch statt oder isser abgesagt?", LIVE_WORKSHOP),
    ],
)
def test_video_length_and_spoken_german(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str | None
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Another city than the workshop cities: where the workshops are is the answer.
        ("it", "c'è un workshop anche a Roma?", "workshop-cities"),
        ("en", "is there a workshop in london too?", "workshop-cities"),
        ("fr", "y a un atelier a toronto ?", "workshop-cities"),
        # German typed without umlauts names the country all the same.
        ("de", "gibts auch nen workshop in oesterreich?", "workshop-cities"),
        # A city named without a workshop asked about is no question about the cities.
        ("it", "sono di Roma, il corso è gratis?", "course-cost"),
    ],
)
def test_a_workshop_asked_for_in_another_city_is_answered_with_the_cities(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


def test_other_cities_are_found_by_their_cldr_names_but_short_or_common_words_are_not(places: Gazetteer) -> None:
    assert [p.kind for p in places.find("workshop a roma")] == ["town"]
    assert [p.kind for p in places.find("workshop in zuerich")] == ["town"]
    assert [p.kind for p in places.find("oesterreich")] == ["region"]
    # A workshop city stays one; "nome" (Italian: name) and 2-character Korean and Chinese names are no town.
    assert [(p.kind, p.name) for p in places.find("milano")] == [("city", "Milan")]
    assert places.find("qual e il nome del workshop") == []
    assert places.find("로마") == []


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # The courtesy of a formal request is no subject, and does not take the place of what is asked.
        ("en", "Could you kindly let me know whether the online lectures cost anything?", "course-cost"),
        ("de", "Könnten Sie mir freundlicherweise mitteilen, ob die Online-Vorlesungen etwas kosten?", "course-cost"),
        ("it", "Vorrei cortesemente sapere se le lezioni online sono gratuite.", "course-cost"),
        ("ar", "أرجو التكرم بإفادتي هل المحاضرات الإلكترونية مجانية؟", "course-cost"),
        ("ko", "실례지만 온라인 강의는 무료인지 알려주시겠습니까?", "course-cost"),
        # The sentence that asks, after a long introduction (past what is read of a message) or before context.
        (
            "en",
            "Good evening. I coordinate the youth programmes of a small city in Portugal and several of our interns"
            " have asked me about this initiative last week. Are the online lectures free?",
            "course-cost",
        ),
        ("de", "Gibt es Untertitel auf Deutsch? Meine Eltern sprechen kaum Englisch und schauen mit.", "subtitles"),
        # A country's name is not corrected as a typo ("italia" is not "italiano").
        ("it", "ci sono workshop in italia?", "workshop-cities"),
    ],
)
def test_a_formal_or_framed_question_is_read_for_what_it_asks(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # A project described, and which award category fits it: the project's terms name the category; its other
        # words are no entry's subject.
        (
            "en",
            "my startup rents e-bikes to students, which award category would that be?",
            "award-youth-entrepreneurship",
        ),
        (
            "it",
            "progetto per ridurre le emissioni di co2 nei condomini, in quale categoria del premio lo presento?",
            "award-net-zero",
        ),
        ("de", "ich baue roboter für die müllabfuhr, welche kategorie vom award passt?", "award-advanced-technology"),
        ("ko", "실크로드 관련 전시를 기획했는데 어워드 어느 부문에 맞아요?", "award-culture"),
        ("zh", "我做了一个用人工智能预测交通的项目，应该报哪个类别？", "award-ai"),
        # No category named: the question is the FAQ's as before.
        ("en", "which category has the most winners?", "award-winners"),
    ],
)
def test_which_award_category_a_described_project_fits(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


def test_a_latin_cue_with_a_korean_particle_glued_on_is_found() -> None:
    from bot.faq.subjects import subject_of

    assert subject_of("ai로 만든 프로젝트 어느 부문이에요", None).category == "ai"
    assert subject_of("sdgs에 관한 프로젝트 어느 부문이에요", None).category == "sdgs"


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Having signed up is who asks, not how to sign up: the workshop's card answers when, where and seats.
        ("en", "I signed up for Milan, where exactly is it held?", LIVE_WORKSHOP),
        ("de", "ich habe mich für baku angemeldet, wann geht es los?", LIVE_WORKSHOP),
        ("ko", "아테네 워크숍 등록했는데 언제 시작해요?", LIVE_WORKSHOP),
        ("it", "mi sono iscritta ad atene, ci sono ancora posti?", LIVE_WORKSHOP),
        ("en", "how do I sign up for the Milan workshop?", "workshop-signup"),
        # What to watch, asked in the present or as "the following one"; how much done, typed short.
        ("en", "what do i watch now", LIVE_NEXT),
        ("fr", "la vidéo suivante c'est laquelle ?", LIVE_NEXT),
        ("it", "qual è la lezione successiva per me?", LIVE_NEXT),
        ("de", "wieviel hab ich schon gesehen?", "live:progress"),
        ("zh", "还剩几节没学完", "live:progress"),
        # One's own certificate's status, or one's attendance counted for it.
        ("en", "my certificate status?", "live:certificate"),
        ("it", "a che stato è il mio attestato?", "live:certificate"),
        ("zh", "我的证书状态怎么样", "live:certificate"),
        ("ko", "제 수료증 상태가 궁금해요", "live:certificate"),
        ("en", "did my attendance at the Milan workshop count toward my certificate?", "live:certificate"),
        (
            "fr",
            "est-ce que ma présence à l'atelier a bien été prise en compte pour mon certificat ?",
            "live:certificate",
        ),
        ("ar", "شهادتي ناقصها شي؟", "live:certificate"),
    ],
)
def test_questions_about_ones_own_situation(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # A question about the bot itself, inside courtesy: small talk.
        ("en", "Good evening, and thanks in advance. May I ask whom I am speaking with?", "smalltalk"),
        # Help asked for with something else: not small talk.
        ("de", "hilf mir bei meinen Chemie-Hausaufgaben", None),
        ("zh", "帮我写一封求职信", None),
    ],
)
def test_a_question_about_the_bot_in_courtesy_is_small_talk(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str | None
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # The code shown at the venue, or one's presence confirmed on the day: checking in.
        ("en", "i'm in the room, there's a code on the screen, what do i do with it?", "workshop-checkin"),
        ("fr", "je suis sur place, comment je confirme ma présence ?", "workshop-checkin"),
        ("it", "dove inserisco il codice che c'è in sede?", "workshop-checkin"),
        # A verification code is the platform's; what to wear the documents do not say.
        ("en", "I didn't get the verification code for the platform", "course-platform-help"),
        ("en", "is there a dress code at the venue?", None),
        ("de", "gibt es eine kleiderordnung beim workshop?", None),
        # "Check in" said of logging in to the course platform is not the workshop's check-in.
        ("it", "non riesco a fare il check in sulla piattaforma, password sbagliata", None),
    ],
)
def test_checking_in_by_the_code_at_the_venue(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str | None
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # The workshops named and nothing else asked: what they are; asked why, their aims.
        ("de", "workshops, was ist das?", "workshop-what"),
        ("en", "why the workshops?", "workshop-objectives"),
        # A video's length: the documents give none; the course's duration is its entry's.
        ("en", "lecture length?", None),
        ("it", "lunghezza dei video?", None),
        ("en", "how long does the online course take?", "course-duration"),
        # Earlier editions named without a year: only last year's participants are documented.
        ("zh", "历届的获奖者是谁", None),
        ("en", "who were the award winners in previous years?", None),
        ("en", "how many people took part in previous years?", "participants-last-year"),
        # The train to a workshop: whether WeGO pays is the travel entry's; its price is not documented.
        ("it", "WeGO rimborsa il treno per andare al workshop?", "workshop-travel"),
        ("de", "wird die bahnfahrt nach athen bezahlt?", "workshop-travel"),
        ("en", "how much is a train ticket to Geneva?", None),
        # An age stated beside the certificate, though unsure of the words around it.
        ("en", "I'll be 35 in two weeks, can I still get the workshop cert lol", "certificate-age-rule"),
        # Which cities, though "this year" pulls toward the program's edition.
        ("de", "in welchen städten gibt es dieses jahr workshops?", "workshop-cities"),
        ("fr", "quand sont publiés les résultats du prix ?", "award-ceremony"),
    ],
)
def test_workshops_named_alone_lengths_earlier_editions_trains_and_cities(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str | None
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # A formal request whose introduction fills what the index reads: the object of its verb of knowing or
        # asking is what it asks.
        (
            "de",
            "Sehr geehrtes Team, als Leiterin der Stabsstelle Digitalisierung im Landratsamt Ravensburg möchte ich"
            " gerne erfahren, wie viele Vorlesungen der Onlinekurs insgesamt umfasst.",
            "lecture-count",
        ),
        (
            "it",
            "In qualità di dirigente scolastico dell'istituto tecnico di Lecce desidererei sapere quali sono gli"
            " obiettivi dei workshop in presenza.",
            "workshop-objectives",
        ),
        (
            "en",
            "Speaking for the planning office of our county council and its regional partners, I would like to know"
            " what WeGO's mission is.",
            "wego-mission",
        ),
    ],
)
def test_a_formal_request_is_read_by_what_it_asks_to_know(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # What the bot can do, after words about being new to the service: small talk; help asked with a task in
        # the same clause is not.
        ("en", "hello, first time using a chatbot like this, what can you do?", "smalltalk"),
        ("ko", "이 챗봇은 처음인데요, 여기서 어떤 도움을 받을 수 있나요?", "smalltalk"),
        ("de", "hallo, wer bist du eigentlich", "smalltalk"),
        ("it", "puoi aiutarmi a scrivere il mio CV?", None),
    ],
)
def test_what_the_bot_can_do_asked_after_context_is_small_talk(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str | None
) -> None:
    assert understand(index, text, lang, places).label == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # A clause setting aside what is not asked leaves what is.
        ("en", "not asking about the certificate, how many lectures are there in total?", "lecture-count"),
        ("fr", "je demande pas pour les ateliers, le cours en ligne coûte combien ?", "course-cost"),
        ("ar", "ما بدي اعرف عن الشهادة، بدي اعرف كم محاضرة في الكورس", "lecture-count"),
        # Letter courtesy in Chinese and Arabic frames a question.
        ("zh", "敬请告知颁奖典礼何时举行，谢谢。", "award-ceremony"),
        (
            "ar",
            "بالنيابة عن ابنتي البالغة من العمر ١٩ عامًا، أود أن أسأل: هل توجد رسوم للدورة الإلكترونية؟",
            "course-cost",
        ),
        # "actual" is a hedge, not a subject.
        ("en", "can i talk to an actual person? whats the email", "contact"),
    ],
)
def test_set_aside_clauses_and_letter_courtesy_frame_the_question(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    assert understand(index, text, lang, places).label == expected


async def test_open_questions_say_how_long_ago_as_each_language_does(
    chat: Callable[..., ChatDriver], clock: FrozenClock
) -> None:
    amal = chat("amal", locale_hint="ar")
    await amal.send("/team هل يوجد موقف سيارات؟")
    clock.advance(hours=2)
    await amal.send("/team")
    # CLDR's relative time, not a duration in a sentence of ours ("منذ ساعتان" missed the case).
    assert amal.text.splitlines()[1] == "قبل ساعتين: «هل يوجد موقف سيارات؟»"
    jonas = chat("jonas", locale_hint="de")
    await jonas.send("/team Gibt es Parkplätze?")
    clock.advance(minutes=5)
    await jonas.send("/team")
    assert jonas.text.splitlines()[1] == "vor 5 Minuten: „Gibt es Parkplätze?“"
