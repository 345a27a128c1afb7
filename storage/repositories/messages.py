"""Messages in and out of a conversation."""

from collections.abc import Collection, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import Row, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import Direction, OutboxStatus, Sender
from storage.models import Message, OutboxMessage


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find_incoming(self, identity_id: int, external_id: str) -> Message | None:
        """A message already received from this identity with this external id."""
        return await self._session.scalar(
            select(Message).where(
                Message.identity_id == identity_id,
                Message.external_id == external_id,
                Message.direction == Direction.IN,
            )
        )

    async def latest_incoming(self, identity_id: int, count: int) -> Sequence[Row[Any]]:
        """When this identity's last `count` messages in came and what handled them, newest
        first."""
        result = await self._session.execute(
            select(Message.created_at, Message.handled_by)
            .where(Message.identity_id == identity_id, Message.direction == Direction.IN)
            .order_by(Message.id.desc())
            .limit(count)
        )
        return result.all()

    async def replies_to(self, message_id: int) -> Sequence[Message]:
        result = await self._session.scalars(
            select(Message).where(Message.reply_to_id == message_id).order_by(Message.id)
        )
        return result.all()

    async def add_incoming(
        self,
        conversation_id: int,
        identity_id: int,
        text: str,
        external_id: str | None,
        now: datetime,
        media: tuple[str, ...] = (),
    ) -> Message:
        return await self._add(
            Message(
                conversation_id=conversation_id,
                identity_id=identity_id,
                direction=Direction.IN,
                sender=Sender.CUSTOMER,
                text=text,
                media=list(media),
                external_id=external_id,
                created_at=now,
            )
        )

    async def add_outgoing(
        self,
        conversation_id: int,
        identity_id: int,
        text: str,
        sender: str,
        now: datetime,
        reply_to_id: int | None = None,
        staff_id: int | None = None,
    ) -> Message:
        return await self._add(
            Message(
                conversation_id=conversation_id,
                identity_id=identity_id,
                direction=Direction.OUT,
                sender=sender,
                text=text,
                media=[],
                reply_to_id=reply_to_id,
                staff_id=staff_id,
                created_at=now,
            )
        )

    async def _add(self, message: Message) -> Message:
        self._session.add(message)
        await self._session.flush()
        return message

    async def outgoing_after(
        self, identity_id: int, after_id: int, limit: int = 200
    ) -> Sequence[Message]:
        """Messages sent to this identity with an id above `after_id`, oldest first."""
        result = await self._session.scalars(
            select(Message)
            .where(
                Message.identity_id == identity_id,
                Message.direction == Direction.OUT,
                Message.id > after_id,
            )
            .order_by(Message.id)
            .limit(limit)
        )
        return result.all()

    async def in_conversation(
        self, conversation_id: int, after_id: int = 0, limit: int = 1000
    ) -> Sequence[Message]:
        """The conversation's newest `limit` messages above `after_id`, oldest first."""
        result = await self._session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.id > after_id)
            .order_by(Message.id.desc())
            .limit(limit)
        )
        return list(reversed(result.all()))

    async def last_from_customer(self, conversation_ids: Collection[int]) -> dict[int, Message]:
        """Each conversation's newest customer message, by conversation id."""
        if not conversation_ids:
            return {}
        newest = (
            select(func.max(Message.id))
            .where(
                Message.conversation_id.in_(list(conversation_ids)),
                Message.sender == Sender.CUSTOMER,
            )
            .group_by(Message.conversation_id)
        )
        result = await self._session.scalars(select(Message).where(Message.id.in_(newest)))
        return {message.conversation_id: message for message in result.all()}

    async def newest_id(self) -> int:
        """The highest message id: it changes whenever any message is stored."""
        return await self._session.scalar(select(func.max(Message.id))) or 0

    async def unsent(self, conversation_id: int) -> Sequence[OutboxMessage]:
        """Outbox rows of the conversation not delivered (yet): pending, sending or failed."""
        result = await self._session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.conversation_id == conversation_id,
                OutboxMessage.status.in_(
                    (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
                ),
            )
            .order_by(OutboxMessage.id)
        )
        return result.all()

    async def incoming_counts(self, boundaries: Sequence[datetime]) -> list[int]:
        """Customer messages between each two consecutive boundaries, in one query."""
        spans = list(pairwise(boundaries))
        if not spans:
            return []
        created = Message.created_at
        columns = [func.count(case(((created >= a) & (created < b), 1))) for a, b in spans]
        row = await self._session.execute(
            select(*columns).where(
                Message.direction == Direction.IN,
                created >= boundaries[0],
                created < boundaries[-1],
            )
        )
        return [int(count) for count in row.one()]

    async def incoming_by_handler(self, start: datetime, end: datetime) -> dict[str | None, int]:
        """Customer messages in [start, end) per rule that answered them (`handled_by`)."""
        rows = await self._session.execute(
            select(Message.handled_by, func.count())
            .where(
                Message.direction == Direction.IN,
                Message.created_at >= start,
                Message.created_at < end,
            )
            .group_by(Message.handled_by)
        )
        return {handler: count for handler, count in rows.all()}

    async def conversations_with_incoming(self, start: datetime, end: datetime) -> int:
        """Conversations with a customer message in [start, end)."""
        count = await self._session.scalar(
            select(func.count(func.distinct(Message.conversation_id))).where(
                Message.direction == Direction.IN,
                Message.created_at >= start,
                Message.created_at < end,
            )
        )
        return count or 0
