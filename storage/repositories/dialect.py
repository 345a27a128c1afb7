"""What differs between SQLite and PostgreSQL: the INSERT with ON CONFLICT clauses."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    """ "postgresql" or "sqlite"."""
    return session.bind.dialect.name if session.bind else "sqlite"


def insert_for(session: AsyncSession) -> Callable[[Any], Any]:
    """`insert` of the session's dialect: both have on_conflict_do_nothing/do_update."""
    return postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
