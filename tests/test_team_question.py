"""/team on the console: a private chat, so the team's answer is said to come right there."""

from __future__ import annotations

import io

from bot.adapters.console import ConsoleChat
from bot.app import App


async def test_team_on_the_console_says_the_answer_comes_here(app: App) -> None:
    out = io.StringIO()
    chat = ConsoleChat(app, user="dana", out=out)

    await chat.handle_line("/team Is there parking at the venue?")

    assert out.getvalue() == (
        "Thank you! I passed your question to the program team. Their answer will come here.\n\n[1] Main menu\n\n"
    )
