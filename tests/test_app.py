"""What `wego-bot run` does once it has started (bot/app.py)."""

from __future__ import annotations

import gc

from bot.app import settle_heap


def test_settling_the_heap_puts_what_start_up_built_out_of_the_collectors_sight() -> None:
    before = gc.get_freeze_count()
    try:
        settle_heap()
        assert gc.get_freeze_count() > before
    finally:
        # The rest of the test session collects as usual.
        gc.unfreeze()
