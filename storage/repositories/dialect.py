"""The INSERT of the database in use, for its ON CONFLICT clauses (SQLite and PostgreSQL)."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession) -> Callable[[Any], Any]:
    """`insert` of the session's dialect: both have on_conflict_do_nothing/do_update."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
