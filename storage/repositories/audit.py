"""The audit log: what staff did, newest first."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, staff_id: int | None, action: str, now: datetime, subject: str = "", detail: str = ""
    ) -> None:
        self._session.add(
            AuditEntry(
                time=now, staff_id=staff_id, action=action, subject=subject[:100], detail=detail
            )
        )
        await self._session.flush()

    async def recent(self, limit: int = 100) -> Sequence[AuditEntry]:
        rows = await self._session.scalars(
            select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        )
        return rows.all()
