"""Persistence: SQLAlchemy models, database setup, repositories, migrations and demo data."""
