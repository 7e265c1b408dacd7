"""A record keeps the name it was issued with: a new /name makes a new record, the old one verifies as replaced;
names that show nothing are refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import App
from bot.certificates import codes
from bot.certificates.rules import InvalidName, clean_name
from bot.cli import main
from bot.settings import get_settings
from bot.web import build_web_app
from storage import certificates as store
from storage.models import Certificate, User
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver, user_id_of


@pytest.fixture
async def client(app: App) -> AsyncIterator[TestClient[object, object]]:
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


async def _records(app: App, name: str) -> list[Certificate]:
    user_id = await user_id_of(app, name)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        query = select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.id)
        return list(await uow.session.scalars(query))


async def _verify(app: App, code: str) -> store.Verification:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        return await store.verify(uow.session, code, app.settings.effective_secret())


async def _completed(app: App, alice: ChatDriver) -> None:
    for lecture in app.content.all_lectures():
        await alice.send(f"/done {lecture.key}")


async def test_a_new_name_makes_a_new_record_and_the_old_code_keeps_its_name(
    chat: Callable[..., ChatDriver],
    app: App,
    clock: FrozenClock,
    client: TestClient[object, object],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alice = chat("alice")
    await alice.send("/name Maria Rossi")
    await _completed(app, alice)
    [first] = await _records(app, "alice")
    assert first.code is not None and first.name == "Maria Rossi"

    clock.advance(days=30)
    await alice.send("/name Anna Bianchi")
    old, new = await _records(app, "alice")
    assert (old.id, old.name, old.superseded_by_id, old.superseded_at) == (
        first.id,
        "Maria Rossi",
        new.id,
        clock.now,
    )
    assert (new.kind, new.name, new.issued_at, new.superseded_at, new.revoked_at) == (
        "course",
        "Anna Bianchi",
        clock.now,
        None,
        None,
    )
    assert new.code is not None and new.code != old.code
    assert alice.text.splitlines()[:2] == [
        "Your records will show the name: Anna Bianchi",
        "Your 1 record was issued again with this name; the earlier code still shows the name it was issued "
        "with, marked as replaced.",
    ]
    assert codes.group(new.code) in alice.text

    before = await _verify(app, first.code)
    assert (before.status, before.name, before.superseded_at) == ("superseded", "Maria Rossi", clock.now)
    after = await _verify(app, new.code)
    assert (after.status, after.name) == ("valid", "Anna Bianchi")
    # /certificate shows the current record, and makes no third one.
    await alice.send("/certificate")
    assert codes.group(new.code) in alice.text and codes.group(first.code) not in alice.text
    assert len(await _records(app, "alice")) == 2
    # The same name again changes nothing.
    await alice.send("/name  Anna   Bianchi ")
    assert alice.text.splitlines() == ["Your records will show the name: Anna Bianchi"]
    assert len(await _records(app, "alice")) == 2

    # The page, in the visitor's language: the old name, and that it was replaced.
    response = await client.get(f"/verify/{codes.group(first.code)}?lang=it")
    assert response.status == 410
    page = await response.text()
    assert "<dd>Maria Rossi</dd>" in page and "Anna Bianchi" not in page
    assert "Sostituito da un attestato più recente" in page
    assert "<dd>Sostituito il 1 aprile 2026 da un attestato più recente con un nome cambiato</dd>" in page
    current = await client.get(f"/verify/{new.code}")
    assert current.status == 200 and "<dd>Anna Bianchi</dd>" in await current.text()

    monkeypatch.setenv("DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-of-at-least-32-bytes")
    get_settings.cache_clear()
    try:
        status = await asyncio.to_thread(main, ["verify", first.code])
        out = capsys.readouterr().out.strip()
    finally:
        get_settings.cache_clear()
    assert (status, out) == (
        1,
        f"SUPERSEDED: record {codes.group(first.code)} (Maria Rossi - course completion, issued 2026-03-02) "
        "was replaced by a newer record on 2026-04-01",
    )


async def test_a_revoked_record_stays_revoked_under_a_new_name(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/name Maria Rossi")
    await _completed(app, alice)
    [record] = await _records(app, "alice")
    assert record.code is not None
    await chat("staffer").send(f"/revoke {record.code}")
    await alice.send("/name Anna Bianchi")
    assert alice.text.splitlines() == ["Your records will show the name: Anna Bianchi"]
    [still] = await _records(app, "alice")
    assert (still.name, still.superseded_at, still.revoked_at is not None) == ("Maria Rossi", None, True)
    assert (await _verify(app, record.code)).status == "revoked"
    await alice.send("/certificate")
    assert "was revoked by the program staff" in alice.text
    assert len(await _records(app, "alice")) == 1


INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060",  # zero-width (non-)joiners, word joiner
    "\ufeff",  # byte order mark
    "\u3164\u3164",  # Hangul filler
    "\u115f",  # Hangul choseong filler
    "\u2800\u2800",  # Braille blank
    "\u0301\u0308",  # combining marks alone
    "\u00a0\u2003\u3000",  # no-break, em and ideographic spaces
    "\u200e\u200f",  # left-to-right and right-to-left marks
    "...",
]


@pytest.mark.parametrize("name", INVISIBLE)
def test_names_of_nothing_visible_are_refused(name: str) -> None:
    with pytest.raises(InvalidName) as refused:
        clean_name(name)
    assert refused.value.reason == "invisible"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Maria\u202eissoR", "control"),
        ("\u2066Maria\u2069", "control"),
        ("Maria\x00", "control"),
        ("Maria\ue000", "control"),
        ("Maria\nRossi", "lines"),
        ("Maria\u2028Rossi", "lines"),
        ("x" * 101, "too_long"),
        ("Ma" + "\u0301" * 6 + "ria", "marks"),
    ],
)
def test_names_refused_for_a_reason(name: str, reason: str) -> None:
    with pytest.raises(InvalidName) as refused:
        clean_name(name)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Nguye\u0302\u0303n Va\u0306n A", "Nguyễn Văn A"),  # decomposed, kept composed
        ("क्षत्रिय", "क्षत्रिय"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # a joiner between letters is part of the name
        ("김민수", "김민수"),
        ("O'Brien-Smith Jr.", "O'Brien-Smith Jr."),
        ("x" * 100, "x" * 100),
    ],
)
def test_real_names_are_kept(typed: str, kept: str) -> None:
    assert clean_name(typed) == kept


async def test_the_chat_refuses_invisible_names_and_changes_nothing(chat: Callable[..., ChatDriver], app: App) -> None:
    alice = chat("alice")
    await alice.send("/name Maria Rossi")
    await _completed(app, alice)
    cases = {
        "\u200b\u200b": "A name needs at least one visible letter: this one has only spaces, symbols or invisible "
        "characters. Nothing was changed.",
        "\u3164": "A name needs at least one visible letter: this one has only spaces, symbols or invisible "
        "characters. Nothing was changed.",
        "Evil\u202eisoR": "A name cannot contain control characters or hidden text-direction characters. "
        "Nothing was changed.",
        "x" * 101: "A name must be 1 to 100 characters on one line. Nothing was changed.",
    }
    for name, refusal in cases.items():
        await alice.send(f"/name {name}")
        assert alice.text == refusal, repr(name)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        user = await uow.session.get_one(User, await user_id_of(app, "alice"))
        assert user.full_name == "Maria Rossi"
    assert [(r.name, r.superseded_at) for r in await _records(app, "alice")] == [("Maria Rossi", None)]
