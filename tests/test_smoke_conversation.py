from __future__ import annotations

from collections.abc import Callable

from tests.helpers import ChatDriver


async def test_start_shows_menu_and_program_facts(chat: Callable[..., ChatDriver]) -> None:
    alice = chat("alice")
    await alice.send("/start")
    assert "Hello, alice!" in alice.text
    await alice.press("Lectures")
    assert "(24 lectures)" in alice.text
    await alice.press("Part 4")
    assert "⬜ 4.1  The Housing Crisis - Structural Roots and Global Patters" in alice.text
