"""The outbox: messages to customers stored first, delivered later, each exactly once."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, OutboxMessage


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, identity_id: int, conversation_id: int, text: str, now: datetime, sender: str = "bot"
    ) -> OutboxMessage:
        """Queue a message; it is delivered after the transaction that wrote it commits."""
        row = OutboxMessage(
            identity_id=identity_id,
            conversation_id=conversation_id,
            text=text,
            sender=sender,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def due_ids(self, now: datetime, limit: int = 100) -> Sequence[int]:
        """Rows waiting for delivery, or whose delivery was claimed and never finished."""
        result = await self._session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_(("pending", "sending")),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return result.all()

    async def claim(self, row_id: int, now: datetime, lease: timedelta) -> bool:
        """Take one row for delivery; False when another worker took it first.

        An atomic conditional update: the lease lets another worker retry a row whose
        worker died mid-delivery.
        """
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id,
                OutboxMessage.status.in_(("pending", "sending")),
                OutboxMessage.next_attempt_at <= now,
            )
            .values(
                status="sending",
                attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + lease,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def get(self, row_id: int) -> tuple[OutboxMessage, Identity]:
        """A row with the identity it is for."""
        row = await self._session.get(OutboxMessage, row_id, populate_existing=True)
        assert row is not None
        identity = await self._session.get(Identity, row.identity_id)
        assert identity is not None
        return row, identity

    async def mark_sent(self, row: OutboxMessage, message_id: int, now: datetime) -> None:
        row.status = "sent"
        row.message_id = message_id
        row.sent_at = now
        await self._session.flush()

    async def mark_failed(self, row: OutboxMessage, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt; None for `retry_at` gives up on the row."""
        row.last_error = error[:2000]
        if retry_at is None:
            row.status = "failed"
        else:
            row.status = "pending"
            row.next_attempt_at = retry_at
        await self._session.flush()
