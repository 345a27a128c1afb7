"""Notifications for staff: new and urgent tickets."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StaffNotification


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, ticket_id: int, reason: str, urgent: bool, now: datetime) -> None:
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
