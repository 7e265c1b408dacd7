"""Study reminders across daylight saving, dedup, quiet hours, workshop reminders and nudges (frozen clock)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from scheduler import jobs
from storage.models import Account, Delivery, LectureProgress, Registration, StudyReminder, User, Workshop
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver, user_id_of

ROME = ZoneInfo("Europe/Rome")


async def deliveries(app: App, kind: str | None = None) -> list[Delivery]:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        query = select(Delivery).order_by(Delivery.id)
        if kind:
            query = query.where(Delivery.kind == kind)
        return list(await uow.session.scalars(query))


async def reminder(app: App) -> StudyReminder:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        row = await uow.session.scalar(select(StudyReminder))
        assert row is not None
        return row


async def test_weekly_19_rome_stays_19_local_across_both_dst_changes(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    alice = chat("alice")
    clock.now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    await alice.send("/timezone rome")
    assert "Europe/Rome" in alice.text
    await alice.send("/remind sun 19:00")
    assert "Sun" in alice.text
    assert app.storage is not None
    fired: list[datetime] = []
    for _ in range(3):
        due = (await reminder(app)).next_due_at
        assert due is not None
        clock.now = due
        assert await jobs.fire_study(app.storage, app.content, app.settings, (await reminder(app)).id, clock.now)
        fired.append(due)
    # 22 March is CET (UTC+1), 29 March the first CEST day (UTC+2).
    assert fired == [
        datetime(2026, 3, 22, 18, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 17, 0, tzinfo=UTC),
        datetime(2026, 4, 5, 17, 0, tzinfo=UTC),
    ]
    assert {moment.astimezone(ROME).strftime("%a %H:%M") for moment in fired} == {"Sun 19:00"}
    # And back in autumn: 25 October 2026 is the last CEST→CET change.
    clock.now = datetime(2026, 10, 12, 12, 0, tzinfo=UTC)
    await alice.send("/remind remove " + str((await reminder(app)).id))
    await alice.send("/remind sun 19:00")
    autumn = []
    for _ in range(2):
        row = await reminder(app)
        assert row.next_due_at is not None
        clock.now = row.next_due_at
        autumn.append(row.next_due_at)
        await jobs.fire_study(app.storage, app.content, app.settings, row.id, clock.now)
    assert autumn == [datetime(2026, 10, 18, 17, 0, tzinfo=UTC), datetime(2026, 10, 25, 18, 0, tzinfo=UTC)]
    texts = [d.text for d in await deliveries(app, "study")]
    assert len(texts) == 5
    assert "Next lecture: 1.1 “Global Context and Local Conditions of Sustainability”" in texts[0]
    assert 'href="https://www.cityresiliencetraining.com/"' in texts[0]


async def test_one_occurrence_fires_once_however_often_it_is_run(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    await chat("bob").send("/remind daily 10:00")
    row = await reminder(app)
    assert row.next_due_at is not None
    clock.now = row.next_due_at + timedelta(minutes=1)
    assert app.storage is not None
    results = await asyncio.gather(
        *(jobs.fire_study(app.storage, app.content, app.settings, row.id, clock.now) for _ in range(4))
    )
    assert sorted(results) == [False, False, False, True]
    assert len(await deliveries(app, "study")) == 1
    assert (await reminder(app)).next_due_at == row.next_due_at + timedelta(days=1)


async def test_missed_beyond_grace_is_skipped_not_sent_late(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    await chat("cy").send("/remind daily 10:00")
    row = await reminder(app)
    assert row.next_due_at is not None and app.storage is not None
    clock.now = row.next_due_at + timedelta(minutes=app.settings.reminder_grace_minutes + 1)
    assert not await jobs.fire_study(app.storage, app.content, app.settings, row.id, clock.now)
    assert await deliveries(app, "study") == []
    assert (await reminder(app)).next_due_at == row.next_due_at + timedelta(days=1)


async def test_quiet_hours_hold_a_nudge_until_morning_but_not_a_reminder_set_for_then(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    dee = chat("dee")
    await dee.send("/timezone Europe/Rome")
    await dee.send("/remind daily 23:15")
    row = await reminder(app)
    assert row.next_due_at is not None and app.storage is not None
    # 23:15 is what dee asked for: it goes at 23:15, quiet hours or not.
    clock.now = row.next_due_at
    await jobs.fire_study(app.storage, app.content, app.settings, row.id, clock.now)
    (sent,) = await deliveries(app, "study")
    assert sent.not_before == row.next_due_at
    assert sent.not_before.astimezone(ROME).strftime("%H:%M") == "23:15"
    # A nudge is the bot's own idea: one falling due at 23:15 waits for 08:00 the next morning.
    dee_id = await user_id_of(app, "dee")
    async with app.storage.unit_of_work() as uow:
        uow.session.add(LectureProgress(user_id=dee_id, lecture_key="1.1", completed_at=clock.now))
        await uow.commit()
    clock.advance(days=app.settings.nudge_after_days)
    assert await jobs.scan_nudges(app.storage, app.content, app.settings, clock.now) == 1
    (nudge,) = await deliveries(app, "nudge")
    local = nudge.not_before.astimezone(ROME)
    assert (local.date() - clock.now.astimezone(ROME).date()).days == 1
    assert local.strftime("%H:%M") == "08:00"


async def test_turned_off_and_paused_reminders_send_nothing(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    eve = chat("eve")
    await eve.send("/remind daily 10:00")
    await eve.send("/notifications")
    await eve.press("Turn off: Study reminders")
    assert "🚫 Study reminders" in eve.text
    row = await reminder(app)
    assert row.next_due_at is not None and app.storage is not None
    clock.now = row.next_due_at
    await jobs.fire_study(app.storage, app.content, app.settings, row.id, clock.now)
    await eve.send(f"/remind pause {row.id}")
    assert "(paused)" in eve.text
    clock.advance(days=1)
    await jobs.fire_study(app.storage, app.content, app.settings, row.id, clock.now)
    assert await deliveries(app, "study") == []
    mallory = chat("mallory")
    await mallory.send(f"/remind remove {row.id}")
    assert mallory.text == f"You have no study reminder #{row.id}."
    assert (await reminder(app)).id == row.id


async def add_workshop(app: App, starts: datetime, *, status: str = "scheduled") -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        workshop = Workshop(
            city="Milan",
            title="Smart & Green <Cities>",
            venue="Politecnico",
            starts_at=starts,
            timezone="Europe/Rome",
            capacity=30,
            status=status,
            checkin_code="X",
        )
        uow.session.add(workshop)
        await uow.session.flush()
        result = workshop.id
        await uow.commit()
        return result


async def register(app: App, name: str, workshop_id: int, at: datetime, status: str = "confirmed") -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        user = User(display_name=name, timezone="Asia/Seoul")
        uow.session.add(user)
        await uow.session.flush()
        uow.session.add(Account(user_id=user.id, platform="telegram", platform_user_id=name, chat_id=name))
        uow.session.add(Registration(workshop_id=workshop_id, user_id=user.id, status=status, registered_at=at))
        result = user.id
        await uow.commit()
        return result


async def test_workshop_reminders_once_per_slot_none_for_cancelled_none_after_start(
    app: App, clock: FrozenClock
) -> None:
    assert app.storage is not None
    starts = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)  # 10:00 in Milan, 17:00 in Seoul
    ws = await add_workshop(app, starts)
    early = datetime(2026, 4, 1, tzinfo=UTC)
    ann = await register(app, "ann", ws, early)
    await register(app, "bo", ws, early, status="cancelled")
    late = await register(app, "cal", ws, starts - timedelta(days=3))
    cancelled_ws = await add_workshop(app, starts, status="cancelled")
    await register(app, "dot", cancelled_ws, early)

    clock.now = starts - timedelta(days=7)
    assert await jobs.scan_workshops(app.storage, app.content, app.settings, clock.now) == 1
    assert await jobs.scan_workshops(app.storage, app.content, app.settings, clock.now + timedelta(hours=1)) == 0
    clock.now = starts - timedelta(hours=2)  # the bot was down at the 1-day mark: only the 2-hour one goes
    assert await jobs.scan_workshops(app.storage, app.content, app.settings, clock.now) == 2
    clock.now = starts + timedelta(minutes=1)
    assert await jobs.scan_workshops(app.storage, app.content, app.settings, clock.now) == 0
    rows = await deliveries(app, "workshop")
    assert [r.user_id for r in rows] == [ann, ann, late]
    assert "Smart &amp; Green &lt;Cities&gt;" in rows[0].text
    assert "Politecnico, Milan" in rows[0].text
    assert rows[0].text == (
        "📅 Reminder: <b>Smart &amp; Green &lt;Cities&gt;</b>\n"
        "When: Monday, April 20, 2026, 10:00\u202fAM (Europe/Rome, local time)\n"
        "Your time: Monday, April 20, 2026, 5:00\u202fPM (Asia/Seoul)\n"
        "Where: Politecnico, Milan"
    )


async def test_nudge_after_idle_days_at_most_once_per_period(app: App, clock: FrozenClock) -> None:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        user = User(display_name="fin")
        uow.session.add(user)
        await uow.session.flush()
        uow.session.add(Account(user_id=user.id, platform="telegram", platform_user_id="fin", chat_id="fin"))
        uow.session.add(LectureProgress(user_id=user.id, lecture_key="1.1", completed_at=clock.now))
        await uow.commit()
    clock.advance(days=app.settings.nudge_after_days - 1)
    assert await jobs.scan_nudges(app.storage, app.content, app.settings, clock.now) == 0
    clock.advance(days=1, hours=1)
    assert await jobs.scan_nudges(app.storage, app.content, app.settings, clock.now) == 1
    clock.advance(days=1)
    assert await jobs.scan_nudges(app.storage, app.content, app.settings, clock.now) == 0
    clock.advance(days=app.settings.nudge_after_days)
    assert await jobs.scan_nudges(app.storage, app.content, app.settings, clock.now) == 1
    (first, _second) = await deliveries(app, "nudge")
    assert "Next lecture: 1.2 “The Metropolitan Century”" in first.text


async def test_a_workshop_reminder_due_in_quiet_hours_waits_and_is_not_sent_after_a_cancel(
    app: App, clock: FrozenClock, chat: Callable[..., ChatDriver]
) -> None:
    from bot.services import signups
    from bot.services.seats import Notice
    from storage.registrations import registration_of
    from tests.workshop_helpers import make_workshop

    # The workshop starts at 07:00 in Rome: its one-day reminder falls due at 07:00, inside quiet hours.
    workshop_id = await make_workshop(app, clock.now, start="2026-04-20 07:00", capacity=5)
    for name in ("alice", "bob"):
        await chat(name).send("/timezone Europe/Rome")
    alice, bob = await user_id_of(app, "alice"), await user_id_of(app, "bob")
    assert app.storage is not None

    async def nobody(_notice: Notice) -> None:
        return None

    async with app.storage.unit_of_work() as uow:
        await signups.sign_up(uow, workshop_id, alice, clock.now, notify=nobody, offer_hours=48)
        await signups.sign_up(uow, workshop_id, bob, clock.now, notify=nobody, offer_hours=48)
    clock.now = datetime(2026, 4, 19, 7, 0, tzinfo=ROME).astimezone(UTC)
    assert await jobs.scan_workshops(app.storage, app.content, app.settings, clock.now) == 0
    assert await deliveries(app, "workshop") == []
    # alice cancels before the morning.
    async with app.storage.unit_of_work() as uow:
        registration = await registration_of(uow.session, workshop_id, alice)
        assert registration is not None
        await signups.cancel(uow, registration.id, alice, clock.now, notify=nobody, offer_hours=48)
    clock.now = datetime(2026, 4, 19, 8, 0, tzinfo=ROME).astimezone(UTC)
    assert await jobs.scan_workshops(app.storage, app.content, app.settings, clock.now) == 1
    [sent] = await deliveries(app, "workshop")
    assert (sent.user_id, sent.not_before) == (bob, clock.now)
