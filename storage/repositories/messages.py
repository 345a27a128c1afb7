"""Messages in and out of a conversation."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Message


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find_incoming(self, identity_id: int, external_id: str) -> Message | None:
        """A message already received from this identity with this external id."""
        return await self._session.scalar(
            select(Message).where(
                Message.identity_id == identity_id,
                Message.external_id == external_id,
                Message.direction == "in",
            )
        )

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
                direction="in",
                sender="customer",
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
                direction="out",
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
                Message.direction == "out",
                Message.id > after_id,
            )
            .order_by(Message.id)
            .limit(limit)
        )
        return result.all()
