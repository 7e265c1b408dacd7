"""Every call the console makes into the program: the same functions the chat and the CLI use, one unit of work
each, and an audit row written in the same transaction as each change.

Kept in one module on purpose: when the use cases move to bot/services, only this file is re-pointed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, or_, select

from bot.app import App
from bot.certificates import codes
from bot.certificates.rules import AgeRule, age_rule
from bot.core.errors import UserError
from bot.core.replies import to_plain
from bot.core.text import parse_id
from bot.settings import LANGUAGES
from storage import console as store
from storage import stats
from storage import workshops as ws
from storage.broadcasts import MAX_TEXT, Audience, AudienceError, progress, recipient_ids
from storage.console import SESSION_TTL, Staffer
from storage.models import Broadcast, Certificate, Question, Registration, User, Workshop

__all__ = ["SESSION_TTL", "Refused", "Staffer"]


class Refused(Exception):
    """A refusal to show the staff member, already translated, in plain text."""


def _plain(error: UserError) -> Refused:
    return Refused(to_plain(str(error.message)))


def _storage(app: App) -> Any:
    if app.storage is None:
        raise RuntimeError("the console needs the database")
    return app.storage


def _now(app: App) -> datetime:
    return app.dispatcher.clock()


# ------------------------------------------------------------------------------------------------ sessions


async def live_link_language(app: App, token: str) -> str | None:
    async with _storage(app).unit_of_work() as uow:
        return await store.live_link_language(uow.session, token, _now(app))


async def redeem_link(app: App, token: str) -> tuple[str, int, Staffer] | None:
    now = _now(app)
    async with _storage(app).unit_of_work() as uow:
        opened = await store.redeem_link(uow.session, token, now)
        if opened is None:
            return None
        who = store.staffer_of(opened.row)
        await store.audit(uow.session, who, "sign-in", f"session:{opened.row.id}", now)
        return opened.token, opened.row.id, who


async def open_session(app: App, token: str) -> tuple[int, Staffer, str, str] | None:
    async with _storage(app).unit_of_work() as uow:
        row = await store.live_session(uow.session, token, _now(app))
        if row is None:
            return None
        return row.id, store.staffer_of(row), row.csrf_token, row.language


async def end_session(app: App, session_id: int, who: Staffer) -> None:
    now = _now(app)
    async with _storage(app).unit_of_work() as uow:
        row = await uow.session.get(store.ConsoleSession, session_id)
        if row is not None and row.ended_at is None:
            await store.end_session(uow.session, row, now)
            await store.audit(uow.session, who, "sign-out", f"session:{session_id}", now)


async def set_session_language(app: App, session_id: int, lang: str) -> None:
    async with _storage(app).unit_of_work() as uow:
        row = await uow.session.get(store.ConsoleSession, session_id)
        if row is not None:
            row.language = lang


# ------------------------------------------------------------------------------------------------ overview


@dataclass(frozen=True, slots=True)
class Overview:
    by_platform: list[stats.DayCount]
    by_language: list[stats.DayCount]
    funnel: stats.Funnel
    lectures: list[tuple[str, str, int]]
    cities: list[tuple[str, int, int, int, int]]
    broadcasts: list[stats.BroadcastRow]
    questions: stats.QuestionFigures


async def _read(app: App, query: Any) -> Any:
    async with _storage(app).unit_of_work() as uow:
        return await query(uow.session)


async def overview(app: App) -> Overview:
    """Every chart's figures, each query in its own short read on its own connection, all at once: the page
    waits for the slowest query rather than for their sum."""
    content = app.content
    parts = [(part.number, len(part.lectures)) for part in content.lectures.parts]
    lectures = len(content.all_lectures())
    limit = content.program.certificates.workshop_age_limit
    default, now = app.settings.default_language, _now(app)
    (by_platform, by_language, funnel, marked, per_city, sent, questions) = await asyncio.gather(
        _read(app, stats.joined_by_platform),
        _read(app, lambda s: stats.joined_by_language(s, default)),
        _read(app, lambda s: stats.funnel(s, parts, lectures)),
        _read(app, stats.lecture_completion),
        _read(app, stats.workshops_per_city),
        _read(app, stats.recent_broadcasts),
        _read(app, lambda s: stats.questions(s, now)),
    )
    cities = [
        (
            row.city,
            row.registered,
            row.waiting,
            row.attended,
            # The program's own age rule, applied to the years: only the certainly-under count as eligible.
            sum(n for (year, born), n in row.attended_years.items() if age_rule(year, born, limit) is AgeRule.UNDER),
        )
        for row in per_city
    ]
    return Overview(
        by_platform=by_platform,
        by_language=by_language,
        funnel=funnel,
        lectures=[(lec.key, lec.title, marked.get(lec.key, 0)) for lec in content.all_lectures()],
        cities=cities,
        broadcasts=sent,
        questions=questions,
    )


# ----------------------------------------------------------------------------------------------- workshops


@dataclass(frozen=True, slots=True)
class WorkshopRow:
    workshop: Workshop
    seats: ws.Seats
    status: ws.DisplayStatus


@dataclass(frozen=True, slots=True)
class Registrant:
    registration: Registration
    user: User
    record_name: str
    position: int | None
    # under | unclear | not_under | "" (no year of birth, or no date yet)
    age: str


async def workshops(app: App) -> list[WorkshopRow]:
    async with _storage(app).unit_of_work() as uow:
        rows = await ws.list_workshops(uow.session)
        seats = await ws.seat_counts(uow.session, rows)
        now = _now(app)
        return [WorkshopRow(w, seats[w.id], ws.display_status(w, seats[w.id], now)) for w in rows]


async def workshop(app: App, workshop_id: str) -> tuple[WorkshopRow, list[Registrant], str | None]:
    """A workshop, its registrants in order and today's check-in code (None when there is no session date)."""
    limit = app.content.program.certificates.workshop_age_limit
    async with _storage(app).unit_of_work() as uow:
        session = uow.session
        try:
            found = await ws.workshop_or_refuse(session, workshop_id)
        except UserError as error:
            raise _plain(error) from None
        seats = (await ws.seat_counts(session, [found]))[found.id]
        people = []
        for registration, user in await ws.registrants(session, found.id):
            position = (
                await ws.waitlist_position(session, registration)
                if registration.status in ("waitlisted", "preregistered")
                else None
            )
            rule = ""
            if user.birth_year and found.starts_at is not None:
                rule = age_rule(found.starts_at.year, user.birth_year, limit).value
            people.append(Registrant(registration, user, user.full_name or "", position, rule))
        row = WorkshopRow(found, seats, ws.display_status(found, seats, _now(app)))
        return row, people, ws.checkin_code_for(found)


async def _workshop_change(app: App, who: Staffer, verb: str, target: str, detail: dict[str, Any], run: Any) -> Any:
    from handlers.workshop_views import outbox_notifier

    now = _now(app)
    try:
        async with _storage(app).unit_of_work() as uow:
            notify = outbox_notifier(uow.session, app.settings, now)
            result = await run(uow.session, notify, now)
            await store.audit(uow.session, who, verb, target, now, **detail)
            return result
    except UserError as error:
        raise _plain(error) from None


def _fields(pairs: Sequence[tuple[str, str]]) -> ws.WorkshopFields:
    try:
        return ws.parse_fields([(key, value) for key, value in pairs if value.strip()])
    except UserError as error:
        raise _plain(error) from None


async def create_workshop(app: App, who: Staffer, pairs: Sequence[tuple[str, str]]) -> int:
    fields = _fields(pairs)
    if fields.title is None:
        fields.title = app.content.workshops.title

    async def run(session: Any, _notify: Any, now: datetime) -> int:
        created = await ws.create_workshop(session, fields, now)
        return created.id

    return int(await _workshop_change(app, who, "workshop.create", "workshop", dict(pairs), run))


async def edit_workshop(app: App, who: Staffer, workshop_id: str, pairs: Sequence[tuple[str, str]]) -> None:
    fields = _fields(pairs)

    async def run(session: Any, notify: Any, now: datetime) -> None:
        await ws.edit_workshop(
            session, workshop_id, fields, now, notify=notify, offer_hours=app.settings.waitlist_offer_hours
        )

    await _workshop_change(app, who, "workshop.edit", f"workshop:{workshop_id}", dict(pairs), run)


async def set_workshop_date(app: App, who: Staffer, workshop_id: str, start: str) -> None:
    async def run(session: Any, notify: Any, now: datetime) -> None:
        await ws.set_date(
            session, workshop_id, start, now, notify=notify, offer_hours=app.settings.waitlist_offer_hours
        )

    await _workshop_change(app, who, "workshop.set-date", f"workshop:{workshop_id}", {"start": start}, run)


async def set_workshop_open(app: App, who: Staffer, workshop_id: str, open_: bool) -> None:
    async def run(session: Any, _notify: Any, now: datetime) -> None:
        await ws.set_registration_open(session, workshop_id, open_, now)

    verb = "workshop.reopen" if open_ else "workshop.close"
    await _workshop_change(app, who, verb, f"workshop:{workshop_id}", {}, run)


async def cancel_workshop(app: App, who: Staffer, workshop_id: str) -> int:
    async def run(session: Any, notify: Any, now: datetime) -> int:
        return len(await ws.cancel_workshop(session, workshop_id, now, notify=notify))

    return int(await _workshop_change(app, who, "workshop.cancel", f"workshop:{workshop_id}", {}, run))


async def mark_attended(app: App, who: Staffer, workshop_id: str, user_id: int) -> None:
    async def run(session: Any, _notify: Any, now: datetime) -> None:
        found = await ws.workshop_or_refuse(session, workshop_id)
        await ws.mark_attended(session, found, user_id, now)

    await _workshop_change(app, who, "workshop.attended", f"workshop:{workshop_id}", {"user_id": user_id}, run)


# ---------------------------------------------------------------------------------------------- broadcasts


def audience_of(form: dict[str, str]) -> Audience:
    """The audience builder's fields read by the chat's own audience parser (an unknown part raises Refused)."""
    words = []
    for key in ("platform", "lang", "workshop", "city", "stage"):
        value = form.get(key, "").strip()
        if value:
            words.append(f"{key}={value.replace(' ', '_')}")
    if form.get("registration"):
        words.append(form["registration"])
    if form.get("urgent"):
        words.append("urgent")
    try:
        return Audience.parse(" ".join(words), LANGUAGES)
    except AudienceError as error:
        raise Refused(str(error)) from None


@dataclass(frozen=True, slots=True)
class AudienceCheck:
    count: int
    unknown_city: bool
    unknown_workshop: bool


async def check_audience(app: App, audience: Audience) -> AudienceCheck:
    async with _storage(app).unit_of_work() as uow:
        session = uow.session
        count = len(await recipient_ids(session, audience, app.content, app.settings.default_language))
        cities = {city.lower() for city in await session.scalars(select(Workshop.city))}
        unknown_workshop = (
            audience.workshop_id is not None and await session.get(Workshop, audience.workshop_id) is None
        )
        return AudienceCheck(count, audience.city is not None and audience.city.lower() not in cities, unknown_workshop)


async def schedule_broadcast(
    app: App, who: Staffer, audience: Audience, texts: dict[str, str], at: datetime | None
) -> int:
    """Queue a broadcast as the CLI does: the running clock fans it out and sends it."""
    texts = {lang: text.strip() for lang, text in texts.items() if lang in LANGUAGES and text.strip()}
    if any(len(text) > MAX_TEXT for text in texts.values()):
        raise Refused(str(MAX_TEXT))
    now = _now(app)
    async with _storage(app).unit_of_work() as uow:
        row = Broadcast(
            author_user_id=who.user_id,
            audience=audience.to_json(),
            texts=texts,
            default_language=app.settings.default_language,
            status="scheduled",
            scheduled_at=at or now,
            created_at=now,
        )
        uow.session.add(row)
        await uow.session.flush()
        await store.audit(
            uow.session,
            who,
            "broadcast.schedule",
            f"broadcast:{row.id}",
            now,
            audience=audience.to_json(),
            languages=sorted(texts),
        )
        return row.id


def parse_local(text: str, zone: str, now: datetime) -> datetime:
    try:
        return ws.parse_local(text, zone, now=now)
    except UserError as error:
        raise _plain(error) from None


async def cancel_broadcast(app: App, who: Staffer, broadcast_id: int) -> bool:
    from storage.broadcasts import cancel

    async with _storage(app).unit_of_work() as uow:
        done = await cancel(uow.session, broadcast_id)
        if done:
            await store.audit(uow.session, who, "broadcast.cancel", f"broadcast:{broadcast_id}", _now(app))
        return done


async def broadcast_report(app: App, broadcast_id: int) -> tuple[Broadcast, dict[str, int], list[Any]] | None:
    async with _storage(app).unit_of_work() as uow:
        row = await uow.session.get(Broadcast, broadcast_id)
        if row is None:
            return None
        return row, await progress(uow.session, broadcast_id), await stats.delivery_reasons(uow.session, broadcast_id)


async def broadcasts(app: App) -> list[stats.BroadcastRow]:
    async with _storage(app).unit_of_work() as uow:
        return await stats.recent_broadcasts(uow.session, limit=50)


# ----------------------------------------------------------------------------------------------- questions


async def inbox(app: App) -> list[tuple[Question, User]]:
    from storage.questions import QuestionRepository

    async with _storage(app).unit_of_work() as uow:
        rows = await QuestionRepository(uow.session).unanswered(limit=100)
        return [(row, await uow.session.get_one(User, row.user_id)) for row in rows]


async def recently_answered(app: App) -> list[Question]:
    async with _storage(app).unit_of_work() as uow:
        return list(
            await uow.session.scalars(
                select(Question)
                .where(Question.answered_at.is_not(None))
                .order_by(Question.answered_at.desc())
                .limit(20)
            )
        )


async def waiting_texts(app: App) -> list[tuple[int, str, str]]:
    async with _storage(app).unit_of_work() as uow:
        return await stats.unanswered_texts(uow.session)


async def answer_question(app: App, who: Staffer, question_id: int, text: str) -> str:
    """The chat's /answer: saved, queued to the person in their language; returns how it reaches them."""
    from handlers.questions import QuestionProblem, give_answer

    now = _now(app)
    try:
        async with _storage(app).unit_of_work() as uow:
            answered = await give_answer(
                uow.session,
                question_id,
                text,
                answered_by=who.actor,
                now=now,
                default_locale=app.settings.default_language,
                answered_by_user_id=who.user_id,
            )
            await store.audit(uow.session, who, "question.answer", f"question:{question_id}", now)
            return str(answered.reach)
    except QuestionProblem as problem:
        raise Refused(to_plain(str(problem))) from None


async def save_faq(app: App, who: Staffer, question_id: int) -> str:
    from handlers.questions import QuestionProblem, save_as_faq

    now = _now(app)
    try:
        async with _storage(app).unit_of_work() as uow:
            entry = await save_as_faq(uow.session, question_id, app.settings.content_dir, now=now)
            await store.audit(uow.session, who, "question.faq", f"question:{question_id}", now, entry=entry)
            return entry
    except QuestionProblem as problem:
        raise Refused(to_plain(str(problem))) from None


# -------------------------------------------------------------------------------------------- participants


async def search_people(app: App, query: str) -> list[User]:
    text = query.strip()[:100]
    if not text:
        return []
    clauses: list[Any] = [User.full_name.ilike(f"%{text}%"), User.display_name.ilike(f"%{text}%")]
    number = parse_id(text)
    if number is not None:
        clauses.append(User.id == number)
    from storage.models import Account

    # A platform id (a Telegram or Discord number, a console name) finds the person behind that account.
    clauses.append(exists().where(Account.user_id == User.id, Account.platform_user_id == text))
    async with _storage(app).unit_of_work() as uow:
        return list(
            await uow.session.scalars(
                select(User).where(User.deleted_at.is_(None), or_(*clauses)).order_by(User.id).limit(50)
            )
        )


@dataclass(frozen=True, slots=True)
class Person:
    user: User
    lectures: dict[str, datetime]
    registrations: list[tuple[Registration, Workshop]]
    records: list[Certificate]
    platforms: list[str]


async def person(app: App, user_id: int) -> Person | None:
    from storage.certificates import records_of
    from storage.progress import done_keys

    async with _storage(app).unit_of_work() as uow:
        user = await uow.session.get(User, user_id)
        if user is None or user.deleted_at is not None:
            return None
        from storage.models import Account

        platforms = list(await uow.session.scalars(select(Account.platform).where(Account.user_id == user_id)))
        return Person(
            user,
            await done_keys(uow.session, user_id),
            await ws.registrations_of_user(uow.session, user_id),
            await records_of(uow.session, user_id),
            sorted(set(platforms)),
        )


async def revoke_record(app: App, who: Staffer, code: str) -> None:
    from storage.certificates import revoke

    now = _now(app)
    async with _storage(app).unit_of_work() as uow:
        try:
            record = await revoke(uow.session, code, now)
        except codes.CodeFormatError:
            record = None
        if record is None:
            raise Refused(code)
        await store.audit(uow.session, who, "record.revoke", f"record:{record.id}", now, user_id=record.user_id)


async def export_person(app: App, who: Staffer, user_id: int) -> str:
    """The /mydata copy of one person's data, as JSON; the export itself is logged (it is personal data)."""
    from storage.privacy import export_user

    async with _storage(app).unit_of_work() as uow:
        data = await export_user(uow.session, user_id)
        await store.audit(uow.session, who, "person.export", f"user:{user_id}", _now(app))
    return json.dumps(data, ensure_ascii=False, indent=2, default=lambda v: v.astimezone(UTC).isoformat())


async def delete_person(app: App, who: Staffer, user_id: int) -> int:
    """The /deleteme deletion, on the person's request to staff; returns the registrations it cancelled."""
    from handlers.workshop_views import outbox_notifier
    from storage.privacy import delete_user_data

    now = _now(app)
    async with _storage(app).unit_of_work() as uow:
        cancelled = await delete_user_data(
            uow.session,
            user_id,
            now,
            notify=outbox_notifier(uow.session, app.settings, now),
            offer_hours=app.settings.waitlist_offer_hours,
        )
        await store.audit(uow.session, who, "person.delete", f"user:{user_id}", now)
        return len(cancelled)
