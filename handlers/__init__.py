"""Platform-neutral use cases, one module per feature. Each module exposes a `router`."""

from __future__ import annotations

from importlib import import_module

from bot.core.router import Router

# Order matters for free text: earlier modules get the first look at a typed line.
FEATURES = (
    "start",
    "program",
    "progress",
    "certificates",
    "workshops",
    "workshops_staff",
    "reminders",
    "broadcast",
    "accounts",
    "privacy",
    "staff",
    "topics",
)

# Features that answer from the content alone. `wego-bot ask` loads only these, so they must not import
# SQLAlchemy (or anything heavy) at module level: that keeps `ask` fast (bench/startup).
CONTENT_ONLY = frozenset({"start", "program", "topics"})


def build_router(*, content_only: bool = False) -> Router:
    root = Router()
    for name in FEATURES:
        if content_only and name not in CONTENT_ONLY:
            continue
        root.include(import_module(f"handlers.{name}").router)
    return root
