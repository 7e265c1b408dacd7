from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import App
from bot.certificates import codes
from bot.certificates.rules import AgeRule, InvalidName, age_rule, clean_name
from storage.models import Certificate, Registration, User, Workshop
from tests.helpers import ChatDriver, user_id_of

SECRET = b"test-secret-key"


# --- codes -------------------------------------------------------------------------------------------------


def test_code_shape_and_round_trip() -> None:
    code = codes.sign(42, SECRET)
    assert len(code) == 16 and set(code) <= set(codes.ALPHABET)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", codes.group(code))
    assert codes.verify(code, 42, SECRET)
    assert codes.verify(codes.group(code).lower(), 42, SECRET)
    assert not codes.verify(code, 43, SECRET)
    assert not codes.verify(code, 42, b"another secret")
    assert codes.sign(1, SECRET) != codes.sign(2, SECRET)


def test_every_single_character_change_is_rejected() -> None:
    code = codes.sign(7, SECRET)
    changed = 0
    for index, original in enumerate(code):
        for symbol in codes.ALPHABET:
            if symbol == original:
                continue
            tampered = code[:index] + symbol + code[index + 1 :]
            assert not codes.verify(tampered, 7, SECRET), tampered
            changed += 1
    assert changed == 16 * 31


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ABCD",
        "0123456789ABCDEFG",
        "0123-4567-89AB-CDE",
        "0123-4567-89AB-CDEI",
        "0123456789ABCDEO",
        "ÄBCD" * 4,
        "0123456789ABCDE!",
        "<script>alert(1)",
        "0123456789abcdeu",
    ],
)
def test_wrong_length_or_alphabet_is_not_a_code(text: str) -> None:
    with pytest.raises(codes.CodeFormatError):
        codes.normalize(text)
    assert not codes.verify(text, 1, SECRET)


# --- rules -------------------------------------------------------------------------------------------------


def test_age_rule_edges() -> None:
    assert age_rule(2026, 1992, 35) is AgeRule.UNDER  # 34: under 35
    assert age_rule(2026, 1991, 35) is not AgeRule.UNDER  # 35: 34 or 35 on the day
    assert age_rule(2026, 2008, 35) is AgeRule.UNDER
    # "Under 35" from the years alone: a difference of 35 is 34 before the birthday and 35 after it.
    assert age_rule(2026, 1992, 35) is AgeRule.UNDER
    assert age_rule(2026, 1991, 35) is AgeRule.UNCLEAR
    assert age_rule(2026, 1990, 35) is AgeRule.NOT_UNDER


def test_names_are_validated() -> None:
    assert clean_name("  Maria   Rossi ") == "Maria Rossi"
    assert clean_name("محمد علي") == "محمد علي"
    assert clean_name("x" * 100) == "x" * 100
    for bad in ["", "   ", "x" * 101, "Maria\nRossi", "Maria\x07", "Evil\u202eisoR"]:
        with pytest.raises(InvalidName):
            clean_name(bad)


# --- eligibility through the chat ---------------------------------------------------------------------------


async def _attended(app: App, name: str, *, birth_year: int | None, checked_in: bool = True) -> int:
    user_id = await user_id_of(app, name)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        workshop = Workshop(
            city="Seoul",
            title="Young Urban Leadership: Perspectives in Dialogue",
            timezone="Asia/Seoul",
            capacity=30,
            checkin_code="SEOUL1",
            starts_at=datetime(2026, 9, 10, 1, 0, tzinfo=UTC),
        )
        uow.session.add(workshop)
        await uow.session.flush()
        uow.session.add(
            Registration(
                workshop_id=workshop.id,
                user_id=user_id,
                status="confirmed",
                registered_at=datetime(2026, 3, 1, tzinfo=UTC),
                attended_at=datetime(2026, 9, 10, 2, 0, tzinfo=UTC) if checked_in else None,
            )
        )
        user = await uow.session.get_one(User, user_id)
        user.birth_year = birth_year
        result = workshop.id
        await uow.commit()
        return result


async def _records(app: App, name: str) -> list[Certificate]:
    user_id = await user_id_of(app, name)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return list(await uow.session.scalars(select(Certificate).where(Certificate.user_id == user_id)))


async def test_workshop_certificate_at_34_qualifies(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/name Alice Liddell")
    workshop_id = await _attended(app, "alice", birth_year=1992)
    await alice.send("/certificate")
    assert "Checked in: Young Urban Leadership: Perspectives in Dialogue in Seoul." in alice.text
    assert "✅ You qualify: 2026 − 1992 = 34, at most 34." in alice.text
    assert "signed by the WeGO Secretary General and the Mayor of Seoul" in alice.text
    assert "Your verifiable record: http://127.0.0.1:8080/verify/" in alice.text
    [record] = await _records(app, "alice")
    assert (record.kind, record.workshop_id, record.name) == ("workshop", workshop_id, "Alice Liddell")
    assert record.code is not None and codes.group(record.code) in alice.text
    # Asking again shows the same record, not a new one.
    await alice.send("/certificate")
    assert len(await _records(app, "alice")) == 1


async def test_workshop_certificate_at_35_by_the_years_points_to_the_secretariat(
    chat: Callable[..., ChatDriver], app: App
) -> None:
    alice = chat("alice")
    await alice.send("/name Alice Liddell")
    await _attended(app, "alice", birth_year=1991)
    await alice.send("/certificate")
    assert (
        "Your year of birth alone cannot tell: 2026 − 1991 = 35, so on the day of the workshop you were 34 or 35, "
        "depending on your birthday. The certificate is for attendees under 35: please write to the Secretariat "
        "at secretariat@we-gov.org, who can check it with you."
    ) in alice.text
    assert "Not eligible" not in alice.text
    assert await _records(app, "alice") == []


async def test_workshop_certificate_at_36_does_not_qualify(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/name Alice Liddell")
    await _attended(app, "alice", birth_year=1990)
    await alice.send("/certificate")
    assert "Not eligible by the age rule: 2026 − 1990 = 36, more than 34." in alice.text
    assert "the workshop's year minus your year of birth is at most 34" in alice.text
    assert await _records(app, "alice") == []


async def test_workshop_certificate_missing_birth_year_or_check_in(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/start")
    await _attended(app, "alice", birth_year=None)
    await alice.send("/certificate")
    assert "Missing: your year of birth, which is asked at workshop sign-up; add it in /mysignups." in alice.text
    bob = chat("bob")
    await bob.send("/start")
    await _attended(app, "bob", birth_year=2000, checked_in=False)
    await bob.send("/certificate")
    assert "Not yet: you have not been checked in at a workshop." in bob.text
    # The steps come from content/program.yaml, in order.
    assert (
        "How to get it\n1. Check in at the workshop venue on the day, with /checkin and the code shown there.\n"
        "2. Give your year of birth (asked at sign-up, or added later in /mysignups): the certificate is for "
        "attendees under 35.\n3. Set the name for your record with /name followed by your full name.\n4. Then "
        "/certificate shows whether you qualify"
    ) in bob.text
    assert await _records(app, "alice") == [] and await _records(app, "bob") == []


async def test_course_certificate_lists_what_is_missing_then_issues(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    keys = [lecture.key for lecture in app.content.all_lectures()]
    for key in keys[:-2]:
        await alice.send(f"/done {key}")
    await alice.send("/certificate")
    assert "Not yet: 2 lectures left to mark as watched: 4.4, 4.5" in alice.text
    await alice.send("/done 4.4")
    await alice.send("/certificate")
    assert "Not yet: 1 lecture left to mark as watched: 4.5" in alice.text
    await alice.send("/done 4.5")
    assert "first set the name it should show: /name" in alice.text
    assert await _records(app, "alice") == []
    await alice.send("/name Alice <script>alert(1)</script>")
    assert alice.last[0].text == "Your records will show the name: <b>Alice &lt;script&gt;alert(1)&lt;/script&gt;</b>"
    await alice.send("/certificate")
    assert "✅ Every lecture is marked as watched." in alice.text
    assert (
        "Your course record: This assistant's course record lists the lectures you marked as watched here. It is "
        "not the official certificate, which needs the required coursework and the form at the end of the course."
    ) in alice.text
    [record] = await _records(app, "alice")
    assert record.kind == "course" and record.workshop_id is None
    await alice.send("/name Alice Liddell")
    assert "Your 1 record was issued again with this name" in alice.text
    # The first record keeps the name it was issued with; the new one shows the new name.
    records = await _records(app, "alice")
    assert [r.name for r in records] == ["Alice <script>alert(1)</script>", "Alice Liddell"]
    current = records[-1]
    # Unmarking a lecture later leaves the record as it was, and /certificate says so.
    await alice.send("/undo 2.3")
    await alice.send("/certificate")
    assert current.code is not None
    assert (
        "Not yet: 1 lecture left to mark as watched: 2.3\nMark them with /done or in /lectures.\n"
        f"Your course record {codes.group(current.code)} from March 2, 2026 stays valid: it records that on that "
        "day you had marked all 24 lectures as watched. Unmarking a lecture does not change it.\n"
        f"Check it here: http://127.0.0.1:8080/verify/{codes.group(current.code)}"
    ) in alice.text
    assert len(await _records(app, "alice")) == 2


async def test_bad_names_are_refused(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/name Alice")
    for bad in ["x" * 101, "Alice\nLiddell"]:
        await alice.send(f"/name {bad}")
        assert "A name must be 1 to 100 characters on one line" in alice.text
    async with app.storage.unit_of_work() as uow:  # type: ignore[union-attr]
        user = await uow.session.get_one(User, await user_id_of(app, "alice"))
        assert user.full_name == "Alice"


async def test_staff_revoke(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/name Alice")
    await _attended(app, "alice", birth_year=2000)
    await alice.send("/certificate")
    [record] = await _records(app, "alice")
    assert record.code is not None
    await alice.send(f"/revoke {record.code}")
    assert alice.text == "That is only for the program staff."
    staff = chat("staffer")
    await staff.send("/revoke NOT-A-CODE")
    assert "That is not a record code" in staff.text
    await staff.send("/revoke " + codes.sign(999, SECRET))
    assert "No record has that code" in staff.text
    await staff.send(f"/revoke {codes.group(record.code).lower()}")
    assert f"Record {codes.group(record.code)} is revoked since March 2, 2026" in staff.text
    [record] = await _records(app, "alice")
    assert record.revoked_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    await alice.send("/certificate")
    assert "was revoked by the program staff" in alice.text
    assert len(await _records(app, "alice")) == 1
