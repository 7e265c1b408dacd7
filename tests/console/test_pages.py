"""The console's pages do what staff ask, through the same code as the chat, and tell the same numbers."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import App, build_app
from bot.core.actions import act
from bot.settings import PROJECT_ROOT
from bot.web import build_web_app
from storage import progress
from storage.console import ConsoleAudit
from storage.models import Broadcast, Certificate, Question, User, Workshop
from tests.conftest import FrozenClock, make_settings
from tests.console.helpers import MakeChat, sign_in
from tests.workshop_helpers import deliveries, registrations, user_row

Client = TestClient[object, object]


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


async def audit(app: App) -> list[tuple[str, str, str]]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = await uow.session.scalars(select(ConsoleAudit).order_by(ConsoleAudit.id))
        return [(row.actor, row.action, row.target) for row in rows]


async def test_overview_draws_each_chart_with_its_numbers(client: Client, chat: MakeChat, app: App) -> None:
    for name in ("alice", "bob"):
        await chat(name).send("/start")
    await chat("carol", platform="telegram").send("/start")
    part_one = [lecture.key for lecture in app.content.lectures.parts[0].lecture_list()]
    alice, bob = await user_row(app, "alice"), await user_row(app, "bob")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        for key in part_one:
            await progress.mark_done(uow.session, alice.id, key, app.dispatcher.clock())
        await progress.mark_done(uow.session, bob.id, "1.1", app.dispatcher.clock())
        await uow.commit()
    await sign_in(client, chat("staffer"))
    page = await (await client.get("/console")).text()
    assert page.count("<svg") == 7
    assert "Participants: 4" in page
    funnel = await (await client.get("/console/csv/funnel.csv")).text()
    parts = len(app.content.lectures.parts)
    expected = ["Step,People", "Started,4", "First lecture,2", "Part 1 complete,1"]
    expected += [f"Part {n} complete,0" for n in range(2, parts + 1)] + ["All lectures,0", "Course record,0"]
    assert funnel.splitlines() == expected
    lectures = (await (await client.get("/console/csv/lectures.csv")).text()).splitlines()
    assert lectures[1].startswith("1.1,") and lectures[1].endswith(",2")
    assert lectures[2].endswith(",1")
    assert lectures[-1].endswith(",0")
    platforms = (await (await client.get("/console/csv/platforms.csv")).text()).splitlines()
    assert platforms[0].endswith("Console,Telegram")
    assert platforms[-1].endswith(",3,1")


async def test_participants_count_on_a_platform_from_the_day_they_started_there(
    client: Client, chat: MakeChat, app: App, clock: FrozenClock
) -> None:
    # Anna starts on Telegram; the next week she links her Discord account, made that day: Discord counts her
    # from then, Telegram from the first week, and she is one person.
    telegram, discord = chat("7001", platform="telegram"), chat("8001", platform="discord")
    await telegram.send("/start")
    clock.advance(days=8)
    await telegram.send("/link")
    code = re.search(r"link code: ([0-9A-Z]{8})", telegram.text)
    assert code is not None, telegram.text
    await discord.send(f"/link {code.group(1)}")
    assert "your accounts are linked" in discord.text
    await sign_in(client, chat("staffer"))
    platforms = (await (await client.get("/console/csv/platforms.csv")).text()).splitlines()
    # Running totals by week ending (Monday 2 March, then Tuesday 10 March): Console (the staffer signing in),
    # Discord, Telegram.
    assert platforms == [
        "Week ending,Console,Discord,Telegram",
        '"Mar 8, 2026",0,0,1',
        '"Mar 15, 2026",1,1,1',
    ]


async def test_create_a_workshop_set_its_date_and_the_registered_are_told(
    client: Client, chat: MakeChat, app: App
) -> None:
    csrf = await sign_in(client, chat("staffer"))
    form = {"csrf": csrf, "city": "Milan", "zone": "Europe/Rome", "start": "tba", "capacity": "2", "duration": "120"}
    response = await client.post("/console/workshops/new", data=form, allow_redirects=False)
    assert response.status == 303
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        workshop = (await uow.session.scalars(select(Workshop).where(Workshop.slug.is_(None)))).one()
    assert response.headers["Location"] == f"/console/workshops/{workshop.id}?done=created"
    maria = chat("maria")
    await maria.send("/name Maria Rossi")
    await maria.press_action(act("ws.join", workshop.id, "1999"))
    assert await registrations(app, workshop.id) == [("maria", "preregistered", None)]

    bad = await client.post(f"/console/workshops/{workshop.id}/date", data={"csrf": csrf, "start": "someday"})
    assert bad.status == 400
    assert await registrations(app, workshop.id) == [("maria", "preregistered", None)]

    done = await client.post(f"/console/workshops/{workshop.id}/date", data={"csrf": csrf, "start": "2026-05-10 10:00"})
    assert done.status == 200
    assert "The date is set" in await done.text()
    assert await registrations(app, workshop.id) == [("maria", "confirmed", None)]
    told = [(who, kind) for who, kind, _text in await deliveries(app)]
    assert told == [("maria", "workshop.date_confirmed")]

    page = await (await client.get(f"/console/workshops/{workshop.id}")).text()
    assert "Maria Rossi" in page and "<svg" in page
    export = (await (await client.get(f"/console/workshops/{workshop.id}/export.csv")).text()).splitlines()
    assert export[0].endswith("birth_year,under_35")
    assert export[1].split(",")[5:9] == ["Maria Rossi", "maria", "confirmed", ""]
    assert export[1].endswith(",1999,under")

    maria_id = (await user_row(app, "maria")).id
    attended = await client.post(f"/console/workshops/{workshop.id}/attend", data={"csrf": csrf, "user": str(maria_id)})
    assert attended.status == 200
    assert (await registrations(app, workshop.id))[0][2] is not None

    confirm = await client.get(f"/console/workshops/{workshop.id}/confirm/cancel")
    assert "cannot be undone" in await confirm.text()
    await client.post(f"/console/workshops/{workshop.id}/cancel", data={"csrf": csrf})
    async with app.storage.unit_of_work() as uow:
        assert (await uow.session.get_one(Workshop, workshop.id)).status == "cancelled"
    target = f"workshop:{workshop.id}"
    assert [a for a in await audit(app) if a[1] != "sign-in"] == [
        ("console:staffer", "workshop.create", "workshop"),
        ("console:staffer", "workshop.set-date", target),
        ("console:staffer", "workshop.attended", target),
        ("console:staffer", "workshop.cancel", target),
    ]


async def test_broadcast_warns_counts_and_schedules(client: Client, chat: MakeChat, app: App) -> None:
    await chat("alice").send("/start")
    csrf = await sign_in(client, chat("staffer"))
    count = await (await client.get("/console/broadcasts/count")).json()
    assert count["count"] == 2
    nowhere = await (await client.get("/console/broadcasts/count?city=Atlantis&registration=registered")).json()
    assert nowhere["count"] == 0
    assert "reach no one" in nowhere["html"] and "Atlantis" in nowhere["html"]
    form = {"csrf": csrf, "city": "Atlantis", "registration": "registered", "text_en": "Hello", "step": "send"}
    warned = await client.post("/console/broadcasts/new", data=form)
    assert warned.status == 200
    assert "tick the box" in await warned.text()
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        assert list(await uow.session.scalars(select(Broadcast))) == []
    form = {"csrf": csrf, "lang": "", "text_en": "Hello <all>", "text_it": "Ciao", "step": "preview"}
    preview = await (await client.post("/console/broadcasts/new", data=form)).text()
    assert "Hello &lt;all&gt;" in preview and "Exactly 2 recipients" in preview
    sent = await client.post("/console/broadcasts/new", data={**form, "step": "send"}, allow_redirects=False)
    assert sent.status == 303
    async with app.storage.unit_of_work() as uow:
        row = (await uow.session.scalars(select(Broadcast))).one()
    assert (row.status, row.texts, row.audience) == ("scheduled", {"en": "Hello <all>", "it": "Ciao"}, {})
    assert sent.headers["Location"] == f"/console/broadcasts/{row.id}"
    report = await (await client.get(f"/console/broadcasts/{row.id}/progress")).json()
    assert (report["status"], report["done"]) == ("scheduled", 0)
    assert ("console:staffer", "broadcast.schedule", f"broadcast:{row.id}") in await audit(app)


async def test_answer_a_question_in_place(client: Client, chat: MakeChat, app: App) -> None:
    await chat("alice").send("/team Is there parking at the venue?")
    csrf = await sign_in(client, chat("staffer"))
    inbox = await (await client.get("/console/questions")).text()
    assert "Is there parking at the venue?" in inbox
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        question = (await uow.session.scalars(select(Question))).one()
    empty = await client.post(f"/console/questions/{question.id}/answer", data={"csrf": csrf, "answer": "  "})
    assert empty.status == 400
    response = await client.post(
        f"/console/questions/{question.id}/answer",
        data={"csrf": csrf, "answer": "Yes, behind the hall."},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/console/questions?reach=now"
    async with app.storage.unit_of_work() as uow:
        answered = await uow.session.get_one(Question, question.id)
        assert (answered.answer, answered.answered_by) == ("Yes, behind the hall.", "console:staffer")
    assert [kind for who, kind, _t in await deliveries(app) if who == "alice"][-1] == "question.answer"


async def test_alike_waiting_questions_are_grouped(client: Client, chat: MakeChat) -> None:
    await chat("alice").send("/team Is there parking at the venue?")
    await chat("bob").send("/team is there parking at the venue")
    await chat("carol").send("/team Who signs the certificate?")
    await sign_in(client, chat("staffer"))
    page = await (await client.get("/console/questions")).text()
    grouped = page.split("Asked most often")[1].split("Answered recently")[0]
    assert "2 times" in grouped and "parking" in grouped and "certificate" not in grouped


@pytest.fixture
async def own_content_app(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[App]:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    application = await build_app(make_settings(tmp_path, content_dir=content))
    application.dispatcher.clock = clock
    try:
        yield application
    finally:
        await application.close()


async def test_save_an_answer_as_faq(own_content_app: App) -> None:
    from tests.helpers import ChatDriver

    app = own_content_app
    async with TestClient(TestServer(build_web_app(app))) as client:
        await ChatDriver(app, user_id="alice").send("/team Can I bring a friend?")
        csrf = await sign_in(client, ChatDriver(app, user_id="staffer"))
        assert app.storage is not None
        async with app.storage.unit_of_work() as uow:
            question = (await uow.session.scalars(select(Question))).one()
        await client.post(f"/console/questions/{question.id}/answer", data={"csrf": csrf, "answer": "Yes."})
        saved = await client.post(f"/console/questions/{question.id}/faq", data={"csrf": csrf})
        assert f"staff-{question.id}" in await saved.text()
        async with app.storage.unit_of_work() as uow:
            assert (await uow.session.get_one(Question, question.id)).faq_id == f"staff-{question.id}"


async def test_participant_search_revoke_export_delete(client: Client, chat: MakeChat, app: App) -> None:
    await chat("maria").send("/name Maria Rossi")
    maria = await user_row(app, "maria")
    assert app.storage is not None
    from storage.certificates import issue

    async with app.storage.unit_of_work() as uow:
        record = await issue(
            uow.session,
            user_id=maria.id,
            kind="course",
            workshop_id=None,
            name="Maria Rossi",
            now=app.dispatcher.clock(),
            secret=app.settings.effective_secret(),
        )
        code = record.code
        await uow.commit()
    csrf = await sign_in(client, chat("staffer"))
    found = await (await client.get("/console/participants?q=rossi")).text()
    assert f"/console/participants/{maria.id}" in found
    assert "Nobody matches" in await (await client.get("/console/participants?q=nobody-here")).text()
    # By the id of one of their accounts.
    await chat("555123", platform="telegram", display_name="Zed").send("/start")
    zed = await user_row(app, "555123")
    by_account = await (await client.get("/console/participants?q=555123")).text()
    assert f"/console/participants/{zed.id}" in by_account
    page = await (await client.get(f"/console/participants/{maria.id}")).text()
    assert "Maria Rossi" in page
    await client.post(f"/console/participants/{maria.id}/revoke", data={"csrf": csrf, "code": code})
    async with app.storage.unit_of_work() as uow:
        assert (await uow.session.scalars(select(Certificate))).one().revoked_at is not None
    data = await (await client.get(f"/console/participants/{maria.id}/export.json")).json()
    assert (data["user"]["id"], data["user"]["name"]) == (maria.id, "Maria Rossi")
    assert "cannot be undone" in await (await client.get(f"/console/participants/{maria.id}/delete")).text()
    await client.post(f"/console/participants/{maria.id}/delete", data={"csrf": csrf})
    async with app.storage.unit_of_work() as uow:
        gone = await uow.session.get_one(User, maria.id)
        assert (gone.deleted_at is not None, gone.full_name) == (True, None)
    actions = [a[1] for a in await audit(app)]
    assert actions == ["sign-in", "record.revoke", "person.export", "person.delete"]
