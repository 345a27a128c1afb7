"""Repositories over one session of a test's prepared database (the demo shop's products and
orders are in it: tests look at the rows they add)."""

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import Services
from core.clock import Clock
from storage.repositories import Repositories


@pytest.fixture
async def session(services: Services) -> AsyncIterator[AsyncSession]:
    async with services.sessions() as session:
        yield session


@pytest.fixture
def repos(session: AsyncSession) -> Repositories:
    return Repositories.for_session(session)


@pytest.fixture
def now(clock: Clock) -> datetime:
    return clock.now()
