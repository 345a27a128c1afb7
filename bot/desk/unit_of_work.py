"""One unit of work: a session and its repositories, committed on success, rolled back on error."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import Repositories

# Where a unit of work gets its session: the application's one session factory.
Sessions = async_sessionmaker[AsyncSession]


@asynccontextmanager
async def unit_of_work(sessions: Sessions) -> AsyncIterator[Repositories]:
    """Repositories over one transaction: committed when the block ends, rolled back when it
    raises."""
    async with sessions() as session, session.begin():
        yield Repositories.for_session(session)
