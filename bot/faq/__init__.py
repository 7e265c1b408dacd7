"""Answering free-text questions from the FAQ: pure matching over content entries, no database."""

from bot.faq.index import FaqIndex, Hit, Match

__all__ = ["FaqIndex", "Hit", "Match"]
