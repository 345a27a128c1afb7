"""Chat identities and their binding to customers."""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import Direction
from storage.models import Conversation, Identity, Message
from storage.repositories.dialect import hold_exclusively
from storage.repositories.lockouts import count_failure


def chat_lock_name(channel: str, external_id: str) -> str:
    return f"chat:{channel}\0{external_id}"


class IdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_chat(self, channel: str, external_id: str) -> None:
        """Hold this chat until the transaction ends, in every process on the database: a
        customer's messages are handled one at a time even when they reach different ones."""
        await hold_exclusively(self._session, [chat_lock_name(channel, external_id)], Identity)

    async def get_or_create(self, channel: str, external_id: str, now: datetime) -> Identity:
        """The identity for this channel user, created on first contact."""
        found = await self._session.scalar(
            select(Identity).where(Identity.channel == channel, Identity.external_id == external_id)
        )
        if found is not None:
            return found
        identity = Identity(
            channel=channel, external_id=external_id, failed_verifications=0, created_at=now
        )
        self._session.add(identity)
        await self._session.flush()
        return identity

    async def by_id(self, identity_id: int) -> Identity | None:
        return await self._session.get(Identity, identity_id)

    async def by_ids(self, identity_ids: Collection[int]) -> dict[int, Identity]:
        if not identity_ids:
            return {}
        result = await self._session.scalars(
            select(Identity).where(Identity.id.in_(list(identity_ids)))
        )
        return {identity.id: identity for identity in result.all()}

    async def find(self, channel: str, external_id: str) -> Identity | None:
        return await self._session.scalar(
            select(Identity).where(Identity.channel == channel, Identity.external_id == external_id)
        )

    async def bind(self, identity: Identity, customer_id: int) -> None:
        identity.customer_id = customer_id
        identity.failed_verifications = 0
        identity.locked_until = None
        await self._session.flush()

    async def record_failed_verification(
        self, identity: Identity, max_attempts: int, lock_until: datetime
    ) -> bool:
        """Count a wrong answer; returns True when this one locked the identity."""
        return await count_failure(
            self._session, Identity.failed_verifications, identity.id, max_attempts, lock_until
        )

    async def latest_for_customer(self, customer_id: int) -> Identity | None:
        """The customer's verified chat used most lately: where news for them goes."""
        return await self._session.scalar(
            select(Identity)
            .outerjoin(Conversation, Conversation.identity_id == Identity.id)
            .where(Identity.customer_id == customer_id)
            .order_by(Conversation.updated_at.desc().nulls_last(), Identity.id.desc())
            .limit(1)
        )

    async def notice_chats(self, latest: Identity) -> list[Identity]:
        """Where news of a customer's parcels goes: `latest`, their chat used most lately
        (`latest_for_customer`), then every other verified chat still on its channel, oldest
        first. A chat verified later never takes the notices away from the ones before it."""
        others = await self._session.scalars(
            select(Identity)
            .where(
                Identity.customer_id == latest.customer_id,
                Identity.active.is_(True),
                Identity.id != latest.id,
            )
            .order_by(Identity.id)
        )
        return [latest, *others.all()]

    async def latest_active_by_customer(self) -> dict[int, int]:
        """customer id → their active chat used most lately, for every customer with one."""
        ranked = (
            select(
                Identity.customer_id,
                Identity.id,
                func.row_number()
                .over(
                    partition_by=Identity.customer_id,
                    # The order latest_for_customer chooses by.
                    order_by=(Conversation.updated_at.desc().nulls_last(), Identity.id.desc()),
                )
                .label("place"),
            )
            .outerjoin(Conversation, Conversation.identity_id == Identity.id)
            .where(Identity.customer_id.is_not(None), Identity.active.is_(True))
            .subquery()
        )
        rows = await self._session.execute(
            select(ranked.c.customer_id, ranked.c.id).where(ranked.c.place == 1)
        )
        return {customer_id: identity_id for customer_id, identity_id in rows.all()}

    async def customers_heard_since(self, since: datetime) -> dict[int, datetime]:
        """customer id → when they last wrote in any of their chats, for those who wrote
        since a time."""
        rows = await self._session.execute(
            select(Identity.customer_id, func.max(Message.created_at))
            .select_from(Message)
            .join(Identity, Identity.id == Message.identity_id)
            # Incoming messages are the customer's; the index on (direction, created_at)
            # keeps this to the period's messages.
            .where(
                Message.direction == Direction.IN,
                Message.created_at >= since,
                Identity.customer_id.is_not(None),
            )
            .group_by(Identity.customer_id)
        )
        return {customer_id: heard for customer_id, heard in rows.all()}
