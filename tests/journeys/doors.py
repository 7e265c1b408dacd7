"""The three doors, each driven through its real code path and read where the platform would show it.

- Console: `ConsoleChat` as `wego-bot chat` runs it; what it writes to the terminal is what the person sees, and
  notices appear (📬) the next time they type, as in the real console.
- Telegram: the real python-telegram-bot `Application` of our `TelegramDoor`, fed Bot API updates; what the Bot
  API server was asked to send (a local fake Bot API over HTTP) is what people see.
- Discord: the real discord.py client of our `DiscordDoor`, fed INTERACTION_CREATE payloads; the HTTP calls
  discord.py made (interaction responses, DMs, staff channel posts) are what people see.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.console import ConsoleChat
from bot.core.ports import Messenger
from bot.staff_inbox import StaffInbox
from tests.journeys.world import STAFF_CONSOLE, Person, Seen, World, plain

# -- the console ----------------------------------------------------------------------------------------------------


class Terminal:
    """Stands in for the terminal: keeps each block the console writes, as the person would read it."""

    def __init__(self) -> None:
        self.blocks: list[str] = []

    def write(self, text: str) -> int:
        self.blocks.append(text.rstrip("\n"))
        return len(text)

    def flush(self) -> None:
        return None


_OPTION = re.compile(r"\[(\d+)\] (.+?)(?=\s{2}\[\d+\] |$)", re.M)


def _console_seen(blocks: list[str]) -> list[tuple[bool, Seen]]:
    """(is a notice, message) for each message in the written blocks; a row of options belongs to the one before."""
    out: list[tuple[bool, Seen]] = []
    for block in blocks:
        if block.startswith("[") and _OPTION.match(block):
            rows = [[(int(n), label) for n, label in _OPTION.findall(line)] for line in block.split("\n")]
            seen = out[-1][1]
            seen.buttons = [[label for _n, label in row] for row in rows]
            seen.handle = {label: n for row in rows for n, label in row}
            continue
        if block.startswith("📎 ") and out:
            out[-1][1].text += "\n" + block
            continue
        notice = block.startswith("📬 ")
        out.append((notice, Seen(block.removeprefix("📬 "), [], private=True, only_them=True)))
    return out


@dataclass
class ConsolePerson:
    name: str
    lang: str
    chat: ConsoleChat
    terminal: Terminal
    inbox: list[Seen] = field(default_factory=list)


class ConsoleDriver:
    platform = "console"

    def __init__(self, world: World) -> None:
        self.world = world
        self.people: dict[str, ConsolePerson] = {}

    def messengers(self) -> Mapping[str, Messenger]:
        # The console shows its own person's messages itself; nothing is sent for it.
        return {}

    def staff_inboxes(self) -> Sequence[StaffInbox]:
        return []

    def person(self, name: str, lang: str) -> ConsolePerson:
        terminal = Terminal()
        chat = ConsoleChat(self.world.app, user=name, out=terminal)  # type: ignore[arg-type]
        self.people[name] = ConsolePerson(name, lang, chat, terminal)
        return self.people[name]

    def staff(self) -> ConsolePerson:
        return self.person(STAFF_CONSOLE, "en")

    async def _turn(self, person: Person, line: str) -> list[Seen]:
        who = self.people[person.name]
        if not who.chat.lang or who.chat._turn == 0:
            # `wego-bot chat --lang xx`: the person's language, chosen as they start.
            await who.chat.choose_language(person.lang)
        start = len(who.terminal.blocks)
        await who.chat.handle_line(line)
        answers = []
        for notice, seen in _console_seen(who.terminal.blocks[start:]):
            (who.inbox if notice else answers).append(seen)
        return answers

    async def say(self, person: Person, text: str) -> list[Seen]:
        return await self._turn(person, text)

    async def press(self, person: Person, seen: Seen, label: str) -> list[Seen]:
        assert isinstance(seen.handle, dict) and label in seen.handle, f"no option {label!r} in {seen.buttons}"
        # The person types the option's number, as the console asks.
        return await self._turn(person, str(seen.handle[label]))

    async def answer_question(self, staff: Person, question_id: int, text: str) -> list[Seen]:
        return await self.say(staff, f"/answer {question_id} {text}")

    async def collect(self) -> None:
        # Notices show the next time the person types; looking now is the same code path without a line.
        for who in self.people.values():
            start = len(who.terminal.blocks)
            await who.chat.show_notices()
            who.inbox += [seen for notice, seen in _console_seen(who.terminal.blocks[start:]) if notice]

    def inbox(self, person: Person) -> list[Seen]:
        who = self.people[person.name]
        got, who.inbox = who.inbox, []
        return got

    def misdirected(self) -> list[str]:
        return []

    async def stop(self) -> None:
        return None


# -- Telegram -------------------------------------------------------------------------------------------------------

STAFF_GROUP = -1009876543210
# The youth group where people also talk to the bot; personal messages must never land here.
COMMUNITY_GROUP = -1001111111111
TELEGRAM_STAFF_ID = 700000000
_update_ids = itertools.count(1)


@dataclass
class TelegramPerson:
    name: str
    lang: str
    user_id: int
    inbox: list[Seen] = field(default_factory=list)

    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.name.title(), "language_code": self.lang}


class TelegramDriver:
    platform = "telegram"

    def __init__(self, world: World, api: Any) -> None:
        from telegram.ext import Application

        from bot.adapters.telegram.door import TelegramDoor
        from tests.adapters.telegram.fakeapi import TOKEN

        self.world = world
        self.api = api
        builder = Application.builder().token(TOKEN).base_url(f"http://127.0.0.1:{api.port}/bot")
        self.door = TelegramDoor(world.app, builder=builder)
        self.people: dict[int, TelegramPerson] = {}
        self.cursor = 0
        self.staff_group: list[Seen] = []
        self.stray: list[str] = []
        self._ids = itertools.count(700000001)

    async def start(self) -> None:
        await self.door.application.initialize()
        self.api.calls.clear()

    def messengers(self) -> Mapping[str, Messenger]:
        return {"telegram": self.door.messenger}

    def staff_inboxes(self) -> Sequence[StaffInbox]:
        return [self.door.staff_inbox] if self.door.staff_inbox is not None else []

    def person(self, name: str, lang: str) -> TelegramPerson:
        who = TelegramPerson(name, lang, next(self._ids))
        self.people[who.user_id] = who
        return who

    def staff(self) -> TelegramPerson:
        who = TelegramPerson("sara", "en", TELEGRAM_STAFF_ID)
        self.people[who.user_id] = who
        return who

    async def _feed(self, payload: dict[str, Any]) -> None:
        from telegram import Update

        payload = {"update_id": next(_update_ids), **payload}
        await self.door.application.process_update(Update.de_json(payload, self.door.application.bot))

    def _new(self) -> list[tuple[int, Seen]]:
        """(chat id, message) for every message the Bot API was asked to send or edit since the last look."""
        calls = self.api.calls[self.cursor :]
        self.cursor = len(self.api.calls)
        out = []
        for method, params in calls:
            if method not in ("sendMessage", "editMessageText", "sendDocument"):
                continue
            from tests.adapters.telegram.fakeapi import MESSAGE_ID_KEY

            chat = int(params["chat_id"])
            if str(chat) in self.api.blocked:
                continue  # refused with 403: it reached no one
            markup = params.get("reply_markup") or {}
            if isinstance(markup, str):
                markup = json.loads(markup)
            rows = markup.get("inline_keyboard", [])
            text = params.get("text") or params.get("caption") or ""
            seen = Seen(
                plain(str(text)),
                [[button["text"] for button in row] for row in rows],
                private=chat > 0,
                only_them=chat > 0,
                handle={
                    "chat": chat,
                    "message_id": params.get(MESSAGE_ID_KEY),
                    "data": {b["text"]: b.get("callback_data") for row in rows for b in row},
                },
            )
            out.append((chat, seen))
        return out

    def _sort(self, person: TelegramPerson | None, *, here: int | None = None) -> list[Seen]:
        """Sort what the Bot API was asked to send since the last look: what `person` sees where they spoke (their
        private chat, or the chat `here`) is returned; the rest goes to inboxes, the staff group, or strays."""
        answers = []
        for chat, seen in self._new():
            if person is not None and chat in (person.user_id, here):
                answers.append(seen)
            elif chat in self.people:
                self.people[chat].inbox.append(seen)
            elif chat == STAFF_GROUP:
                self.staff_group.append(seen)
            else:
                self.stray.append(f"to chat {chat}: {seen.text[:80]}")
        return answers

    def _message(self, who: TelegramPerson, chat: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
        """A message update's payload: `who` writes `text` in `chat`."""
        return {
            "message": {
                "message_id": next(_update_ids),
                "date": 1772442000,
                "chat": chat,
                "from": who.user(),
                "text": text,
                **extra,
            }
        }

    def _who(self, person: Person) -> TelegramPerson:
        assert isinstance(person, TelegramPerson)
        return person

    async def say(self, person: Person, text: str) -> list[Seen]:
        who = self._who(person)
        await self._feed(
            self._message(who, {"id": who.user_id, "type": "private", "first_name": who.name.title()}, text)
        )
        return self._sort(who)

    async def say_in_group(self, person: Person, text: str) -> list[Seen]:
        """A command typed in the community group: what the group and the person's private chat then show."""
        who = self._who(person)
        await self._feed(self._message(who, {"id": COMMUNITY_GROUP, "type": "supergroup", "title": "WeGO youth"}, text))
        return self._sort(who, here=COMMUNITY_GROUP)

    async def press(self, person: Person, seen: Seen, label: str) -> list[Seen]:
        from tests.adapters.telegram.fakeapi import BOT_USER

        who = self._who(person)
        handle = seen.handle
        assert isinstance(handle, dict) and label in handle["data"], f"no button {label!r} in {seen.buttons}"
        message = {
            "message_id": handle["message_id"],
            "date": 1772442000,
            "chat": {"id": handle["chat"], "type": "private", "first_name": who.name.title()},
            "from": BOT_USER,
            "text": "",
        }
        await self._feed(
            {
                "callback_query": {
                    "id": str(next(_update_ids)),
                    "from": who.user(),
                    "chat_instance": "journey",
                    "data": handle["data"][label],
                    "message": message,
                }
            }
        )
        return self._sort(self._who(person))

    async def answer_question(self, staff: Person, question_id: int, text: str) -> list[Seen]:
        """Staff reply, in the staff group, to the message that posted the question."""
        from tests.adapters.telegram.fakeapi import BOT_USER

        who = self._who(staff)
        posted = [s for s in self.staff_group if f"#{question_id} " in s.text]
        assert len(posted) == 1, f"question #{question_id} posted {len(posted)} times in the staff group"
        group = {"id": STAFF_GROUP, "type": "supergroup", "title": "WeGO staff"}
        assert isinstance(posted[0].handle, dict)
        replied = {
            "message_id": posted[0].handle["message_id"],
            "date": 1772442000,
            "chat": group,
            "from": BOT_USER,
            "text": posted[0].text,
        }
        await self._feed(self._message(who, group, text, reply_to_message=replied))
        self._sort(who)
        return self.staff_group[-1:]

    async def collect(self) -> None:
        self._sort(None)

    def inbox(self, person: Person) -> list[Seen]:
        who = self._who(person)
        got, who.inbox = who.inbox, []
        return got

    def misdirected(self) -> list[str]:
        return self.stray

    async def stop(self) -> None:
        await self.door.application.shutdown()


# -- Discord --------------------------------------------------------------------------------------------------------


@dataclass
class DiscordPerson:
    name: str
    lang: str
    member: Any
    dm_channel: str
    dms_closed: bool = False
    inbox: list[Seen] = field(default_factory=list)


class DiscordDriver:
    platform = "discord"

    def __init__(self, world: World, harness: Any) -> None:
        self.world = world
        self.harness = harness
        self.people: dict[str, DiscordPerson] = {}
        self.by_dm: dict[str, DiscordPerson] = {}
        self.cursor = 0
        self.staff_posts: list[tuple[Seen, dict[str, Any]]] = []
        self.stray: list[str] = []
        # Calls Discord refused (DMs closed): nothing reached anyone.
        self.refused: set[int] = set()
        self._ids = itertools.count(810000000000000101)
        self._posted = itertools.count(920000000000000101)
        self._routes()

    def _routes(self) -> None:
        from tests.adapters.discord.harness import STAFF_CHANNEL_ID, message_payload, text_channel_payload, user_payload

        harness = self.harness

        def open_dm(body: Any) -> tuple[int, Any]:
            who = self.people[str(body["recipient_id"])]
            return 200, {"id": who.dm_channel, "type": 1, "recipients": [user_payload(who.member.user_id, who.name)]}

        harness.routes[("POST", "/users/@me/channels")] = open_dm
        harness.routes[("GET", f"/channels/{STAFF_CHANNEL_ID}")] = lambda body: (
            200,
            text_channel_payload(STAFF_CHANNEL_ID, "staff"),
        )

        def staff_post(body: Any) -> tuple[int, Any]:
            message = message_payload(
                content=body["content"], components=body.get("components", []), channel_id=STAFF_CHANNEL_ID
            )
            message["id"] = str(next(self._posted))
            return 200, message

        harness.routes[("POST", f"/channels/{STAFF_CHANNEL_ID}/messages")] = staff_post

    def messengers(self) -> Mapping[str, Messenger]:
        return {"discord": self.harness.door.messenger}

    def staff_inboxes(self) -> Sequence[StaffInbox]:
        inbox = self.harness.door.staff_inbox
        return [inbox] if inbox is not None else []

    def person(self, name: str, lang: str, *, roles: Sequence[str] = ()) -> DiscordPerson:
        from tests.adapters.discord.harness import Member, message_payload

        user_id = str(next(self._ids))
        who = DiscordPerson(
            name, lang, Member(user_id, name, list(roles), locale=lang), dm_channel=str(next(self._ids))
        )
        self.people[user_id] = who
        self.by_dm[who.dm_channel] = who

        def dm(body: Any) -> tuple[int, Any]:
            if who.dms_closed:
                # Recorded by the harness, but never shown to anyone.
                self.refused.add(len(self.harness.calls) - 1)
                return 403, {"code": 50007, "message": "Cannot send messages to this user"}
            message = message_payload(
                content=body.get("content", ""), components=body.get("components", []), channel_id=int(who.dm_channel)
            )
            return 200, message

        self.harness.routes[("POST", f"/channels/{who.dm_channel}/messages")] = dm
        return who

    def staff(self) -> DiscordPerson:
        from tests.adapters.discord.harness import STAFF_ROLE_ID

        return self.person("sam", "en", roles=[str(STAFF_ROLE_ID)])

    def _seen(self, call: Any) -> tuple[str, Seen] | None:
        """(where, message) for a captured call that shows a message: "interaction", a DM channel id, or other."""
        path = call.path
        if "/callback" in path or "/webhooks/" in path:
            if "/callback" in path and call.payload.get("type") not in (4, 7):
                return None  # a deferral, a modal: no message
            where = "interaction"
        elif path.endswith("/messages") and "/channels/" in path:
            where = path.rsplit("/channels/", 1)[1].split("/")[0]
        else:
            return None
        dm = where in self.by_dm
        seen = Seen(
            _markdown_plain(call.content),
            call.labels(),
            private=dm or (where == "interaction" and call.ephemeral),
            only_them=dm or (where == "interaction" and call.ephemeral),
            handle={
                "call": call,
                "where": where,
                "ids": dict(zip(_flat(call.labels()), _flat(call.custom_ids()), strict=True)),
            },
        )
        return where, seen

    def _new(self) -> list[tuple[str, Seen]]:
        start, self.cursor = self.cursor, len(self.harness.calls)
        return [
            found
            for index in range(start, self.cursor)
            if index not in self.refused and (found := self._seen(self.harness.calls[index])) is not None
        ]

    def _sort(self, found: list[tuple[str, Seen]], person: DiscordPerson | None) -> list[Seen]:
        from tests.adapters.discord.harness import STAFF_CHANNEL_ID

        answers = []
        for where, seen in found:
            if person is not None and where in ("interaction", person.dm_channel):
                answers.append(seen)
            elif where in self.by_dm:
                self.by_dm[where].inbox.append(seen)
            elif where == str(STAFF_CHANNEL_ID):
                assert isinstance(seen.handle, dict)
                self.staff_posts.append((seen, seen.handle))
            else:
                self.stray.append(f"to {where}: {seen.text[:80]}")
        return answers

    def _who(self, person: Person) -> DiscordPerson:
        assert isinstance(person, DiscordPerson)
        return person

    async def say(self, person: Person, text: str) -> list[Seen]:
        """A slash command in the community server, where members use the bot."""
        who = self._who(person)
        assert text.startswith("/"), "on Discord, people talk to the bot through slash commands"
        name, _sep, rest = text[1:].partition(" ")
        await self.harness.command(who.member, name, rest or None)
        return self._sort(self._new(), who)

    async def press(self, person: Person, seen: Seen, label: str) -> list[Seen]:
        from tests.adapters.discord.harness import CHANNEL_ID

        who = self._who(person)
        handle = seen.handle
        assert isinstance(handle, dict) and label in handle["ids"], f"no button {label!r} in {seen.buttons}"
        call, where = handle["call"], handle["where"]
        if where in self.by_dm:
            message = self.harness.message_of(call, channel_id=int(where))
            await self.harness.press(who.member, message, handle["ids"][label], dm=True)
        else:
            flags = 64 if call.ephemeral else 0
            message = self.harness.message_of(call, invoker=who.member, flags=flags, channel_id=CHANNEL_ID)
            await self.harness.press(who.member, message, handle["ids"][label])
        return self._sort(self._new(), who)

    async def answer_question(self, staff: Person, question_id: int, text: str) -> list[Seen]:
        """Staff press Answer under the question in the staff channel and submit the form."""
        from tests.adapters.discord.harness import STAFF_CHANNEL_ID

        who = self._who(staff)
        posted = [(seen, handle) for seen, handle in self.staff_posts if f"#{question_id}" in seen.text]
        assert len(posted) == 1, f"question #{question_id} posted {len(posted)} times in the staff channel"
        _seen, handle = posted[0]
        message = self.harness.message_of(handle["call"], channel_id=STAFF_CHANNEL_ID)
        await self.harness.press(who.member, message, f"wans:{question_id}")
        form = self._new()
        assert form == [], f"the Answer button showed messages instead of a form: {form}"
        await self.harness.submit_modal(who.member, f"wansm:{question_id}", {"answer": text}, message=message)
        return self._sort(self._new(), who)

    async def collect(self) -> None:
        self._sort(self._new(), None)

    def inbox(self, person: Person) -> list[Seen]:
        who = self._who(person)
        got, who.inbox = who.inbox, []
        return got

    def misdirected(self) -> list[str]:
        return self.stray

    async def stop(self) -> None:
        await self.harness.door.stop()


def _flat(rows: list[list[str]]) -> list[str]:
    return [item for row in rows for item in row]


_ESCAPED = re.compile(r"\\([\\*_~|`\[\]>#+\-.])")


def _markdown_plain(content: str) -> str:
    """Discord Markdown as the member reads it: bold and italics drawn, escapes gone, links as their label."""
    text = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1", content)
    text = text.replace("**", "").replace("__", "").replace("~~", "")
    text = re.sub(r"(?<![\\*])\*(?!\*)", "", text)
    return html.unescape(_ESCAPED.sub(r"\1", text)).replace("\u200f", "")


# -- one person on two platforms ------------------------------------------------------------------------------------


@dataclass
class MixedPerson:
    name: str
    lang: str
    telegram: TelegramPerson
    discord: DiscordPerson
    linked: bool = False
    # The platform the person used last: where every message for them must arrive, once.
    last: str = "telegram"
    turns: int = 0


class MixedDriver:
    """The journey for people who linked Telegram and Discord with /link and switch between them as they go:
    everything typed alternates between the two, a button is pressed where it was shown, and every message that
    comes later must arrive once, on the platform used last, and nowhere else."""

    platform = "mixed"

    def __init__(self, world: World, telegram: TelegramDriver, discord: DiscordDriver) -> None:
        self.world = world
        self.telegram = telegram
        self.discord = discord
        self.elsewhere: list[str] = []

    def messengers(self) -> Mapping[str, Messenger]:
        return {**self.telegram.messengers(), **self.discord.messengers()}

    def staff_inboxes(self) -> Sequence[StaffInbox]:
        return [*self.telegram.staff_inboxes(), *self.discord.staff_inboxes()]

    def person(self, name: str, lang: str) -> MixedPerson:
        return MixedPerson(name, lang, self.telegram.person(name, lang), self.discord.person(name, lang))

    def staff(self) -> TelegramPerson:
        return self.telegram.staff()

    async def _link(self, who: MixedPerson) -> None:
        [code] = await self.telegram.say(who.telegram, "/link")
        found = re.search(r"/link (\S+)", code.text)
        assert found is not None, code.text
        await self.discord.say(who.discord, f"/link {found[1]}")
        who.linked = True

    def _tag(self, platform: str, seen: list[Seen]) -> list[Seen]:
        for item in seen:
            item.handle = (platform, item.handle)
        return seen

    async def say(self, person: Person, text: str) -> list[Seen]:
        if isinstance(person, TelegramPerson):  # staff
            return await self.telegram.say(person, text)
        assert isinstance(person, MixedPerson)
        if not person.linked:
            await self._link(person)
        person.turns += 1
        person.last = "discord" if person.turns % 2 == 0 else "telegram"
        # People do not act twice in the same second: "used last" is told apart by the time of use.
        self.world.clock.advance(seconds=1)
        if person.last == "discord":
            return self._tag("discord", await self.discord.say(person.discord, text))
        return self._tag("telegram", await self.telegram.say(person.telegram, text))

    async def press(self, person: Person, seen: Seen, label: str) -> list[Seen]:
        assert isinstance(person, MixedPerson) and isinstance(seen.handle, tuple)
        platform, handle = seen.handle
        inner = Seen(seen.text, seen.buttons, seen.private, seen.only_them, handle)
        person.last = platform
        self.world.clock.advance(seconds=1)
        if platform == "discord":
            return self._tag("discord", await self.discord.press(person.discord, inner, label))
        return self._tag("telegram", await self.telegram.press(person.telegram, inner, label))

    async def answer_question(self, staff: Person, question_id: int, text: str) -> list[Seen]:
        return await self.telegram.answer_question(staff, question_id, text)

    async def collect(self) -> None:
        await self.telegram.collect()
        await self.discord.collect()

    def inbox(self, person: Person) -> list[Seen]:
        if isinstance(person, TelegramPerson):
            return self.telegram.inbox(person)
        assert isinstance(person, MixedPerson)
        on_telegram = self._tag("telegram", self.telegram.inbox(person.telegram))
        on_discord = self._tag("discord", self.discord.inbox(person.discord))
        wrong = on_discord if person.last == "telegram" else on_telegram
        self.elsewhere += [f"{person.name} on the platform not used last: {s.text[:60]}" for s in wrong]
        return on_telegram + on_discord

    def misdirected(self) -> list[str]:
        return [*self.telegram.misdirected(), *self.discord.misdirected(), *self.elsewhere]

    async def stop(self) -> None:
        await self.telegram.stop()
        await self.discord.stop()
