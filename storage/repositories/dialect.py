"""What differs between SQLite and PostgreSQL: the INSERT with ON CONFLICT clauses, and
locks that hold across processes."""

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import false, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    """ "postgresql" or "sqlite"."""
    return session.bind.dialect.name if session.bind else "sqlite"


def insert_for(session: AsyncSession) -> Callable[[Any], Any]:
    """`insert` of the session's dialect: both have on_conflict_do_nothing/do_update."""
    return postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert


async def hold_locks(session: AsyncSession, names: Iterable[str]) -> None:
    """On PostgreSQL, hold a lock on each name until the transaction ends, in every process on
    the database; in one order, so two transactions never wait for each other's."""
    if dialect_name(session) != "postgresql":
        return  # SQLite's one writer already keeps the transactions that write apart
    for key in sorted({lock_key(name) for name in names}):
        await session.execute(select(func.pg_advisory_xact_lock(key)))


async def hold_exclusively(session: AsyncSession, names: Iterable[str], table: Any) -> None:
    """Hold these names until the transaction ends, in every process: on PostgreSQL their
    locks; on SQLite the one write lock, taken now (an update of no rows of the mapped `table`
    does), so reads after it see what every other process committed."""
    if dialect_name(session) == "postgresql":
        await hold_locks(session, names)
    else:
        await session.execute(update(table).where(false()).values(id=table.id))


def lock_key(name: str) -> int:
    """A signed 64-bit number for the name, the same in every process."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
