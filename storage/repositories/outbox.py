"""The outbox: messages to customers stored first, delivered later, each exactly once."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.enums import OutboxStatus, Sender
from storage.models import Identity, OutboxMessage


@dataclass(frozen=True)
class OutboxEntry:
    """A message to queue: for whom, in which conversation, what, from whom."""

    identity_id: int
    conversation_id: int
    text: str
    sender: str = Sender.BOT
    staff_id: int | None = None


# Rows a worker may take: waiting, or claimed by a worker whose lease ran out.
_CLAIMABLE = (OutboxStatus.PENDING, OutboxStatus.SENDING)


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        identity_id: int,
        conversation_id: int,
        text: str,
        now: datetime,
        sender: str = Sender.BOT,
        staff_id: int | None = None,
    ) -> OutboxMessage:
        """Queue a message; it is delivered after the transaction that wrote it commits."""
        entry = OutboxEntry(identity_id, conversation_id, text, sender, staff_id)
        (row,) = await self.add_many([entry], now)
        return row

    async def add_many(
        self, entries: Sequence["OutboxEntry"], now: datetime
    ) -> list[OutboxMessage]:
        """Queue several messages in one round trip; the rows, in order."""
        rows = [
            OutboxMessage(
                identity_id=entry.identity_id,
                conversation_id=entry.conversation_id,
                text=entry.text,
                sender=entry.sender,
                staff_id=entry.staff_id,
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for entry in entries
        ]
        self._session.add_all(rows)
        await self._session.flush()
        return rows

    async def due_ids(
        self, now: datetime, limit: int = 100, channels: Collection[str] | None = None
    ) -> Sequence[int]:
        """Rows waiting for delivery, or whose delivery was claimed and never finished.

        `channels` keeps only rows for identities on those channels.
        """
        query = select(OutboxMessage.id).where(
            OutboxMessage.status.in_(_CLAIMABLE), OutboxMessage.next_attempt_at <= now
        )
        if channels is not None:
            query = query.join(Identity, Identity.id == OutboxMessage.identity_id).where(
                Identity.channel.in_(list(channels))
            )
        result = await self._session.scalars(query.order_by(OutboxMessage.id).limit(limit))
        return result.all()

    async def due_channels(self, now: datetime) -> Sequence[str]:
        """The channels that rows due for delivery are waiting on."""
        result = await self._session.scalars(
            select(Identity.channel)
            .join(OutboxMessage, OutboxMessage.identity_id == Identity.id)
            .where(OutboxMessage.status.in_(_CLAIMABLE), OutboxMessage.next_attempt_at <= now)
            .distinct()
        )
        return result.all()

    async def claim(self, row_id: int, now: datetime, lease: timedelta) -> str | None:
        """Take one row for delivery: "pending" for a row waiting for its (next) try,
        "interrupted" for one whose last worker claimed it and never recorded the result
        (its lease ran out: it may or may not have reached the customer); None when another
        worker took it first.

        Atomic conditional updates, committed before the platform is called: the lease lets
        another worker take a row whose worker died mid-delivery. The row's `attempts` after
        the claim identifies this claim to `mark_sent` and `mark_failed`.
        """
        for status, claimed_as in (
            (OutboxStatus.PENDING, "pending"),
            (OutboxStatus.SENDING, "interrupted"),
        ):
            result = await self._session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row_id,
                    OutboxMessage.status == status,
                    OutboxMessage.next_attempt_at <= now,
                )
                .values(
                    status=OutboxStatus.SENDING,
                    attempts=OutboxMessage.attempts + 1,
                    next_attempt_at=now + lease,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                return claimed_as
        return None

    async def get(self, row_id: int) -> tuple[OutboxMessage, Identity]:
        """A row with the identity it is for."""
        row = await self._session.get(OutboxMessage, row_id, populate_existing=True)
        assert row is not None
        identity = await self._session.get(Identity, row.identity_id)
        assert identity is not None
        return row, identity

    async def mark_sent(self, row_id: int, attempt: int, message_id: int, now: datetime) -> bool:
        """Record the delivery of claim `attempt`; False if that claim was lost meanwhile
        (its lease ran out and another worker took the row)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(_still_claimed(row_id, attempt))
            .values(status=OutboxStatus.SENT, message_id=message_id, sent_at=now, last_error="")
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def mark_failed(
        self, row_id: int, attempt: int, error: str, retry_at: datetime | None
    ) -> bool:
        """Record a failed attempt; None for `retry_at` gives up on the row.

        False if the claim was lost meanwhile, and then nothing is changed.
        """
        values: dict[str, object] = {"last_error": error[:2000]}
        if retry_at is None:
            values["status"] = OutboxStatus.FAILED
        else:
            values.update(status=OutboxStatus.PENDING, next_attempt_at=retry_at)
        result = await self._session.execute(
            update(OutboxMessage)
            .where(_still_claimed(row_id, attempt))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _still_claimed(row_id: int, attempt: int) -> ColumnElement[bool]:
    """The row is still held by the claim that made it attempt number `attempt`."""
    return (
        (OutboxMessage.id == row_id)
        & (OutboxMessage.status == OutboxStatus.SENDING)
        & (OutboxMessage.attempts == attempt)
    )
