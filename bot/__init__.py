"""The WeGO Champions assistant: one conversation core, many doors."""

from __future__ import annotations

__version__ = "0.1.0"
