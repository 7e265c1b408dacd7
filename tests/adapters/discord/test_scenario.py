"""The participant scenario on Discord, through real interaction payloads and captured HTTP calls.

Start, language, buttons and staff checks; a workshop sign-up by buttons to its confirmation with the calendar
file (by DM from the server, attached in a DM conversation); lectures marked by button and by /done, then
/progress; the certificate answer, from what is missing to the verifiable record link.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.certificates import codes
from bot.core.actions import act
from bot.core.markdown import to_markdown
from handlers.workshop_views import calendar_file
from storage import progress
from storage.models import Account, Certificate, LectureProgress
from tests.adapters.discord.harness import (
    STAFF_ROLE_ID,
    Call,
    DiscordHarness,
    Member,
    account_count,
    message_payload,
    stored_locale,
    user_payload,
)
from tests.conftest import FrozenClock
from tests.helpers import ChatDriver
from tests.workshop_helpers import make_workshop, registrations, user_row, workshop

ALICE = Member("800000000000000001", "alice")


async def test_start_replies_in_channel_with_menu_buttons(harness: DiscordHarness, discord_app: App) -> None:
    [call] = await harness.command(ALICE, "start")

    assert call.method == "POST" and call.path.endswith("/callback")
    assert call.payload["type"] == 4
    assert not call.ephemeral
    assert call.content.split("\n")[0] == "**Hello, alice!**"
    expected = await ChatDriver(discord_app, user_id="bob").send("/start")
    labels = [[b.label for b in row] for row in expected[0].buttons]
    assert call.labels() == labels
    assert call.custom_ids() == [["w:" + b.action.encode() for b in row if b.action] for row in expected[0].buttons]
    assert call.custom_ids()[0][0] == "w:cmd:program"
    assert "embeds" not in call.data or call.data["embeds"] == []


async def test_language_picker_switches_the_next_reply(harness: DiscordHarness, discord_app: App) -> None:
    [picker] = await harness.command(ALICE, "language")
    assert picker.labels() == [["English", "Italiano", "Deutsch", "Français"], ["العربية", "한국어", "中文"]]
    message = harness.message_of(picker, invoker=ALICE)

    [edit] = await harness.press(ALICE, message, "w:lang:it")

    # Alice's own message: the picker is replaced in place (UPDATE_MESSAGE), not answered with a new one.
    assert edit.payload["type"] == 7
    assert edit.content.startswith("Da ora in poi risponderò in Italiano.")
    assert await stored_locale(discord_app, ALICE) == "it"
    [start] = await harness.command(ALICE, "start")
    assert start.content.split("\n")[0] == "**Ciao, alice!**"


async def test_arabic_speaker_chooses_arabic_with_the_picker(harness: DiscordHarness, discord_app: App) -> None:
    # Discord has no Arabic locale: the interaction says en-US, the picker is the way.
    [picker] = await harness.command(ALICE, "language")
    await harness.press(ALICE, harness.message_of(picker, invoker=ALICE), "w:lang:ar")
    assert await stored_locale(discord_app, ALICE) == "ar"
    [start] = await harness.command(ALICE, "start")
    # Right-to-left: every line opens with a right-to-left mark, and nothing goes into an embed.
    assert all(line.startswith("\u200f") for line in start.content.split("\n") if line)
    assert "embeds" not in start.data or start.data["embeds"] == []


async def test_button_press_runs_its_action_for_the_presser_only(harness: DiscordHarness, discord_app: App) -> None:
    [start] = await harness.command(ALICE, "start")
    bob = Member("800000000000000002", "bob")

    [answer] = await harness.press(bob, harness.message_of(start, invoker=ALICE), "w:cmd:program")

    expected = await ChatDriver(discord_app, user_id="carol").press_action(act("cmd", "program"))
    assert answer.payload["type"] == 4
    assert answer.ephemeral
    assert answer.content == to_markdown(expected[0].text)


async def test_edit_replies_edit_only_the_pressers_own_message(harness: DiscordHarness, discord_app: App) -> None:
    [start] = await harness.command(ALICE, "start")
    [program] = await harness.press(ALICE, harness.message_of(start, invoker=ALICE), "w:cmd:program")
    # The program reply (ephemeral, Alice's alone) carries "Main menu": an edit reply, so it is edited in place.
    assert program.ephemeral and ["w:menu"] in program.custom_ids()
    [own] = await harness.press(ALICE, harness.message_of(program), "w:menu")
    assert own.payload["type"] == 7

    # Bob presses a language on Alice's public picker: Alice's message stays; Bob gets his own answer.
    [picker] = await harness.command(ALICE, "language")
    bob = Member("800000000000000002", "bob")
    [other] = await harness.press(bob, harness.message_of(picker, invoker=ALICE), "w:lang:it")
    assert other.payload["type"] == 4 and other.ephemeral
    assert other.content.startswith("Da ora in poi")
    assert await stored_locale(discord_app, bob) == "it"


async def test_forged_component_ids_are_refused_and_change_nothing(harness: DiscordHarness, discord_app: App) -> None:
    [picker] = await harness.command(ALICE, "language")
    message = harness.message_of(picker, invoker=ALICE)
    refusal = "That button is not valid (any more), so nothing was changed. Send /start for the menu."

    # An id the message never had, a shape no template knows, an action that does not exist.
    for custom_id in ("w:lang:de2", "x:lang:it", "w:admin.wipe:1"):
        [call] = await harness.press(ALICE, message, custom_id)
        assert call.ephemeral and call.content == refusal, custom_id
    # Malformed action data inside a matching id: the message must hold it for discord.py to dispatch it.
    forged = harness.message_of(picker, invoker=ALICE)
    forged["components"][0]["components"][0]["custom_id"] = "w:lang:x"
    [call] = await harness.press(ALICE, forged, "w:lang:x")
    assert call.ephemeral
    assert call.content.startswith("I don't know the language code “x”")

    assert await stored_locale(discord_app, ALICE) is None


async def test_forged_press_from_a_stranger_creates_no_account(harness: DiscordHarness, discord_app: App) -> None:
    [picker] = await harness.command(ALICE, "language")
    mallory = Member("800000000000000066", "mallory")
    [call] = await harness.press(mallory, harness.message_of(picker), "w:nosuch:1")
    assert call.ephemeral
    assert await account_count(discord_app, mallory) == 0


async def test_select_value_that_is_no_option_is_refused(harness: DiscordHarness, discord_app: App) -> None:
    options = [{"label": name, "value": f"lang:{code}"} for code, name in (("it", "Italiano"), ("de", "Deutsch"))]
    select = message_payload(
        content="Which language?",
        components=[{"type": 1, "components": [{"type": 3, "custom_id": "wsel:0", "options": options}]}],
    )
    [call] = await harness.press(ALICE, select, "wsel:0", values=["lang:fr"])
    assert call.ephemeral and call.content.startswith("That button is not valid")
    [ok] = await harness.press(ALICE, select, "wsel:0", values=["lang:it"])
    assert ok.content.startswith("Da ora in poi")
    assert await stored_locale(discord_app, ALICE) == "it"


async def test_staff_command_refused_to_members_without_the_role(harness: DiscordHarness) -> None:
    [refused] = await harness.command(ALICE, "roster")
    assert refused.ephemeral and refused.content == "That is only for the program staff."

    staff = Member("800000000000000003", "sam", roles=[str(STAFF_ROLE_ID)])
    [allowed] = await harness.command(staff, "roster")
    assert allowed.ephemeral and allowed.content == "**Roster**: 0 people"

    listed = Member("800000000000000099", "lee")
    [by_id] = await harness.command(listed, "roster")
    assert by_id.content == "**Roster**: 0 people"


async def test_personal_file_goes_by_dm(harness: DiscordHarness, discord_app: App) -> None:
    dm_channel = "810000000000000001"
    harness.routes[("POST", "/users/@me/channels")] = lambda body: (
        200,
        {"id": dm_channel, "type": 1, "recipients": [user_payload(ALICE.user_id, "alice")]},
    )
    harness.routes[("POST", f"/channels/{dm_channel}/messages")] = lambda body: (200, _sent(dm_channel, body))

    calls = await harness.command(ALICE, "mydata")

    defer, dm_open, dm, note = calls
    assert defer.payload["type"] == 5 and defer.ephemeral
    assert dm_open.payload == {"recipient_id": int(ALICE.user_id)}
    assert dm.files == ["wego-my-data.json"]
    assert dm.payload["content"] == "Here is everything the assistant stores about you."
    assert note.ephemeral and note.content == "I sent it to you as a direct message."


async def test_closed_dms_mark_the_account_and_answer_ephemerally(harness: DiscordHarness, discord_app: App) -> None:
    dm_channel = "810000000000000002"
    harness.routes[("POST", "/users/@me/channels")] = lambda body: (
        200,
        {"id": dm_channel, "type": 1, "recipients": [user_payload(ALICE.user_id, "alice")]},
    )
    harness.routes[("POST", f"/channels/{dm_channel}/messages")] = lambda body: (
        403,
        {"code": 50007, "message": "Cannot send messages to this user"},
    )

    calls = await harness.command(ALICE, "mydata")

    answer = calls[-1]
    assert answer.ephemeral
    assert answer.content.startswith("I could not send you a direct message, so here it is; only you can see it.")
    assert answer.files == ["wego-my-data.json"]
    assert discord_app.storage is not None
    async with discord_app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(select(Account).where(Account.platform_user_id == ALICE.user_id))
        assert account is not None and account.reachable is False


def _sent(channel_id: str, body: object) -> dict[str, object]:
    content = body.get("content", "") if isinstance(body, dict) else ""
    return message_payload(content=str(content), components=[], channel_id=int(channel_id))


# -- workshop sign-up ---------------------------------------------------------------------------------------------

EPHEMERAL = 64
MILAN_WHEN = "Monday, April 20, 2026, 3:00\u202fPM"


def _open_dm(harness: DiscordHarness, member: Member, dm_channel: str) -> None:
    harness.routes[("POST", "/users/@me/channels")] = lambda body: (
        200,
        {"id": dm_channel, "type": 1, "recipients": [user_payload(member.user_id, member.name)]},
    )
    harness.routes[("POST", f"/channels/{dm_channel}/messages")] = lambda body: (200, _sent(dm_channel, body))


async def _to_consent(harness: DiscordHarness, workshop_id: int, *, dm: bool) -> Call:
    """/workshops → the workshop → Sign up → I agree; returns the year-of-birth question."""
    [listing] = await harness.command(ALICE, "workshops", dm=dm)
    assert listing.payload["type"] == 4 and not listing.ephemeral
    # The dated workshop comes first; the content's undated ones follow.
    assert listing.custom_ids()[0][0] == f"w:ws.show:{workshop_id}" and listing.labels()[0][0] == "Milan"
    assert (f"**Milan** · open · 20 of 20 seats left\nWhen: {MILAN_WHEN} (Europe/Rome, local time)") in listing.content
    assert "Your time" not in listing.content

    [card] = await harness.press(ALICE, harness.message_of(listing, invoker=ALICE), f"w:ws.show:{workshop_id}", dm=dm)
    assert card.payload["type"] == 4 and card.ephemeral is not dm
    assert card.content.endswith("Status: open · 20 of 20 seats left")
    assert card.custom_ids() == [[f"w:ws.signup:{workshop_id}"], ["w:cmd:workshops"]]
    assert card.labels() == [["Sign up"], ["All workshops"]]

    [consent] = await harness.press(ALICE, harness.message_of(card), f"w:ws.signup:{workshop_id}", dm=dm)
    assert consent.payload["type"] == 4 and consent.ephemeral is not dm
    assert consent.content.split("\n")[0] == "**Sign up for the workshop in Milan**"
    assert consent.content.split("\n")[-1] == "Do you agree?"
    assert consent.custom_ids() == [[f"w:ws.consent:{workshop_id}"], [f"w:ws.show:{workshop_id}"]]
    assert consent.labels() == [["I agree"], ["No, thanks"]]

    [birth] = await harness.press(ALICE, harness.message_of(consent), f"w:ws.consent:{workshop_id}", dm=dm)
    assert birth.payload["type"] == 4 and birth.ephemeral is not dm
    assert birth.content.startswith("In which year were you born?\nThe workshop certificate is for attendees under 35")
    assert birth.custom_ids()[0] == [f"w:ws.decade:{workshop_id}:{d}" for d in (2010, 2000, 1990)]
    assert birth.custom_ids()[-1] == [f"w:ws.join:{workshop_id}:skip"] and birth.labels()[-1] == ["Skip"]
    return birth


async def test_workshop_sign_up_in_the_server_sends_the_confirmation_and_calendar_by_dm(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    workshop_id = await make_workshop(discord_app, clock.now)
    _open_dm(harness, ALICE, "810000000000000011")
    birth = await _to_consent(harness, workshop_id, dm=False)

    [years] = await harness.press(ALICE, harness.message_of(birth), f"w:ws.decade:{workshop_id}:2000")
    assert years.ephemeral
    assert years.custom_ids() == [
        [f"w:ws.join:{workshop_id}:{y}" for y in range(2000, 2005)],
        [f"w:ws.join:{workshop_id}:{y}" for y in range(2005, 2010)],
        [f"w:ws.join:{workshop_id}:skip"],
    ]
    calls = await harness.press(ALICE, harness.message_of(years), f"w:ws.join:{workshop_id}:2001")

    # Personal and with a file: acknowledged, sent by DM, and only a pointer shown (to Alice alone) in the server.
    defer, dm_open, dm, note = calls
    assert defer.payload == {"type": 6}
    assert dm_open.payload == {"recipient_id": int(ALICE.user_id)}
    assert dm.path.endswith("/channels/810000000000000011/messages")
    assert dm.payload["content"] == (
        f"You are confirmed for the workshop in Milan on {MILAN_WHEN} Europe/Rome. The calendar file is attached.\n"
        "Venue: to be announced"
    )
    assert dm.custom_ids() == [["w:cmd:mysignups"]] and dm.labels() == [["My sign-ups"]]
    assert dm.files == ["workshop-milan.ics"]
    row = await workshop(discord_app, workshop_id)
    assert dm.blobs["workshop-milan.ics"] == calendar_file(row, clock.now, discord_app.content).data
    assert dm.payload["allowed_mentions"] == {"parse": []}
    assert note.ephemeral and note.content == "I sent it to you as a direct message." and note.files == []

    assert await registrations(discord_app, workshop_id) == [(ALICE.user_id, "confirmed", None)]
    assert (await user_row(discord_app, ALICE.user_id)).birth_year == 2001


async def test_workshop_sign_up_in_a_dm_attaches_the_calendar_to_the_answer(
    global_harness: DiscordHarness, clock: FrozenClock
) -> None:
    harness = global_harness
    app = harness.door.app
    workshop_id = await make_workshop(app, clock.now)
    birth = await _to_consent(harness, workshop_id, dm=True)

    [confirmation] = await harness.press(ALICE, harness.message_of(birth), f"w:ws.join:{workshop_id}:skip", dm=True)

    assert confirmation.payload["type"] == 4 and not confirmation.ephemeral
    assert confirmation.content == (
        f"You are confirmed for the workshop in Milan on {MILAN_WHEN} Europe/Rome. The calendar file is attached.\n"
        "Venue: to be announced\n\n"
        "The workshop certificate is for attendees under 35; your year of birth lets the team check that. "
        "If you skip it you can still take part, but the certificate cannot be issued to you until you add it "
        "(you can, any time, from /mysignups)."
    )
    assert confirmation.files == ["workshop-milan.ics"]
    row = await workshop(app, workshop_id)
    assert confirmation.blobs["workshop-milan.ics"] == calendar_file(row, clock.now, app.content).data
    assert await registrations(app, workshop_id) == [(ALICE.user_id, "confirmed", None)]
    assert (await user_row(app, ALICE.user_id)).birth_year is None


# -- lectures and progress ----------------------------------------------------------------------------------------


async def _marked(app: App, member: Member) -> list[str]:
    user = await user_row(app, member.user_id)
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        keys = await uow.session.scalars(
            select(LectureProgress.lecture_key)
            .where(LectureProgress.user_id == user.id)
            .order_by(LectureProgress.lecture_key)
        )
        return list(keys)


async def test_lecture_marked_by_button_and_by_done_then_progress(harness: DiscordHarness, discord_app: App) -> None:
    [lectures] = await harness.command(ALICE, "lectures")
    assert lectures.payload["type"] == 4 and lectures.ephemeral
    assert lectures.content.startswith("**The online course** (24 lectures):")
    assert lectures.custom_ids()[:2] == [["w:prog.part:1", "w:prog.part:2"], ["w:prog.part:3", "w:prog.part:4"]]

    # Alice's own ephemeral message: Part 1 replaces it in place, and so does Done 1.1 after it.
    [part] = await harness.press(ALICE, harness.message_of(lectures), "w:prog.part:1")
    assert part.payload["type"] == 7
    assert part.content.split("\n")[1:4] == [
        "░░░░░░░░░░ 0/8",
        "",
        "⬜ 1.1  Global Context and Local Conditions of Sustainability",
    ]
    assert part.custom_ids()[0] == ["w:prog.done:1.1", "w:prog.done:1.2"]
    assert part.labels()[0] == ["Done 1.1", "Done 1.2"]

    [done] = await harness.press(ALICE, harness.message_of(part, flags=EPHEMERAL), "w:prog.done:1.1")
    assert done.payload["type"] == 7
    assert done.content.split("\n")[1:4] == [
        "▓░░░░░░░░░ 1/8",
        "",
        "✅ 1.1  Global Context and Local Conditions of Sustainability",
    ]
    assert done.custom_ids()[0] == ["w:prog.undo:1.1", "w:prog.done:1.2"]
    assert done.labels()[0] == ["Undo 1.1", "Done 1.2"]

    [typed] = await harness.command(ALICE, "done", "1.2")
    assert typed.ephemeral
    assert typed.content == "Marked 1.2 “The Metropolitan Century” as watched.\n2 of 24 lectures watched."
    assert typed.custom_ids() == [["w:cmd:progress"]]

    [progress_call] = await harness.command(ALICE, "progress")
    assert progress_call.ephemeral
    lines = progress_call.content.split("\n")
    assert lines[0] == "**Your progress**"
    assert lines[2].startswith("Part 1: ") and lines[2].endswith(" 2/8")
    assert "Overall: 2 of 24 lectures (8%)." in lines
    assert "**Next**: 1.3 “Tools and Cases for the Ecological Transition in Cities”" in lines
    assert progress_call.custom_ids() == [
        ["w:prog.next:1.3"],
        ["https://www.cityresiliencetraining.com/"],
        ["w:cmd:lectures", "w:menu"],
    ]
    assert await _marked(discord_app, ALICE) == ["1.1", "1.2"]


# -- certificate ----------------------------------------------------------------------------------------------


async def test_certificate_says_what_is_missing_then_gives_the_record_link(
    harness: DiscordHarness, discord_app: App, clock: FrozenClock
) -> None:
    [first] = await harness.command(ALICE, "certificate")
    assert first.ephemeral and first.files == []
    assert first.content.split("\n")[:3] == [
        "**Online course**",
        "Not yet: 24 lectures left to mark as watched: 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 2.1, 2.2, 2.3, 2.4 …",
        "Mark them with /done or in /lectures.",
    ]
    assert first.content.split("\n")[-1] == "No name set for your records yet."

    user = await user_row(discord_app, ALICE.user_id)
    keys = [lecture.key for lecture in discord_app.content.all_lectures()]
    assert discord_app.storage is not None
    async with discord_app.storage.unit_of_work() as uow:
        for key in keys[:-1]:
            await progress.mark_done(uow.session, user.id, key, clock.now)
        await uow.commit()
    [almost] = await harness.command(ALICE, "certificate")
    assert almost.content.split("\n")[1] == "Not yet: 1 lecture left to mark as watched: 4.5"

    # The last lecture: the mark, then the congratulations, which ask for the name first.
    marked, congratulations = await harness.command(ALICE, "done", "4.5")
    assert marked.ephemeral and congratulations.ephemeral
    assert marked.content.endswith("24 of 24 lectures watched.")
    assert congratulations.content.split("\n")[0] == (
        "🎉 **Congratulations: you have marked every lecture of the course as watched!**"
    )
    assert congratulations.content.split("\n")[-1] == (
        "To get your verifiable record, first set the name it should show: /name followed by your full name."
    )

    [named] = await harness.command(ALICE, "name", "Alice *Liddell*")
    assert named.ephemeral and named.content == "Your records will show the name: **Alice \\*Liddell\\***"

    [answer] = await harness.command(ALICE, "certificate")
    assert answer.ephemeral and answer.files == []
    async with discord_app.storage.unit_of_work() as uow:
        [record] = list(await uow.session.scalars(select(Certificate).where(Certificate.user_id == user.id)))
    assert record.kind == "course" and record.name == "Alice *Liddell*" and record.code is not None
    url = f"http://127.0.0.1:8080/verify/{codes.group(record.code)}"
    lines = answer.content.split("\n")
    assert lines[:2] == ["**Online course**", "✅ Every lecture is marked as watched."]
    assert f"Your verifiable record: [{url}]({url})" in lines
    assert f"Code: `{codes.group(record.code)}` (anyone can check it)." in lines
    assert lines[-1] == "Name on your records: Alice \\*Liddell\\*"
