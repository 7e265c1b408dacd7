"""The clock: APScheduler runs jobs; database rows are the truth for everything scheduled."""
