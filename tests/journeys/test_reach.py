"""Who can be reached, and where: linked platforms, Discord members with DMs closed, Telegram users who only wrote
in a group. Each journey checks what people and staff see, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Account
from tests.journeys.conftest import doors_world
from tests.journeys.doors import COMMUNITY_GROUP, DiscordDriver, DiscordPerson, TelegramDriver
from tests.journeys.world import Seen, World, plain, tr

UNDELIVERED = "⚠️ Your answer to question #{id} could not be delivered to {name}: {reason}."
CANNOT_REACH = "they cannot be reached (direct messages closed or the bot blocked)"
DM_HELP = (
    "I could not send you a direct message, so answers from the team, workshop news, seat offers and reminders "
    "cannot reach you. To let them through, open this server's menu, choose <b>Privacy Settings</b> and turn on "
    "<b>Direct Messages</b>; then press “Try again”."
)


def only(seen: list[Seen]) -> Seen:
    assert len(seen) == 1, [s.text[:60] for s in seen]
    return seen[0]


async def account_reachable(world: World, platform: str, user_id: str) -> tuple[bool, str]:
    assert world.app.storage is not None
    async with world.app.storage.unit_of_work() as uow:
        account = await uow.session.scalar(
            select(Account).where(Account.platform == platform, Account.platform_user_id == user_id)
        )
        assert account is not None
        return account.reachable, account.chat_id


async def test_linked_person_gets_each_notice_once_where_they_were_last(
    db_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with doors_world(["telegram", "discord"], db_kind, tmp_path, monkeypatch) as (world, doors):
        telegram, discord = doors["telegram"], doors["discord"]
        assert isinstance(telegram, TelegramDriver) and isinstance(discord, DiscordDriver)
        lea_tg = telegram.person("lea", "fr")
        lea_dc = discord.person("lea", "fr")

        [code_reply] = await telegram.say(lea_tg, "/link")
        code = re.search(r"/link (\S+)", code_reply.text)
        assert code is not None
        [linked] = await discord.say(lea_dc, f"/link {code[1]}")
        assert linked.only_them

        # She was last on Discord (in the server): the broadcast reaches her there, by DM, once.
        await world.cli("broadcast", "new", "--to", "everyone", "--text", "First news", "--yes")
        await world.settle()
        first = only(discord.inbox(lea_dc))
        assert first.private and "First news" in first.text
        assert telegram.inbox(lea_tg) == []

        # Back on Telegram a minute later: the next one comes there.
        world.clock.advance(minutes=1)
        await telegram.say(lea_tg, "/progress")
        await world.cli("broadcast", "new", "--to", "everyone", "--text", "Second news", "--yes")
        await world.settle()
        assert "Second news" in only(telegram.inbox(lea_tg)).text
        assert discord.inbox(lea_dc) == []

        # Discord again, but her DMs are now closed: the notice goes to Telegram instead, once.
        world.clock.advance(minutes=1)
        await discord.say(lea_dc, "/progress")
        lea_dc.dms_closed = True
        await world.cli("broadcast", "new", "--to", "everyone", "--text", "Third news", "--yes")
        await world.settle()
        assert "Third news" in only(telegram.inbox(lea_tg)).text
        assert discord.inbox(lea_dc) == []
        assert await account_reachable(world, "discord", lea_dc.member.user_id) == (False, lea_dc.member.user_id)
        assert telegram.misdirected() == [] and discord.misdirected() == []


async def test_member_with_closed_dms_is_told_once_and_staff_are_never_told_sent(
    db_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with doors_world(["discord"], db_kind, tmp_path, monkeypatch) as (world, doors):
        discord = doors["discord"]
        assert isinstance(discord, DiscordDriver)
        mia: DiscordPerson = discord.person("mia", "de")
        mia.dms_closed = True
        staff = discord.staff()

        # Mia only ever uses the bot in the server: her account has her DM address all the same.
        await discord.say(mia, "/team Wo ist der Eingang?")
        assert await account_reachable(world, "discord", mia.member.user_id) == (True, mia.member.user_id)
        await world.settle()
        [question_id] = await world.question_ids()
        [confirmation] = await discord.answer_question(staff, question_id, "Am Haupttor.")
        assert confirmation.text == tr(
            "en", "Answer to #{id} is on its way to {name}. If it cannot be delivered, I will tell you."
        ).format(id=question_id, name="mia")

        # Discord refuses the DM (50007): staff hear of it; Mia's account is marked.
        await world.settle()
        assert discord.inbox(mia) == []
        warning = only(discord.inbox(staff))
        assert warning.text == plain(
            tr("en", UNDELIVERED).format(id=question_id, name="mia", reason=tr("en", CANNOT_REACH))
        )
        assert await account_reachable(world, "discord", mia.member.user_id) == (False, mia.member.user_id)

        # The next time she uses the bot in the server she is told, privately and once, how to let notices in.
        told = await discord.say(mia, "/progress")
        help_note = [s for s in told if plain(tr("de", DM_HELP)) in s.text]
        assert len(help_note) == 1 and help_note[0].only_them and help_note[0].private
        assert tr("de", "Try again") in help_note[0].labels
        again = await discord.say(mia, "/progress")
        assert not any(plain(tr("de", DM_HELP)) in s.text for s in again)

        # She opens her DMs and presses "Try again": a test message arrives, and so does the answer she missed.
        mia.dms_closed = False
        await discord.press(mia, help_note[0], tr("de", "Try again"))
        await world.settle()
        arrived = discord.inbox(mia)
        assert len(arrived) == 2 and all(s.private for s in arrived)
        assert "Am Haupttor." in arrived[0].text
        assert arrived[1].text == plain(
            tr("de", "✅ Direct messages reach you now: notices from the program will come here.")
        )
        assert await account_reachable(world, "discord", mia.member.user_id) == (True, mia.member.user_id)


async def test_telegram_user_who_only_wrote_in_a_group_gets_the_answer_when_they_open_the_chat(
    db_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with doors_world(["telegram"], db_kind, tmp_path, monkeypatch) as (world, doors):
        telegram = doors["telegram"]
        assert isinstance(telegram, TelegramDriver)
        tom = telegram.person("tom", "it")
        staff = telegram.staff()
        # Telegram lets a bot write first only to people who started it: the private copy is refused.
        telegram.api.blocked.add(str(tom.user_id))
        shown = await telegram.say_in_group(tom, "/team A che ora apre la sede?")
        assert shown and all(seen.handle["chat"] == COMMUNITY_GROUP for seen in shown)  # type: ignore[index]
        assert await account_reachable(world, "telegram", str(tom.user_id)) == (True, "")

        await world.settle()
        [question_id] = await world.question_ids()
        [confirmation] = await telegram.answer_question(staff, question_id, "Alle 9.")
        assert confirmation.text == tr(
            "en", "Answer to #{id} is saved for {name}. It will reach them when they open a private chat with the bot."
        ).format(id=question_id, name="Tom")
        await world.settle()
        assert telegram.inbox(tom) == []

        # He opens the private chat: the answer that waited for him arrives there, once.
        telegram.api.blocked.discard(str(tom.user_id))
        await telegram.say(tom, "/start")
        await world.settle()
        answer = only(telegram.inbox(tom))
        assert answer.private and "Alle 9." in answer.text
        assert telegram.misdirected() == []
