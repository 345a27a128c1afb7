"""What channels keep between runs: a platform's cursor, the events already handled, and the
signed callback URLs already used."""

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelEvent, ChannelState, Identity, SignedRequest
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

    async def use_signed_request(
        self, channel: str, key: str, message_key: str, expires_at: datetime
    ) -> bool:
        """Bind a signed URL to the first message it carries; True for that message (again,
        when retried), False for any other."""
        statement = insert_for(self._session)(SignedRequest).values(
            channel=channel, key=key, message_key=message_key, expires_at=expires_at
        )
        result = await self._session.execute(
            statement.on_conflict_do_nothing(index_elements=["channel", "key"])
        )
        if result.rowcount == 1:
            return True
        used_for = await self._session.scalar(
            select(SignedRequest.message_key).where(
                SignedRequest.channel == channel, SignedRequest.key == key
            )
        )
        return used_for == message_key

    async def forget_signed_requests(self, now: datetime) -> int:
        """Drop the signed URLs too old to be accepted anyway; how many."""
        result = await self._session.execute(
            delete(SignedRequest).where(SignedRequest.expires_at < now)
        )
        return result.rowcount

    async def set_active(self, channel: str, external_id: str, active: bool) -> None:
        """Mark a channel user as still there or gone (e.g. unfollowed)."""
        await self._session.execute(
            update(Identity)
            .where(Identity.channel == channel, Identity.external_id == external_id)
            .values(active=active)
            .execution_options(synchronize_session=False)
        )
