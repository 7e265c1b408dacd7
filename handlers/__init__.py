"""Platform-neutral use cases, one module per feature. Each module exposes a `router`."""

from __future__ import annotations

from importlib import import_module

from bot.core.router import Router

# Order matters for free text: earlier modules get the first look at a typed line.
FEATURES = ("start", "program", "topics", "reminders", "broadcast")


def build_router() -> Router:
    root = Router()
    for name in FEATURES:
        root.include(import_module(f"handlers.{name}").router)
    return root
