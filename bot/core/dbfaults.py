"""Database fault classes: they live with the use cases that run transactions (bot/services/dbfaults.py).

Re-exported for the edges that already name them here (the dispatcher's callers, the web pages)."""

from __future__ import annotations

from bot.services.dbfaults import LOCK_RETRIES, TRANSIENT, backoff, causes, db_problem, with_retries

__all__ = ["LOCK_RETRIES", "TRANSIENT", "backoff", "causes", "db_problem", "with_retries"]
