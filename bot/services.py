"""What a running kefu shares with its channels, console and commands."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.pipeline.assistant import Assistant
from core.clock import Clock
from core.settings import Settings


@dataclass
class Services:
    """Everything a running kefu shares: database, assistant, settings."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    assistant: Assistant

    async def close(self) -> None:
        await self.engine.dispose()
