"""Linking two accounts into one participant, the data export and deleting one's data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.core.actions import act
from storage.models import (
    Account,
    Certificate,
    LectureProgress,
    LinkCode,
    Registration,
    StudyReminder,
    User,
    Workshop,
)
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver, user_id_of


def _code(text: str) -> str:
    match = re.search(r"link code: ([0-9A-Z]{8})", text)
    assert match, text
    return match.group(1)


async def _workshops(app: App, count: int) -> list[int]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = [
            Workshop(
                city=f"City{i}",
                title=f"Workshop {i}",
                timezone="Europe/Rome",
                capacity=10,
                checkin_code=f"C{i}",
                starts_at=datetime(2026, 6, 1 + i, 8, tzinfo=UTC),
            )
            for i in range(count)
        ]
        uow.session.add_all(rows)
        await uow.session.flush()
        result = [w.id for w in rows]
        await uow.commit()
        return result


async def _register(app: App, user_id: int, workshop_id: int, status: str, day: int, attended: bool = False) -> None:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        uow.session.add(
            Registration(
                workshop_id=workshop_id,
                user_id=user_id,
                status=status,
                registered_at=datetime(2026, 2, day, tzinfo=UTC),
                attended_at=datetime(2026, 6, 1, 9, tzinfo=UTC) if attended else None,
            )
        )
        await uow.commit()


async def test_linking_merges_overlapping_progress_registrations_and_records(
    chat: Callable[..., ChatDriver], app: App
) -> None:
    tg = chat("anna", platform="telegram")
    dc = chat("anna#1", platform="discord")
    for key in ("1.1", "1.2"):
        await tg.send(f"/done {key}")
    for key in ("1.2", "2.1"):
        await dc.send(f"/done {key}")
    await dc.send("/name Anna Karenina")
    keep = await user_id_of(app, "anna", "telegram")
    drop = await user_id_of(app, "anna#1", "discord")
    w_both, w_tg_only, w_dc_only, w_both_later = await _workshops(app, 4)
    # Both registered for w_both: the Discord side signed up earlier and is confirmed -> that place is kept.
    await _register(app, keep, w_both, "waitlisted", day=5)
    await _register(app, drop, w_both, "confirmed", day=3, attended=True)
    await _register(app, keep, w_tg_only, "confirmed", day=1)
    await _register(app, drop, w_dc_only, "waitlisted", day=2)
    # Both confirmed: the earlier registration (Telegram's) wins.
    await _register(app, keep, w_both_later, "confirmed", day=4)
    await _register(app, drop, w_both_later, "confirmed", day=6)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        uow.session.add(Certificate(user_id=drop, kind="course", code="X" * 16, name="Anna Karenina"))
        await uow.commit()

    await tg.send("/link")
    code = _code(tg.text)
    await dc.send(f"/link {code}")
    assert "your accounts are linked" in dc.text
    assert "Brought over: 1 lecture and 3 workshop registrations." in dc.text

    async with app.storage.unit_of_work() as uow:
        s = uow.session
        assert set(await s.scalars(select(LectureProgress.lecture_key).where(LectureProgress.user_id == keep))) == {
            "1.1",
            "1.2",
            "2.1",
        }
        regs = {r.workshop_id: r for r in await s.scalars(select(Registration).where(Registration.user_id == keep))}
        assert set(regs) == {w_both, w_tg_only, w_dc_only, w_both_later}
        assert (regs[w_both].status, regs[w_both].registered_at.day) == ("confirmed", 3)
        assert regs[w_both].attended_at is not None
        assert (regs[w_both_later].status, regs[w_both_later].registered_at.day) == ("confirmed", 4)
        assert regs[w_dc_only].status == "waitlisted"
        leftovers = list(await s.scalars(select(Registration).where(Registration.user_id == drop)))
        assert sorted((r.workshop_id, r.status) for r in leftovers) == [
            (w_both, "cancelled"),
            (w_both_later, "cancelled"),
        ]
        assert [c.user_id for c in await s.scalars(select(Certificate))] == [keep]
        accounts = {(a.platform, a.user_id) for a in await s.scalars(select(Account))}
        assert accounts == {("telegram", keep), ("discord", keep)}
        kept_user = await s.get_one(User, keep)
        dropped = await s.get_one(User, drop)
        assert kept_user.full_name == "Anna Karenina" and kept_user.deleted_at is None
        assert dropped.deleted_at is not None and dropped.full_name is None

    # Both doors now lead to the same participant.
    await dc.send("/progress")
    assert "Overall: 3 of 24 lectures" in dc.text
    # The code was used: a second use is refused and changes nothing.
    other = chat("someone")
    await other.send("/start")
    await other.send(f"/link {code}")
    assert "already used" in other.text
    assert await user_id_of(app, "someone") != keep


async def test_link_codes_expire_and_bad_ones_are_refused(
    chat: Callable[..., ChatDriver], app: App, clock: FrozenClock
) -> None:
    alice = chat("alice")
    bob = chat("bob", platform="telegram")
    await bob.send("/start")
    await alice.send("/link")
    code = _code(alice.text)
    await alice.send(f"/link {code}")
    assert "belongs to this account already" in alice.text
    for garbage in ["12345", "ABCDEFGH", "!!!!!!!!", code + "0"]:
        await bob.send(f"/link {garbage}")
        assert "not a valid link code" in bob.text, garbage
    clock.advance(minutes=10, seconds=1)
    await bob.send(f"/link {code}")
    assert "has expired" in bob.text
    assert await user_id_of(app, "alice") != await user_id_of(app, "bob", "telegram")
    # A new code replaces the old one, and works inside its 10 minutes.
    await alice.send("/link")
    fresh = _code(alice.text)
    clock.advance(minutes=9)
    await bob.send(f"/link {fresh.lower()}")
    assert "your accounts are linked" in bob.text
    assert await user_id_of(app, "alice") == await user_id_of(app, "bob", "telegram")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        rows = list(await uow.session.scalars(select(LinkCode)))
        assert len(rows) == 1 and rows[0].used_at is not None


async def test_mydata_exports_everything(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/name Alice Liddell")
    await alice.send("/done 3.2")
    user_id = await user_id_of(app, "alice")
    [workshop_id] = await _workshops(app, 1)
    await _register(app, user_id, workshop_id, "confirmed", day=2, attended=True)
    async with app.storage.unit_of_work() as uow:  # type: ignore[union-attr]
        (await uow.session.get_one(User, user_id)).birth_year = 2001
        await uow.commit()
    await alice.send("/certificate")
    await alice.send("/remind mon,thu 19:00")
    await alice.send("/team Is there parking at the venue?")
    await alice.send("/mydata")
    [reply] = alice.last
    assert reply.personal
    [attachment] = reply.files
    assert (attachment.filename, attachment.mime) == ("wego-my-data.json", "application/json")
    data = json.loads(attachment.data)
    assert set(data) == {
        "user",
        "accounts",
        "lecture_progress",
        "registrations",
        "certificates",
        "deliveries",
        "questions",
        "study_reminders",
        "notifications",
        "exported_at",
    }
    assert data["user"]["name"] == "Alice Liddell" and data["user"]["birth_year"] == 2001
    assert [(a["platform"], a["platform_user_id"]) for a in data["accounts"]] == [("console", "alice")]
    assert [p["lecture"] for p in data["lecture_progress"]] == ["3.2"]
    [registration] = data["registrations"]
    assert registration["workshop"]["title"] == "Workshop 0" and registration["status"] == "confirmed"
    assert registration["attended_at"] == "2026-06-01T09:00:00+00:00"
    [record] = data["certificates"]
    assert record["kind"] == "workshop" and record["name"] == "Alice Liddell"
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", record["code"])
    assert data["deliveries"] == []
    assert [(q["text"], q["answer"]) for q in data["questions"]] == [("Is there parking at the venue?", None)]
    assert data["study_reminders"] == [{"weekdays": "1,4", "time": "19:00", "paused": False}]
    assert data["notifications"] == {"workshop": True, "study": True, "nudge": True}


async def test_deleteme_deletes_personal_data_and_records_stop_verifying(
    chat: Callable[..., ChatDriver], app: App, clock: FrozenClock
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web import build_web_app

    alice = chat("alice")
    await alice.send("/name Alice Liddell")
    for lecture in app.content.all_lectures():
        await alice.send(f"/done {lecture.key}")
    code = re.search(r"verify/([0-9A-Z-]{19})", alice.text)
    assert code, alice.text
    user_id = await user_id_of(app, "alice")
    w1, w2 = await _workshops(app, 2)
    await _register(app, user_id, w1, "confirmed", day=1)
    await _register(app, user_id, w2, "waitlisted", day=1)
    await alice.send("/remind mon 19:00")
    async with TestClient(TestServer(build_web_app(app))) as client:
        assert (await client.get(f"/verify/{code.group(1)}")).status == 200
        await alice.send("/deleteme")
        assert "Delete your data?" in alice.text
        # An old confirm button (over 10 minutes) and a forged one delete nothing.
        await alice.press_action(act("privacy.delete", int(clock.now.timestamp()) - 601))
        assert "That confirmation has expired" in alice.text
        await alice.press_action(act("privacy.delete", "abc"))
        assert "That confirmation has expired" in alice.text
        assert (await client.get(f"/verify/{code.group(1)}")).status == 200
        await alice.send("/deleteme")
        await alice.press("Yes, delete my data")
        assert "Your personal data has been deleted." in alice.text
        assert "Your workshop registrations were cancelled." in alice.text
        page = await client.get(f"/verify/{code.group(1)}")
        assert page.status == 404
        assert "Alice" not in await page.text()
    async with app.storage.unit_of_work() as uow:  # type: ignore[union-attr]
        s = uow.session
        user = await s.get_one(User, user_id)
        assert (user.full_name, user.birth_year, user.display_name) == (None, None, "")
        assert user.deleted_at == clock.now
        assert list(await s.scalars(select(Account).where(Account.user_id == user_id))) == []
        assert list(await s.scalars(select(LectureProgress).where(LectureProgress.user_id == user_id))) == []
        assert list(await s.scalars(select(StudyReminder).where(StudyReminder.user_id == user_id))) == []
        statuses = [r.status for r in await s.scalars(select(Registration).where(Registration.user_id == user_id))]
        assert statuses == ["cancelled", "cancelled"]
        [record] = list(await s.scalars(select(Certificate).where(Certificate.user_id == user_id)))
        assert record.name == ""
    # Writing again starts a new, empty participant.
    await alice.send("/progress")
    assert "Overall: 0 of 24 lectures" in alice.text
    assert await user_id_of(app, "alice") != user_id


async def test_linking_moves_questions_reminders_and_keeps_every_opt_out(
    chat: Callable[..., ChatDriver], app: App, clock: FrozenClock
) -> None:
    from storage.linking import merge_users
    from storage.models import NotificationPrefs, Question, SentReminder, StudyReminder

    await chat("keeper").send("/start")
    await chat("dropped").send("/start")
    keep, drop = await user_id_of(app, "keeper"), await user_id_of(app, "dropped")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        s = uow.session
        s.add(Question(user_id=drop, text="Parking?", language="en", platform="console", asked_at=clock.now))
        s.add(StudyReminder(user_id=drop, weekdays="1", at_local="19:00", next_due_at=clock.now))
        s.add_all(
            [
                SentReminder(kind="workshop", user_id=keep, ref_id=1, slot="1d", outcome="sent"),
                SentReminder(kind="workshop", user_id=drop, ref_id=1, slot="1d", outcome="sent"),
                SentReminder(kind="workshop", user_id=drop, ref_id=1, slot="2h", outcome="sent"),
            ]
        )
        s.add_all([NotificationPrefs(user_id=keep, nudge=False), NotificationPrefs(user_id=drop, study=False)])
        await uow.commit()
    async with app.storage.unit_of_work() as uow:
        await merge_users(uow.session, keep, drop, clock.now)
        await uow.commit()
    async with app.storage.unit_of_work() as uow:
        s = uow.session
        assert [q.user_id for q in await s.scalars(select(Question))] == [keep]
        assert [r.user_id for r in await s.scalars(select(StudyReminder))] == [keep]
        slots = sorted((r.user_id, r.slot) for r in await s.scalars(select(SentReminder)))
        assert slots == [(keep, "1d"), (keep, "2h")]
        prefs = await s.get_one(NotificationPrefs, keep)
        assert (prefs.workshop, prefs.study, prefs.nudge) == (True, False, False)
        assert await s.get(NotificationPrefs, drop) is None


async def test_linking_never_supplies_a_year_of_birth_to_someone_already_checked_in(
    chat: Callable[..., ChatDriver], app: App
) -> None:
    """Born when? Decided before the check-in, through /mysignups only: a linked account cannot add it later."""
    tg = chat("anna", platform="telegram")
    dc = chat("anna#1", platform="discord")
    await tg.send("/start")
    await dc.send("/start")
    keep = await user_id_of(app, "anna", "telegram")
    drop = await user_id_of(app, "anna#1", "discord")
    [attended] = await _workshops(app, 1)
    await _register(app, keep, attended, "confirmed", day=1, attended=True)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        (await uow.session.get_one(User, drop)).birth_year = 2000
        await uow.commit()

    await tg.send("/link")
    await dc.send(f"/link {_code(tg.text)}")
    assert "your accounts are linked" in dc.text
    async with app.storage.unit_of_work() as uow:
        assert (await uow.session.get_one(User, keep)).birth_year is None


async def test_linking_brings_the_year_of_birth_along_while_nothing_rests_on_it(
    chat: Callable[..., ChatDriver], app: App
) -> None:
    tg = chat("anna", platform="telegram")
    dc = chat("anna#1", platform="discord")
    await tg.send("/start")
    await dc.send("/start")
    keep = await user_id_of(app, "anna", "telegram")
    drop = await user_id_of(app, "anna#1", "discord")
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        (await uow.session.get_one(User, drop)).birth_year = 2000
        await uow.commit()

    await tg.send("/link")
    await dc.send(f"/link {_code(tg.text)}")
    async with app.storage.unit_of_work() as uow:
        assert (await uow.session.get_one(User, keep)).birth_year == 2000
