"""`wego-bot`, the assistant's command line: the root commands in `root`, one module per command group."""

from __future__ import annotations

from bot.cli.root import main

__all__ = ["main"]
