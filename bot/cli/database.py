"""The shop's database for a command: migrated, as the shop has it, closed afterwards."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import prepare_database
from bot.desk.unit_of_work import Sessions
from core.clock import Clock
from core.settings import Settings


@asynccontextmanager
async def shop_database(settings: Settings, clock: Clock) -> AsyncIterator[Sessions]:
    """Sessions on the shop's database as it is: a command never loads the demo shop's data."""
    engine, sessions = await prepare_database(settings, clock, load_demo=False)
    try:
        yield sessions
    finally:
        await engine.dispose()
