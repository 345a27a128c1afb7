"""What channels keep between runs: a platform's cursor, and the events already handled."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelEvent, ChannelState, Identity
from storage.repositories.dialect import insert_for


class ChannelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def state(self, key: str) -> str | None:
        """A stored value, None when never set."""
        return await self._session.scalar(select(ChannelState.value).where(ChannelState.key == key))

    async def set_state(self, key: str, value: str, now: datetime) -> None:
        """Store a value, replacing the one before."""
        statement = insert_for(self._session)(ChannelState).values(
            key=key, value=value, updated_at=now
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"value": value, "updated_at": now}
            )
        )

    async def first_time(self, channel: str, key: str, now: datetime) -> bool:
        """Record an event; True the first time it is seen, False for a repeat delivery."""
        statement = insert_for(self._session)(ChannelEvent).values(
            channel=channel, key=key, created_at=now
        )
        result = await self._session.execute(
            statement.on_conflict_do_nothing(index_elements=["channel", "key"])
        )
        return result.rowcount == 1

    async def set_active(self, channel: str, external_id: str, active: bool) -> None:
        """Mark a channel user as still there or gone (e.g. unfollowed)."""
        await self._session.execute(
            update(Identity)
            .where(Identity.channel == channel, Identity.external_id == external_id)
            .values(active=active)
            .execution_options(synchronize_session=False)
        )
