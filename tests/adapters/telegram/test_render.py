"""Neutral replies → Telegram HTML and inline keyboards."""

from __future__ import annotations

import re

import pytest
from telegram import InlineKeyboardButton

from bot.adapters.telegram.render import CAPTION_LIMIT, MESSAGE_LIMIT, caption, keyboard, render, split_html, utf16_len
from bot.core.actions import act
from bot.core.replies import Button, Reply, esc


def _balanced(part: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)(\w+)[^>]*>", part):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_button_layout_and_callback_data() -> None:
    reply = Reply(
        "Pick one",
        buttons=[
            [Button("Workshops", act("workshop.list")), Button("Lectures", act("lecture.list", 3))],
            [Button("Site", url="https://wego.example/champions")],
        ],
    )
    markup = render(reply).markup
    assert markup is not None
    rows = [[(b.text, b.callback_data, b.url) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("Workshops", "workshop.list", None), ("Lectures", "lecture.list:3", None)],
        [("Site", None, "https://wego.example/champions")],
    ]


def test_callback_data_over_64_bytes_never_leaves() -> None:
    fits = act("w.x", "a" * 40, "b" * 18)  # 3 + 1 + 40 + 1 + 18 = 63 bytes
    too_long = act("w.x", "a" * 40, "b" * 20)
    markup = keyboard([[Button("ok", fits), Button("too long", too_long)]])
    assert markup is not None
    buttons: list[InlineKeyboardButton] = [b for row in markup.inline_keyboard for b in row]
    assert [b.text for b in buttons] == ["ok"]
    assert all(len(str(b.callback_data).encode()) <= 64 for b in buttons)


def test_no_buttons_no_markup() -> None:
    assert render(Reply("plain")).markup is None
    assert keyboard([[Button("too", act("x", "y" * 70))]]) is None


@pytest.mark.parametrize(
    "name",
    ["<script>alert(1)</script>", "Tom & Jerry", "Zoë 🌍🏙️ <b>", "ليلى & <سارة>", "李雷 <i>"],
)
def test_names_are_escaped_and_survive(name: str) -> None:
    text = f"Hello <b>{esc(name)}</b>"
    parts = render(Reply(text)).parts
    assert parts == [text]
    assert "<script>" not in parts[0]
    assert "&lt;" in parts[0] or "&amp;" in parts[0]


def test_long_message_is_split_on_lines_with_tags_balanced() -> None:
    line = "<b>Lecture</b> " + esc("ليلى & Zoë 🌍") + " <i>" + "x" * 60 + "</i>"
    text = "\n".join([line] * 200)
    parts = split_html(text)
    assert len(parts) > 1
    assert all(utf16_len(part) <= MESSAGE_LIMIT for part in parts)
    assert all(_balanced(part) for part in parts)
    # Cut only between lines: every part is whole lines, and nothing is lost.
    assert sum(part.count("Lecture") for part in parts) == 200
    assert all(part.startswith("<b>Lecture</b>") and part.endswith("</i>") for part in parts)


def test_formatting_open_across_a_cut_is_closed_and_reopened() -> None:
    text = "<b>" + "word " * 2000 + "</b>"
    parts = split_html(text, limit=1000)
    assert len(parts) == 11
    assert all(part.startswith("<b>") and part.endswith("</b>") for part in parts)
    assert all(utf16_len(part) <= 1000 for part in parts)
    assert sum(part.count("word") for part in parts) == 2000


def test_no_cut_inside_an_entity_or_a_link_tag() -> None:
    text = '<a href="https://wego.example/a?b=1&amp;c=2">' + "&amp;" * 500 + "</a>"
    parts = split_html(text, limit=300)
    assert all(_balanced(part) for part in parts)
    for part in parts:
        body = re.sub(r"<[^>]*>", "", part)
        assert body == "&amp;" * (len(body) // 5)
        assert part.startswith('<a href="https://wego.example/a?b=1&amp;c=2">')


def test_emoji_count_twice() -> None:
    text = "🌍" * 3000  # 6000 UTF-16 units, though only 3000 code points
    parts = split_html(text)
    assert [utf16_len(part) for part in parts] == [4096, 1904]


def test_caption_cut_to_limit() -> None:
    assert caption("short") == "short"
    long = caption("é" * 2000)
    assert utf16_len(long) <= CAPTION_LIMIT and long.endswith("…")
