"""Platform-neutral use cases, one module per feature. Each module exposes a `router`."""

from __future__ import annotations

from importlib import import_module

from bot.core.router import Router

# Order matters for free text: earlier modules get the first look at a typed line.
# The FAQ takes whatever free text is left, so it comes last.
FEATURES = (
    "start",
    "program",
    "progress",
    "certificates",
    "workshops",
    "workshops_mine",
    "workshops_checkin",
    "workshops_staff",
    "reminders",
    "broadcast",
    "accounts",
    "privacy",
    "staff",
    "console",
    "reachability",
    "questions",
    "faq",
)

# Features that answer from the content alone. `wego-bot ask` loads only these, so they must not import
# SQLAlchemy (or anything heavy) at module level: that keeps `ask` fast (bench/startup).
CONTENT_ONLY = frozenset({"start", "program", "faq"})


def build_router(*, content_only: bool = False) -> Router:
    root = Router()
    for name in FEATURES:
        if content_only and name not in CONTENT_ONLY:
            continue
        root.include(import_module(f"handlers.{name}").router)
    return root


def known_commands(router: Router) -> frozenset[str]:
    """Commands FAQ entries may offer as buttons: the registered ones, so a misspelt name is refused."""
    return frozenset(router.commands)
