"""A process killed between the platform taking an outbox message and kefu recording it."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outreach.outbox import ChannelSender, deliver_outbox
from core.clock import Clock


class ProcessKilled(BaseException):
    """The process dies here: no `except Exception` runs, nothing more is committed."""


class DiesAfterDelivering:
    """A channel whose process is killed right after the platform took the message."""

    def __init__(self, channel: ChannelSender) -> None:
        self._channel = channel
        self.dedupes = channel.dedupes

    async def deliver(self, user: str, text: str, key: str = "") -> None:
        await self._channel.deliver(user, text, key)
        raise ProcessKilled


async def deliver_and_die(
    sessions: async_sessionmaker[AsyncSession], name: str, channel: ChannelSender, clock: Clock
) -> None:
    """One outbox round whose process is killed after the first platform call."""
    try:
        await deliver_outbox(sessions, {name: DiesAfterDelivering(channel)}, clock)
    except ProcessKilled:
        return
    raise AssertionError("nothing was delivered")
