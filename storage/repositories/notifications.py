"""Notifications for staff: new and urgent tickets, deadlines; read or not yet."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StaffNotification, Ticket


@dataclass(frozen=True)
class ListedNotification:
    """A notification with the number of the ticket it is about ("" for none)."""

    notification: StaffNotification
    ticket_number: str


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, ticket_id: int | None, reason: str, urgent: bool, now: datetime) -> None:
        """Tell staff; `ticket_id` None for something that is about no ticket."""
        self._session.add(
            StaffNotification(
                ticket_id=ticket_id, reason=reason[:200], urgent=urgent, created_at=now
            )
        )
        await self._session.flush()

    async def unread(self, limit: int = 100) -> Sequence[StaffNotification]:
        result = await self._session.scalars(
            select(StaffNotification)
            .where(StaffNotification.read_at.is_(None))
            .order_by(StaffNotification.id.desc())
            .limit(limit)
        )
        return result.all()

    async def latest(self, limit: int) -> list[ListedNotification]:
        """The newest notifications, read or not, each with its ticket's number."""
        rows = await self._session.execute(
            select(StaffNotification, Ticket.number)
            .outerjoin(Ticket, Ticket.id == StaffNotification.ticket_id)
            .order_by(StaffNotification.id.desc())
            .limit(limit)
        )
        return [
            ListedNotification(notification, number or "") for notification, number in rows.all()
        ]

    async def unread_count(self) -> int:
        return (
            await self._session.scalar(
                select(func.count())
                .select_from(StaffNotification)
                .where(StaffNotification.read_at.is_(None))
            )
            or 0
        )

    async def mark_read(self, notification_id: int, now: datetime) -> bool:
        """Mark one notification read; False when it was read already (or is gone)."""
        result = await self._session.execute(
            update(StaffNotification)
            .where(StaffNotification.id == notification_id, StaffNotification.read_at.is_(None))
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def mark_all_read(self, up_to_id: int, now: datetime) -> int:
        """Mark unread notifications up to an id read (those that came later stay unread);
        the number marked."""
        result = await self._session.execute(
            update(StaffNotification)
            .where(StaffNotification.id <= up_to_id, StaffNotification.read_at.is_(None))
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount
