"""Persistence: SQLAlchemy 2 models, repositories, the unit of work and Alembic migrations. No platform types."""
