"""The participant scenario on Discord, through real interaction payloads and captured HTTP calls.

Steps that wait for other features' handlers (add them here when those land, with the same harness):
- workshop sign-up by buttons to confirmation: needs handlers/workshops.py (`/workshops`, a `workshop.*` action
  chain ending in a confirmation reply) and a seeded workshop row;
- a lecture marked: needs the progress handler (`/done <key>` or a `lecture.done` button) and lecture content;
- the certificate answer: needs handlers/certificates.py; a personal reply with the certificate file is what the
  door sends by DM (see test_personal_file_goes_by_dm below for the mechanics).
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.adapters.discord.render import to_markdown
from bot.app import App
from bot.core.actions import act
from storage.models import Account, User
from tests.adapters.discord.harness import STAFF_ROLE_ID, DiscordHarness, Member, message_payload, user_payload
from tests.helpers import ChatDriver

ALICE = Member("800000000000000001", "alice")


async def _user_locale(app: App, member: Member) -> str | None:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(select(Account).where(Account.platform_user_id == member.user_id))
        assert account is not None
        user = await uow.session.get_one(User, account.user_id)
        return user.locale


async def _accounts(app: App, member: Member) -> int:
    assert app.storage is not None
    async with app.storage.unit_of_work() as uow:
        count = await uow.session.scalar(
            select(func.count()).select_from(Account).where(Account.platform_user_id == member.user_id)
        )
        return int(count or 0)


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
    assert await _user_locale(discord_app, ALICE) == "it"
    [start] = await harness.command(ALICE, "start")
    assert start.content.split("\n")[0] == "**Ciao, alice!**"


async def test_arabic_speaker_chooses_arabic_with_the_picker(harness: DiscordHarness, discord_app: App) -> None:
    # Discord has no Arabic locale: the interaction says en-US, the picker is the way.
    [picker] = await harness.command(ALICE, "language")
    await harness.press(ALICE, harness.message_of(picker, invoker=ALICE), "w:lang:ar")
    assert await _user_locale(discord_app, ALICE) == "ar"
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
    assert await _user_locale(discord_app, bob) == "it"


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

    assert await _user_locale(discord_app, ALICE) is None


async def test_forged_press_from_a_stranger_creates_no_account(harness: DiscordHarness, discord_app: App) -> None:
    [picker] = await harness.command(ALICE, "language")
    mallory = Member("800000000000000066", "mallory")
    [call] = await harness.press(mallory, harness.message_of(picker), "w:nosuch:1")
    assert call.ephemeral
    assert await _accounts(discord_app, mallory) == 0


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
    assert await _user_locale(discord_app, ALICE) == "it"


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
